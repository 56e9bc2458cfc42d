/**
 * The streaming MIME indexer: fed the exact stored bytes of a message in
 * chunks while they go to disk, it produces the MessageIndex (part tree with
 * byte offsets, line counts, MIME fields, ENVELOPEs) without ever holding the
 * message. ARCHITECTURE rules 1 and 6.
 *
 * State kept between chunks is bounded: the start of the current line (enough
 * to recognise a boundary delimiter), the header bytes of the part being read
 * (within the per-message header budget), one frame per open part (at most
 * maxDepth + 1) and counters. The result does not depend on how the bytes are
 * split into chunks.
 *
 * Part numbering (RFC 3501 §6.4.5): the root part has path "" and describes the
 * whole message; its body (bodyStart..bodyEnd) is BODY[TEXT], and for a
 * non-multipart message also BODY[1]. Children of a multipart at path p are
 * p.1, p.2, ... ("1", "2" under the root). The single child of a
 * message/rfc822 part is the embedded message's root: it takes the part's
 * own path (so its children are p.1, ...), except when the message/rfc822
 * part is itself a message root, whose only part number is its body's
 * ("1" under the root, p.1 otherwise). A non-multipart embedded message at
 * path p has its body addressed as BODY[p.1].
 *
 * Every message root (the top one and each embedded one) carries its own
 * ENVELOPE; a message/rfc822 part that is a multipart child carries its
 * embedded message's ENVELOPE too. BODYSTRUCTURE encoders should take the
 * encapsulated ENVELOPE from `children[0].envelope`, which works in both cases.
 * A message/rfc822 part that is not parsed (transfer-encoded, or past a
 * nesting limit) has no children and a null envelope; a multipart without a
 * usable boundary or without any delimiter has no children.
 */
import type { MessageIndex } from './types.js';
import { MailError } from '../errors.js';
import { PartTree } from './part-tree.js';

/** Parser limits (security-cases A.2.1 / A.3, Dovecot's message-parser limits). */
export interface MimeLimits {
  /** Deepest part nesting; the root is depth 0. Deeper multiparts/messages stay opaque leaves. */
  maxDepth: number;
  /** Deepest message/rfc822 nesting; deeper embedded messages stay opaque leaves. */
  maxRfc822Depth: number;
  /** Most parts in a message (the root and embedded message roots count); the rest is opaque. */
  maxParts: number;
  /** Header bytes over all parts of the message; past it the rest is opaque body. */
  maxHeaderBytes: number;
}

/** Pi-sized defaults: nesting 100, message/rfc822 nesting 10, 10 000 parts, 1 MiB of headers. */
export const DEFAULT_MIME_LIMITS: Readonly<MimeLimits> = Object.freeze({
  maxDepth: 100,
  maxRfc822Depth: 10,
  maxParts: 10000,
  maxHeaderBytes: 1024 * 1024,
});

/**
 * An incremental indexer for one message. Not reusable: call `push` any
 * number of times, then `end` once. `push` and `end` never throw on any
 * message content (limits set `truncated` instead); calling `push` or `end`
 * after `end` is a programming error and throws MailError 'invalid'.
 */
export interface MimeIndexer {
  /** Feeds the next bytes of the message. The chunk is not retained. */
  push(chunk: Uint8Array): void;
  /** Finishes the message and returns its index. */
  end(): MessageIndex;
  /** Bytes currently buffered by the indexer (line prefix and pending header); for memory tests and monitoring. */
  retainedBytes(): number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Creates an indexer for one message; missing limits take DEFAULT_MIME_LIMITS. */
export function createMimeIndexer(limits?: Partial<MimeLimits>): MimeIndexer {
  const merged: MimeLimits = { ...DEFAULT_MIME_LIMITS };
  for (const key of Object.keys(merged) as (keyof MimeLimits)[]) {
    const v = limits?.[key];
    if (typeof v === 'number' && v >= 0) merged[key] = v; // an undefined or bad value keeps the default
  }
  const tree = new PartTree(merged);
  let ended = false;

  /** Absolute offset of the current line's first byte, and its bytes so far (without LF). */
  let lineStart = 0;
  let lineLen = 0;
  let lineLast = -1;
  /** LF count before lineStart, and facts about the previous line, for body ends and line counts. */
  let lfCount = 0;
  let prevEol = 0;
  let prevContentLen = 0;
  let lastByte = -1;

  const finishLine = (eol: 0 | 1 | 2): void => {
    const contentLen = lineLen - (eol === 2 ? 1 : 0);
    tree.onLine({ start: lineStart, len: lineLen, eol, contentLen, lfBefore: lfCount, prevEol, prevContentLen });
    if (eol > 0) lfCount++;
    prevEol = eol;
    prevContentLen = contentLen;
    lineStart += lineLen + (eol > 0 ? 1 : 0);
    lineLen = 0;
    lineLast = -1;
    tree.resetLine();
  };

  return {
    push(chunk) {
      if (ended) throw new MailError('invalid', 'MIME indexer: push after end');
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(LF, pos);
        const contentEnd = nl === -1 ? chunk.length : nl;
        const segEnd = nl === -1 ? chunk.length : nl + 1;
        tree.addSegment(chunk, pos, contentEnd, segEnd, lineStart, lfCount);
        if (contentEnd > pos) {
          lineLen += contentEnd - pos;
          lineLast = chunk[contentEnd - 1] as number;
        }
        if (nl !== -1) finishLine(lineLast === CR ? 2 : 1);
        pos = segEnd;
      }
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number;
    },

    end() {
      if (ended) throw new MailError('invalid', 'MIME indexer: end called twice');
      ended = true;
      if (lineLen > 0) finishLine(0);
      const size = lineStart;
      const root = tree.finish(size, lfCount, lastByte === LF || size === 0);
      return { size, root, truncated: tree.truncated };
    },

    retainedBytes() {
      return tree.retainedBytes();
    },
  };
}

/** Indexes a message held whole in memory (APPEND, tests). Never throws on content. */
export function indexMessage(raw: Uint8Array, limits?: Partial<MimeLimits>): MessageIndex {
  const indexer = createMimeIndexer(limits);
  indexer.push(raw);
  return indexer.end();
}
