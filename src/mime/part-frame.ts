/**
 * The records the part tree (part-tree.ts) works with: the facts the indexer
 * gives it about each line, and one frame per part still open, from the
 * message root down to the part whose bytes are arriving now.
 */
import type { MimePart } from './types.js';

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

/**
 * A part whose header has not been read yet, with the defaults of a part
 * without MIME fields (RFC 2045 §5.2: text/plain; charset=us-ascii, 7bit)
 * and an empty body at `headerStart`.
 */
export function newPart(path: string, headerStart: number): MimePart {
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

/** The frame of a part about to have its header read. */
export function newFrame(part: MimePart, depth: number, rfc822Depth: number, isMessageRoot: boolean, digestChild: boolean): Frame {
  return { part, state: 'header', depth, rfc822Depth, isMessageRoot, digestChild, digest: false, boundaryKey: null, lfAtBodyStart: 0 };
}
