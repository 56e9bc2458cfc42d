/**
 * The line the IMAP command framer (framer.ts) is reading: a buffer that
 * grows only as far as the command budget allows, the tag at its start
 * (RFC 3501 §2.2.1) and the literal announcement at its end (`{n}` RFC 3501
 * §4.3, `{n+}` RFC 7888). The framer checks the budget before appending, so
 * a client cannot make this buffer larger than its command limit.
 */

const CR = 0x0d;

/** A literal announced at the end of a line. */
export interface LiteralHeader {
  /** Announced size; sizes past 32 bits are Infinity, so every limit refuses them. */
  size: number;
  /** `{n}` (the client waits for `+`) rather than `{n+}`. */
  sync: boolean;
  /** Length of the announcement `{n}` / `{n+}` itself. */
  textLength: number;
}

/** RFC 3501 tag: 1*<any ASTRING-CHAR except "+">. */
export function isTag(s: string): boolean {
  return /^[\x21\x23\x24\x26\x27\x2c-\x5b\x5d-\x7a\x7c\x7e]+$/.test(s);
}

/** `{123}` or `{123+}` at the end of a line; sizes past 32 bits are reported as Infinity. */
function parseLiteralHeader(buf: Buffer, len: number): LiteralHeader | null {
  if (len < 3 || buf[len - 1] !== 0x7d) return null;
  let i = len - 2;
  const sync = buf[i] !== 0x2b;
  if (!sync) i--;
  const digitsEnd = i + 1;
  while (i >= 0 && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) i--;
  if (i < 0 || buf[i] !== 0x7b || i + 1 === digitsEnd) return null;
  const digits = buf.subarray(i + 1, digitsEnd).toString('latin1');
  const value = digits.length > 10 ? Infinity : Number(digits);
  return { size: value > 4294967295 ? Infinity : value, sync, textLength: len - i };
}

/**
 * The bytes of one line without its LF, reused from line to line. Starts
 * small; a long line's memory is given back when the line is taken.
 */
export class LineBuffer {
  private buf: Buffer = Buffer.allocUnsafe(256);
  /** Bytes held (the line so far; without its CR once `dropTrailingCR` ran). */
  length = 0;

  /** Appends bytes, growing the buffer at most to `budget` unless more is needed. */
  append(bytes: Uint8Array, budget: number): void {
    const need = this.length + bytes.length;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(need, this.buf.length * 2), Math.max(need, budget)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.buf.set(bytes, this.length);
    this.length = need;
  }

  /** Drops the CR before the LF that ended the line (a bare LF is accepted too). */
  dropTrailingCR(): void {
    if (this.length > 0 && this.buf[this.length - 1] === CR) this.length--;
  }

  /** The literal announced at the end of the line, if any. */
  literalHeader(): LiteralHeader | null {
    return parseLiteralHeader(this.buf, this.length);
  }

  /** The first 200 bytes as text: enough for a tag and a command name. */
  head(): string {
    return this.buf.subarray(0, Math.min(this.length, 200)).toString('latin1');
  }

  /** Copies the line out and empties the buffer. */
  take(): Buffer {
    const line = Buffer.from(this.buf.subarray(0, this.length));
    this.length = 0;
    if (this.buf.length > 4096) this.buf = Buffer.allocUnsafe(256); // give back a long line's memory
    return line;
  }

  /** Forgets the line, keeping the buffer. */
  clear(): void {
    this.length = 0;
  }

  /** Frees the buffer for good (the connection is closing). */
  release(): void {
    this.buf = Buffer.alloc(0);
    this.length = 0;
  }
}
