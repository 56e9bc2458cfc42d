/**
 * The part tree behind the streaming indexer: a stack of open parts fed one
 * line at a time. The indexer (mime-indexer.ts) splits bytes into lines; this
 * file decides what each line means — a header line, the blank line ending a
 * header, a boundary delimiter (RFC 2046 §5.1.1), or body — and fills in the
 * MimePart offsets, line counts and header-derived fields.
 */
import type { MimePart } from './types.js';
import type { MimeLimits } from './mime-indexer.js';
import { firstHeaderValues } from './header-fields.js';
import { describePartHeaders, MIME_FIELD_NAMES } from './part-headers.js';
import { buildEnvelope, ENVELOPE_FIELD_NAMES } from './envelope.js';

/** RFC 2046 §5.1.1 allows 70; we accept longer ones from sloppy generators, up to this many bytes. */
const MAX_BOUNDARY = 200;
/** "--" + boundary + "--": every byte that can matter for recognising a delimiter line. */
const PREFIX_CAP = MAX_BOUNDARY + 4;
/** Encodings under which an embedded message's bytes are the message itself (RFC 2046 §5.2.1). */
const IDENTITY = new Set(['7BIT', '8BIT', 'BINARY']);
const MIME_NAMES = new Set(MIME_FIELD_NAMES);
const ROOT_NAMES = new Set([...MIME_FIELD_NAMES, ...ENVELOPE_FIELD_NAMES]);

/** Facts about one complete line, computed by the indexer. */
export interface LineInfo {
  /** Absolute offset of the line's first byte. */
  start: number;
  /** Bytes before the LF (a CR before the LF included). */
  len: number;
  /** Line-ending length: 2 for CRLF, 1 for bare LF, 0 for a last line without one. */
  eol: 0 | 1 | 2;
  /** Bytes of content (len without the CR of a CRLF). */
  contentLen: number;
  /** LFs before `start`. */
  lfBefore: number;
  /** The previous line's eol and content length (its line break belongs to a delimiter on this line). */
  prevEol: number;
  prevContentLen: number;
}

/** One open part. */
export interface Frame {
  part: MimePart;
  /** header: reading its header; leaf: body; message: embedded message open above; multipart states otherwise. */
  state: 'header' | 'leaf' | 'message' | 'preamble' | 'parts' | 'epilogue';
  depth: number;
  rfc822Depth: number;
  /** The top message or an embedded one (it has an ENVELOPE). */
  isMessageRoot: boolean;
  /** A child of multipart/digest: default type message/rfc822. */
  digestChild: boolean;
  /** This multipart is multipart/digest. */
  digest: boolean;
  /** The multipart's boundary (latin1 view of its bytes) while it is active. */
  boundaryKey: string | null;
  lfAtBodyStart: number;
}

function newPart(path: string, headerStart: number): MimePart {
  return {
    path,
    type: 'text',
    subtype: 'plain',
    params: { charset: 'us-ascii' },
    id: null,
    description: null,
    encoding: '7BIT',
    md5: null,
    disposition: null,
    language: null,
    location: null,
    headerStart,
    bodyStart: headerStart,
    bodyEnd: headerStart,
    bodyLines: 0,
    children: [],
    envelope: null,
  };
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

/** Internal to the indexer; see createMimeIndexer for the contract. */
export class PartTree {
  truncated = false;
  /** A limit was hit: everything from here on is body of the current part. */
  private opaque = false;
  private readonly frames: Frame[] = [];
  private readonly root: MimePart;
  private parts = 1;
  /** Active boundaries -> indices of the frames using them (innermost last). */
  private readonly boundaries = new Map<string, number[]>();
  private headerChunks: Buffer[] = [];
  private headerLen = 0;
  private headerLineStartLen = 0;
  private headerUsed = 0;
  private readonly prefix = Buffer.alloc(PREFIX_CAP);
  private prefixLen = 0;
  private tailBlank = true;

  constructor(private readonly limits: MimeLimits) {
    this.root = newPart('', 0);
    this.frames.push(this.frame(this.root, 0, 0, true, false));
  }

  private frame(part: MimePart, depth: number, rfc822Depth: number, isMessageRoot: boolean, digestChild: boolean): Frame {
    return { part, state: 'header', depth, rfc822Depth, isMessageRoot, digestChild, digest: false, boundaryKey: null, lfAtBodyStart: 0 };
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  retainedBytes(): number {
    return this.prefix.length + this.headerLen;
  }

  /**
   * Bytes of the current line: [from, contentEnd) is content, [contentEnd, segEnd)
   * the LF if the line ends in this segment. Only the line's first PREFIX_CAP
   * bytes are kept; the rest only matters for "is it all blanks".
   */
  addSegment(chunk: Uint8Array, from: number, contentEnd: number, segEnd: number, lineStart: number, lfBefore: number): void {
    let i = from;
    if (this.prefixLen < PREFIX_CAP && i < contentEnd) {
      const k = Math.min(PREFIX_CAP - this.prefixLen, contentEnd - i);
      this.prefix.set(chunk.subarray(i, i + k), this.prefixLen);
      this.prefixLen += k;
      i += k;
    }
    if (this.tailBlank) {
      for (; i < contentEnd; i++) {
        if (!isBlank(chunk[i])) {
          this.tailBlank = false;
          break;
        }
      }
    }
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
    if (!this.opaque && this.boundaries.size > 0 && this.prefixLen >= 2 && this.prefix[0] === 0x2d && this.prefix[1] === 0x2d) {
      const hit = this.matchDelimiter();
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
    this.prefixLen = 0;
    this.tailBlank = true;
    this.headerLineStartLen = this.headerLen;
  }

  /**
   * RFC 2046 §5.1.1: "--" boundary ["--"] then only transport padding. The
   * innermost matching boundary wins; a line matching an outer boundary also
   * closes the inner multiparts (§5.1.2).
   */
  private matchDelimiter(): { index: number; closing: boolean } | null {
    if (!this.tailBlank) return null;
    let end = this.prefixLen;
    while (end > 2 && isBlank(this.prefix[end - 1])) end--;
    const s = this.prefix.toString('latin1', 2, end);
    const open = this.boundaries.get(s)?.at(-1) ?? -1;
    const close = s.endsWith('--') ? (this.boundaries.get(s.slice(0, -2))?.at(-1) ?? -1) : -1;
    if (open === -1 && close === -1) return null;
    return close > open ? { index: close, closing: true } : { index: open, closing: false };
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
    this.frames.push(this.frame(child, mp.depth + 1, mp.rfc822Depth, false, mp.digest));
  }

  private deactivate(f: Frame, index: number): void {
    if (f.boundaryKey === null || f.state === 'epilogue') return;
    const list = this.boundaries.get(f.boundaryKey);
    if (!list) return;
    const at = list.lastIndexOf(index);
    if (at !== -1) list.splice(at, 1);
    if (list.length === 0) this.boundaries.delete(f.boundaryKey);
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
    const boundary = (f.part.params['boundary'] ?? '').replace(/[ \t]+$/, '');
    const key = Buffer.from(boundary, 'utf8').toString('latin1');
    if (key === '' || key.length > MAX_BOUNDARY) return; // no usable boundary: an opaque leaf
    if (f.depth + 1 > this.limits.maxDepth) {
      this.truncated = true;
      return;
    }
    f.state = 'preamble';
    f.digest = f.part.subtype === 'digest';
    f.boundaryKey = key;
    const list = this.boundaries.get(key) ?? [];
    list.push(this.frames.length - 1);
    this.boundaries.set(key, list);
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
    this.frames.push(this.frame(child, f.depth + 1, f.rfc822Depth + 1, true, false));
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
