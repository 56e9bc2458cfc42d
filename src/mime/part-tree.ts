/**
 * The part tree behind the streaming indexer: a stack of open parts fed one
 * line at a time. The indexer (mime-indexer.ts) splits bytes into lines; this
 * file decides what each line means — a header line, the blank line ending a
 * header, a boundary delimiter (RFC 2046 §5.1.1), or body — and fills in the
 * MimePart offsets, line counts and header-derived fields. Recognising
 * delimiter lines is boundary-delimiters.ts's job; the frame and line records
 * are in part-frame.ts.
 */
import type { MimePart } from './types.js';
import type { MimeLimits } from './mime-indexer.js';
import { firstHeaderValues } from './header-fields.js';
import { describePartHeaders, MIME_FIELD_NAMES } from './part-headers.js';
import { buildEnvelope, ENVELOPE_FIELD_NAMES } from './envelope.js';
import { newFrame, newPart, type Frame, type LineInfo } from './part-frame.js';
import { BoundaryDelimiters, boundaryKey } from './boundary-delimiters.js';

/** Encodings under which an embedded message's bytes are the message itself (RFC 2046 §5.2.1). */
const IDENTITY = new Set(['7BIT', '8BIT', 'BINARY']);
const MIME_NAMES = new Set(MIME_FIELD_NAMES);
const ROOT_NAMES = new Set([...MIME_FIELD_NAMES, ...ENVELOPE_FIELD_NAMES]);

/** Internal to the indexer; see createMimeIndexer for the contract. */
export class PartTree {
  truncated = false;
  /** A limit was hit: everything from here on is body of the current part. */
  private opaque = false;
  private readonly frames: Frame[] = [];
  private readonly root: MimePart;
  private parts = 1;
  private readonly delimiters = new BoundaryDelimiters();
  private headerChunks: Buffer[] = [];
  private headerLen = 0;
  private headerLineStartLen = 0;
  private headerUsed = 0;

  constructor(private readonly limits: MimeLimits) {
    this.root = newPart('', 0);
    this.frames.push(newFrame(this.root, 0, 0, true, false));
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  retainedBytes(): number {
    return this.delimiters.retainedBytes() + this.headerLen;
  }

  /**
   * Bytes of the current line: [from, contentEnd) is content, [contentEnd, segEnd)
   * the LF if the line ends in this segment. The delimiter matcher sees the
   * content; a part's header keeps its bytes, within the header budget.
   */
  addSegment(chunk: Uint8Array, from: number, contentEnd: number, segEnd: number, lineStart: number, lfBefore: number): void {
    this.delimiters.scan(chunk, from, contentEnd);
    const top = this.top();
    if (top.state !== 'header' || this.opaque || segEnd === from) return;
    const n = segEnd - from;
    if (this.headerUsed + this.headerLen + n > this.limits.maxHeaderBytes) {
      // Header budget spent: keep the complete lines, the rest is opaque body.
      this.truncated = true;
      this.opaque = true;
      this.finishHeader(top, lineStart, lfBefore, this.headerLineStartLen);
      return;
    }
    this.headerChunks.push(Buffer.from(chunk.subarray(from, segEnd)));
    this.headerLen += n;
  }

  /** Called after the last byte of a line (its LF, or the end of the message). */
  onLine(line: LineInfo): void {
    if (!this.opaque) {
      const hit = this.delimiters.match();
      if (hit) {
        this.delimiter(hit.index, hit.closing, line);
        return;
      }
    }
    const top = this.top();
    if (top.state === 'header' && line.contentLen === 0 && line.eol > 0) {
      this.finishHeader(top, line.start + line.len + 1, line.lfBefore + 1, this.headerLen);
    }
  }

  /** Prepares for the next line. */
  resetLine(): void {
    this.delimiters.resetLine();
    this.headerLineStartLen = this.headerLen;
  }

  private delimiter(index: number, closing: boolean, line: LineInfo): void {
    // The line break before the delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    let end = line.start - line.prevEol;
    let lfBeforeEnd = line.lfBefore - 1;
    let endsWithLf = line.prevContentLen === 0;
    while (this.frames.length - 1 > index) {
      const top = this.top();
      if (top.state === 'header') {
        this.finishHeader(top, Math.max(top.part.headerStart, end), line.lfBefore, this.headerLineStartLen);
        continue;
      }
      if (top.part.bodyStart > end) {
        // A header ended by a blank line right before the delimiter: that line
        // break ended the header, so this part and its ancestors end after it
        // (keeps every child inside its parent).
        end = line.start;
        lfBeforeEnd = line.lfBefore;
        endsWithLf = true;
      }
      this.closeFrame(top, end, lfBeforeEnd, endsWithLf);
    }
    const mp = this.frames[index] as Frame;
    if (closing) {
      this.deactivate(mp, index);
      mp.state = 'epilogue';
      return;
    }
    if (this.parts >= this.limits.maxParts) {
      this.truncated = true;
      this.opaque = true;
      return;
    }
    this.parts++;
    const n = mp.part.children.length + 1;
    const child = newPart(mp.part.path === '' ? String(n) : `${mp.part.path}.${n}`, line.start + line.len + (line.eol > 0 ? 1 : 0));
    mp.part.children.push(child);
    mp.state = 'parts';
    this.frames.push(newFrame(child, mp.depth + 1, mp.rfc822Depth, false, mp.digest));
  }

  private deactivate(f: Frame, index: number): void {
    // A closed multipart (epilogue) already gave its boundary up.
    if (f.boundaryKey !== null && f.state !== 'epilogue') this.delimiters.deactivate(f.boundaryKey, index);
  }

  /** Ends the top frame's header at `bodyStart`, using the first `keepLen` pending header bytes. */
  private finishHeader(f: Frame, bodyStart: number, lfAtBodyStart: number, keepLen: number): void {
    const block = Buffer.concat(this.headerChunks).subarray(0, keepLen);
    this.headerUsed += this.headerLen;
    this.headerChunks = [];
    this.headerLen = 0;
    this.headerLineStartLen = 0;
    const fields = firstHeaderValues(block, f.isMessageRoot ? ROOT_NAMES : MIME_NAMES);
    const part = f.part;
    Object.assign(part, describePartHeaders(fields, f.digestChild ? 'message/rfc822' : 'text/plain'));
    part.bodyStart = bodyStart;
    f.lfAtBodyStart = lfAtBodyStart;
    f.state = 'leaf';
    if (f.isMessageRoot) {
      part.envelope = buildEnvelope(fields);
      const parent = this.frames[this.frames.length - 2];
      if (parent && !parent.isMessageRoot) parent.part.envelope = part.envelope;
    }
    if (this.opaque) return;
    if (part.type === 'multipart') this.openMultipart(f);
    else if (part.type === 'message' && part.subtype === 'rfc822' && IDENTITY.has(part.encoding)) this.openMessage(f);
  }

  private openMultipart(f: Frame): void {
    const key = boundaryKey(f.part.params['boundary']);
    if (key === null) return; // no usable boundary: an opaque leaf
    if (f.depth + 1 > this.limits.maxDepth) {
      this.truncated = true;
      return;
    }
    f.state = 'preamble';
    f.digest = f.part.subtype === 'digest';
    f.boundaryKey = key;
    this.delimiters.activate(key, this.frames.length - 1);
  }

  private openMessage(f: Frame): void {
    if (f.depth + 1 > this.limits.maxDepth || f.rfc822Depth + 1 > this.limits.maxRfc822Depth) {
      this.truncated = true;
      return;
    }
    if (this.parts >= this.limits.maxParts) {
      this.truncated = true;
      this.opaque = true;
      return;
    }
    this.parts++;
    const p = f.part.path;
    const path = f.isMessageRoot ? (p === '' ? '1' : `${p}.1`) : p;
    const child = newPart(path, f.part.bodyStart);
    f.part.children.push(child);
    f.state = 'message';
    this.frames.push(newFrame(child, f.depth + 1, f.rfc822Depth + 1, true, false));
  }

  /** Closes the top frame with its body ending at `end` (clamped to its start). */
  private closeFrame(f: Frame, end: number, lfBeforeEnd: number, endsWithLf: boolean): void {
    const part = f.part;
    part.bodyEnd = Math.max(part.bodyStart, end);
    part.bodyLines = part.bodyEnd > part.bodyStart ? lfBeforeEnd - f.lfAtBodyStart + (endsWithLf ? 0 : 1) : 0;
    this.deactivate(f, this.frames.length - 1);
    this.frames.pop();
  }

  /** Closes every open part at the end of the message and returns the root. */
  finish(size: number, lfTotal: number, endsWithLf: boolean): MimePart {
    while (this.frames.length > 0) {
      const top = this.top();
      if (top.state === 'header') {
        this.finishHeader(top, size, lfTotal, this.headerLen);
        continue;
      }
      this.closeFrame(top, size, lfTotal, endsWithLf);
    }
    return this.root;
  }
}
