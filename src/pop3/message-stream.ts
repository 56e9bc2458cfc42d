/**
 * Streaming transforms for RETR and TOP (RFC 1939 §3, §7, §11). Pure: they
 * take message bytes in chunks of any size and return bytes to send, so a
 * 25 MiB message is never held in memory and chunk boundaries can fall
 * anywhere (between CR and LF, or just before a line's leading dot).
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');
const CRLF_END = Buffer.from('\r\n.\r\n');
const END = Buffer.from('.\r\n');

/**
 * Byte-stuffing of a multi-line response body (RFC 1939 §3): every line that
 * begins with "." gets one more. A line begins after LF (messages are stored
 * with CRLF; a bare LF still ends a line for the client, so it counts too).
 * `finish()` gives the terminator, preceded by CRLF if the message did not end
 * with a line break, so the client always sees ".\r\n" on a line of its own.
 */
export class DotStuffer {
  private atLineStart = true;

  /** Stuffed bytes for `chunk`; returns `chunk` itself when nothing needed stuffing. */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const pieces: Buffer[] = [];
    let start = 0;
    if (this.atLineStart && chunk[0] === 0x2e) pieces.push(DOT);
    let hit = chunk.indexOf(LF_DOT);
    while (hit >= 0) {
      pieces.push(chunk.subarray(start, hit + 1), DOT);
      start = hit + 1;
      hit = chunk.indexOf(LF_DOT, hit + 1);
    }
    this.atLineStart = chunk[chunk.length - 1] === LF;
    if (pieces.length === 0) return chunk;
    pieces.push(chunk.subarray(start));
    return Buffer.concat(pieces);
  }

  /** The end-of-response marker (RFC 1939 §3: CRLF "." CRLF). */
  finish(): Buffer {
    return this.atLineStart ? END : CRLF_END;
  }
}

/**
 * A whole multi-line response in one buffer: `head` (the "+OK" line), the
 * message byte-stuffed as `DotStuffer` does it, and the terminator. For
 * messages read whole (read-ahead), so they go out in a single socket write
 * with one copy: the stuffing points are found with `indexOf` and the output
 * is sized exactly before anything is copied.
 */
export function wholeResponse(head: string, message: Buffer): Buffer {
  const leading = message.length > 0 && message[0] === 0x2e ? 1 : 0;
  let extra = leading;
  for (let hit = message.indexOf(LF_DOT); hit >= 0; hit = message.indexOf(LF_DOT, hit + 1)) extra++;
  const end = message.length === 0 || message[message.length - 1] === LF ? END : CRLF_END;
  const headBytes = Buffer.byteLength(head, 'latin1');
  const out = Buffer.allocUnsafe(headBytes + message.length + extra + end.length);
  let at = out.write(head, 0, 'latin1');
  if (extra === 0) {
    at += message.copy(out, at);
  } else {
    if (leading) out[at++] = 0x2e;
    let start = 0;
    for (let hit = message.indexOf(LF_DOT); hit >= 0; hit = message.indexOf(LF_DOT, hit + 1)) {
      at += message.copy(out, at, start, hit + 1);
      out[at++] = 0x2e;
      start = hit + 1;
    }
    at += message.copy(out, at, start);
  }
  end.copy(out, at);
  return out;
}

/**
 * Cuts a message to its header, the blank line after it, and the first
 * `bodyLines` body lines, for `TOP msg n` (RFC 1939 §7). A message without a
 * blank line is all header and is sent whole; asking for more lines than the
 * body has sends the whole message. `done` turns true once the cut is reached,
 * so the caller can stop reading the blob.
 */
export class TopCutter {
  private inHeader = true;
  private linesLeft: number;
  /** Octets of the current (unfinished) line seen so far, and its first octet. */
  private lineOctets = 0;
  private lineFirst = -1;
  done = false;

  constructor(bodyLines: number) {
    this.linesLeft = bodyLines;
  }

  /** The part of `chunk` to send (empty once done). */
  push(chunk: Buffer): Buffer {
    if (this.done) return chunk.subarray(0, 0);
    let i = 0;
    while (i < chunk.length) {
      const lf = chunk.indexOf(LF, i);
      if (lf < 0) {
        if (this.lineOctets === 0) this.lineFirst = chunk[i] as number;
        this.lineOctets += chunk.length - i;
        return chunk;
      }
      const octets = this.lineOctets + (lf - i);
      const first = this.lineOctets === 0 ? (lf > i ? (chunk[i] as number) : -1) : this.lineFirst;
      const empty = octets === 0 || (octets === 1 && first === CR);
      this.lineOctets = 0;
      this.lineFirst = -1;
      i = lf + 1;
      if (this.inHeader) {
        if (!empty) continue;
        this.inHeader = false;
        if (this.linesLeft > 0) continue;
      } else if (--this.linesLeft > 0) {
        continue;
      }
      this.done = true;
      return chunk.subarray(0, i);
    }
    return chunk;
  }
}
