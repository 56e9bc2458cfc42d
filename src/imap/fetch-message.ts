/**
 * The FETCH data of one message (RFC 3501 §6.4.5, §7.4.2; MODSEQ RFC 7162
 * §3.1.4). Flags, dates, sizes and UIDs come from the view; ENVELOPE and
 * BODYSTRUCTURE from the MIME index stored at delivery (never reparsed,
 * ARCHITECTURE rule 6); body sections are byte ranges of the stored raw
 * message, resolved by the codec and read from the blob — only the bytes a
 * section needs are read.
 */
import { isMailError } from '../errors.js';
import type { MessageIndex } from '../mime/types.js';
import type { MailStore, MessageRecord } from '../store/types.js';
import type { ViewEntry } from './mailbox-view.js';
import { literal, type EncodedPart, type ImapValue } from './protocol/encoder.js';
import { messageBodyStructure, messageEnvelope } from './protocol/body-structure.js';
import { fetchItemName, fetchResponse, flagList } from './protocol/response-builders.js';
import { applyPartial, filterHeaderFields, resolveSection } from './protocol/section-resolver.js';
import type { FetchAttribute } from './protocol/types.js';
import { visibleFlags } from './view-output.js';
import { imapDateTime } from './wire.js';

const NEEDS_INDEX = new Set<FetchAttribute['kind']>(['ENVELOPE', 'BODY', 'BODYSTRUCTURE', 'BODY[]', 'RFC822.HEADER', 'RFC822.TEXT']);

/** True when any item makes the server set \Seen (RFC 3501 §6.4.5: BODY[...] without PEEK, RFC822, RFC822.TEXT). */
export function setsSeen(items: readonly FetchAttribute[]): boolean {
  return items.some((i) => (i.kind === 'BODY[]' && !i.peek) || i.kind === 'RFC822' || i.kind === 'RFC822.TEXT');
}

/** Items whose values are numbers, atoms or a fixed-form date: written without the general encoder. */
const SIMPLE = new Set<FetchAttribute['kind']>(['UID', 'FLAGS', 'MODSEQ', 'RFC822.SIZE', 'INTERNALDATE']);

/**
 * `* seq FETCH (...)` for SIMPLE items only — the common `UID FETCH 1:* (FLAGS)`
 * of a client's resync, which must be cheap for large mailboxes. Flags are
 * atoms (the store only accepts atom characters), so no quoting is needed.
 */
function simpleFetchLine(m: ViewEntry, rec: MessageRecord | null, items: readonly FetchAttribute[]): string {
  const parts: string[] = [];
  for (const item of items) {
    switch (item.kind) {
      case 'UID':
        parts.push(`UID ${m.uid}`);
        break;
      case 'FLAGS':
        parts.push(`FLAGS (${visibleFlags(m.flags, m.recent).join(' ')})`);
        break;
      case 'MODSEQ':
        parts.push(`MODSEQ (${(rec as MessageRecord).modseq})`);
        break;
      case 'RFC822.SIZE':
        parts.push(`RFC822.SIZE ${(rec as MessageRecord).size}`);
        break;
      case 'INTERNALDATE':
        parts.push(`INTERNALDATE "${imapDateTime((rec as MessageRecord).internalDate)}"`);
        break;
      default:
        break;
    }
  }
  return `* ${m.seq} FETCH (${parts.join(' ')})\r\n`;
}

/** True when an item needs the stored record (anything but UID and FLAGS, which the view holds). */
export function needsRecord(items: readonly FetchAttribute[]): boolean {
  return items.some((i) => i.kind !== 'UID' && i.kind !== 'FLAGS');
}

/**
 * Builds `* seq FETCH (...)`. `rec` is the stored record (required when
 * `needsRecord(items)`). Returns null when the message is gone (expunged by
 * another session and no longer stored): the caller reports
 * `NO [EXPUNGEISSUED]` instead of inventing content.
 */
export async function fetchMessage(store: MailStore, m: ViewEntry, rec: MessageRecord | null, items: readonly FetchAttribute[]): Promise<EncodedPart[] | null> {
  if (!rec && needsRecord(items)) return null;
  if (items.every((i) => SIMPLE.has(i.kind))) return [Buffer.from(simpleFetchLine(m, rec, items), 'latin1')];
  const r = rec as MessageRecord;
  let index: MessageIndex | null = null;
  try {
    if (items.some((i) => NEEDS_INDEX.has(i.kind))) index = await store.getIndex(r.blobId);
    const out: [string, ImapValue][] = [];
    const bytes = (start: number, end: number): Promise<Buffer> => (end > start ? store.readBlobRange(r.blobId, start, end) : Promise.resolve(Buffer.alloc(0)));
    for (const item of items) {
      switch (item.kind) {
        case 'UID':
          out.push(['UID', m.uid]);
          break;
        case 'FLAGS':
          out.push(['FLAGS', flagList(visibleFlags(m.flags, m.recent))]);
          break;
        case 'INTERNALDATE':
          out.push(['INTERNALDATE', imapDateTime(r.internalDate)]);
          break;
        case 'RFC822.SIZE':
          out.push(['RFC822.SIZE', r.size]);
          break;
        case 'MODSEQ':
          out.push(['MODSEQ', [r.modseq]]);
          break;
        case 'ENVELOPE':
          out.push(['ENVELOPE', messageEnvelope(index as MessageIndex)]);
          break;
        case 'BODY':
        case 'BODYSTRUCTURE':
          out.push([item.kind, messageBodyStructure(index as MessageIndex, item.kind === 'BODYSTRUCTURE')]);
          break;
        case 'RFC822':
          out.push(['RFC822', literal(await bytes(0, r.size))]);
          break;
        case 'RFC822.HEADER':
          out.push(['RFC822.HEADER', literal(await bytes(0, (index as MessageIndex).root.bodyStart))]);
          break;
        case 'RFC822.TEXT':
          out.push(['RFC822.TEXT', literal(await bytes((index as MessageIndex).root.bodyStart, r.size))]);
          break;
        case 'BODY[]': {
          const range = resolveSection(index as MessageIndex, item.section);
          if (!range) {
            out.push([fetchItemName(item), null]);
            break;
          }
          let section: Buffer;
          if (range.fields) {
            section = filterHeaderFields(await bytes(range.start, range.end), range.fields.names, range.fields.not);
            const p = applyPartial(section.length, item.partial);
            section = section.subarray(p.start, p.end);
          } else {
            const p = applyPartial(range.end - range.start, item.partial);
            section = await bytes(range.start + p.start, range.start + p.end);
          }
          out.push([fetchItemName(item), literal(section)]);
          break;
        }
      }
    }
    return fetchResponse(m.seq, out);
  } catch (err) {
    if (isMailError(err, 'notFound')) return null;
    throw err;
  }
}
