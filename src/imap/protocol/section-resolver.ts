/**
 * BODY[section]<partial> → byte ranges of the stored raw message (RFC 3501
 * §6.4.5). Pure: given the MIME index it says which bytes to slice; the
 * session reads them from the blob. HEADER.FIELDS(.NOT) additionally needs
 * the header bytes filtered, which `filterHeaderFields` does.
 *
 * Part numbers follow the MIME indexer (src/mime/mime-indexer.ts TSDoc): a
 * message's parts are its multipart children, or "1" for the body of a
 * non-multipart message; a message/rfc822 part's numbers continue inside
 * the embedded message (p.HEADER, p.TEXT, p.1 ...).
 */
import type { MessageIndex, MimePart } from '../../mime/types.js';
import type { FetchPartial, FetchSection } from './types.js';

/** What to send for a section: bytes [start, end) of the raw message, filtered when `fields` is set. */
export interface SectionRange {
  start: number;
  end: number;
  /** For HEADER.FIELDS / HEADER.FIELDS.NOT: filter the [start, end) header with filterHeaderFields. */
  fields: { names: string[]; not: boolean } | null;
}

function isMessagePart(p: MimePart): boolean {
  return p.type === 'message' && p.subtype === 'rfc822' && p.children.length > 0;
}

/**
 * Resolves a section. Returns null when the part does not exist (the server
 * answers with an empty string or NIL, as it prefers; Dovecot sends NIL).
 * HEADER/TEXT of a part that is not a message/rfc822 return that part's
 * own MIME header / body, as Dovecot does. Never throws; cost is linear in
 * the length of the part number.
 */
export function resolveSection(index: MessageIndex, section: FetchSection): SectionRange | null {
  let cur = index.root;
  let atMessageRoot = true;
  for (const n of section.part) {
    if (!atMessageRoot && isMessagePart(cur)) {
      cur = cur.children[0] as MimePart;
      atMessageRoot = true;
    }
    if (cur.type === 'multipart') {
      const child = cur.children[n - 1];
      if (!child) return null;
      cur = child;
    } else if (!atMessageRoot || n !== 1) {
      return null;
    }
    atMessageRoot = false;
  }
  const spec = section.specifier;
  if (spec === null) {
    return section.part.length === 0 ? { start: 0, end: index.size, fields: null } : { start: cur.bodyStart, end: cur.bodyEnd, fields: null };
  }
  if (spec === 'MIME') return { start: cur.headerStart, end: cur.bodyStart, fields: null };
  const message = section.part.length > 0 && isMessagePart(cur) ? (cur.children[0] as MimePart) : cur;
  if (spec === 'TEXT') return { start: message.bodyStart, end: message.bodyEnd, fields: null };
  const fields = spec === 'HEADER' ? null : { names: section.fields, not: spec === 'HEADER.FIELDS.NOT' };
  return { start: message.headerStart, end: message.bodyStart, fields };
}

/**
 * Keeps (or, with `not`, drops) the header fields whose names are in
 * `names` (case-insensitive), continuation lines included, in message
 * order, followed by the blank line RFC 3501 says the result includes.
 * Tolerates bare LF line ends. Linear in the header size.
 */
export function filterHeaderFields(header: Uint8Array, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const out: Buffer[] = [];
  const buf = Buffer.from(header.buffer, header.byteOffset, header.length);
  let keep = false;
  let pos = 0;
  while (pos < buf.length) {
    const lf = buf.indexOf(0x0a, pos);
    const end = lf < 0 ? buf.length : lf + 1;
    const line = buf.subarray(pos, end);
    pos = end;
    const first = line[0];
    if (first === 0x0d || first === 0x0a) break; // the blank line ending the header
    if (first !== 0x20 && first !== 0x09) {
      const colon = line.indexOf(0x3a);
      const name = colon < 0 ? '' : line.toString('latin1', 0, colon).trim().toLowerCase();
      keep = colon >= 0 && wanted.has(name) !== not;
    }
    if (keep) out.push(line);
  }
  const last = out[out.length - 1];
  if (last && last[last.length - 1] !== 0x0a) out.push(Buffer.from('\r\n'));
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/**
 * Applies `<offset.length>` to a section of `size` bytes: the [start, end)
 * within the section, empty when offset is past the end (RFC 3501 §6.4.5).
 */
export function applyPartial(size: number, partial: FetchPartial | null): { start: number; end: number } {
  if (!partial) return { start: 0, end: size };
  const start = Math.min(partial.offset, size);
  return { start, end: Math.min(size, start + partial.length) };
}
