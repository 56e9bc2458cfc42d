/**
 * Lexical reading of one command frame (RFC 3501 §4, §9 formal syntax):
 * atoms, quoted strings, literals, numbers. The frame is complete (the
 * framer delivers whole commands), so reading is not resumable and needs no
 * backtracking beyond peeking one byte. Failures throw ParseFailure, which
 * the parser turns into a tagged BAD or NO.
 */
import type { CommandFrame } from './framer-events.js';

/** A refusal while reading a command; `status` and `code` become the response. */
export class ParseFailure extends Error {
  constructor(
    message: string,
    readonly status: 'BAD' | 'NO' = 'BAD',
    readonly code: string | null = null,
    readonly codeArgs: string[] = [],
  ) {
    super(message);
    this.name = 'ParseFailure';
  }
}

/** Throws a BAD ParseFailure; `never` so it can end expressions. */
export function bad(message: string): never {
  throw new ParseFailure(message);
}

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** atom-specials (RFC 3501 §9): ( ) { SP CTL % * " \ ] and 8-bit. */
function isAtomChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x25 && c !== 0x2a && c !== DQUOTE && c !== BACKSLASH && c !== 0x5d;
}

/** ASTRING-CHAR = ATOM-CHAR / "]". */
function isAstringChar(c: number): boolean {
  return isAtomChar(c) || c === 0x5d;
}

/** list-char = ATOM-CHAR / "%" / "*" / "]". */
function isListChar(c: number): boolean {
  return isAstringChar(c) || c === 0x25 || c === 0x2a;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly; NUL or invalid sequences are a BAD (Dovecot CVE-2019-11500 class). */
export function utf8String(bytes: Uint8Array, what: string): string {
  if (bytes.includes(0)) bad(`NUL in ${what}`);
  try {
    return utf8.decode(bytes);
  } catch {
    return bad(`Invalid UTF-8 in ${what}`);
  }
}

/** Cursor over a frame's lines and literals. */
export class CommandReader {
  private li = 0;
  private pos = 0;

  constructor(private readonly frame: CommandFrame) {}

  private get line(): Buffer {
    return this.frame.lines[this.li] as Buffer;
  }

  /** The current position, for a one-token look-ahead with reset(). */
  mark(): number {
    return this.li * 0x100000000 + this.pos;
  }

  /** Returns to a position from mark(). */
  reset(mark: number): void {
    this.li = Math.floor(mark / 0x100000000);
    this.pos = mark % 0x100000000;
  }

  /** Next byte, or -1 at the end of the current line. */
  peek(): number {
    const l = this.line;
    return this.pos < l.length ? (l[this.pos] as number) : -1;
  }

  /** True when the whole command has been read. */
  atEnd(): boolean {
    return this.li === this.frame.lines.length - 1 && this.pos >= this.line.length;
  }

  /** Requires the end of the command. */
  end(): void {
    if (!this.atEnd()) bad('Unexpected extra arguments');
  }

  /** Consumes `c` or fails. */
  expect(c: number, what: string): void {
    if (this.peek() !== c) bad(`Expected ${what}`);
    this.pos++;
  }

  /** Consumes `c` when it is next. */
  accept(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /** One space (RFC 3501 allows exactly one between arguments). */
  sp(): void {
    this.expect(0x20, 'space');
  }

  /** Consumes one space when it is next. */
  acceptSp(): boolean {
    return this.accept(0x20);
  }

  /** 1*ATOM-CHAR; with `extra` also the given bytes (e.g. `[`, `]`, `.` inside FETCH items). */
  atom(extra?: (c: number) => boolean): string {
    const l = this.line;
    const start = this.pos;
    while (this.pos < l.length) {
      const c = l[this.pos] as number;
      if (!isAtomChar(c) && !extra?.(c)) break;
      this.pos++;
    }
    if (this.pos === start) bad('Expected an atom');
    return l.toString('latin1', start, this.pos);
  }

  /** An atom compared case-insensitively: returns it upper-cased. */
  keyword(): string {
    return this.atom().toUpperCase();
  }

  /** astring = 1*ASTRING-CHAR / string; returns the bytes. */
  astring(): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === 0x7b) return this.string();
    return this.run(isAstringChar, 'Expected a string');
  }

  /** list-mailbox = 1*list-char / string (LIST patterns may carry wildcards unquoted). */
  listMailbox(): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === 0x7b) return this.string();
    return this.run(isListChar, 'Expected a mailbox pattern');
  }

  private run(ok: (c: number) => boolean, message: string): Buffer {
    const l = this.line;
    const start = this.pos;
    while (this.pos < l.length && ok(l[this.pos] as number)) this.pos++;
    if (this.pos === start) bad(message);
    return l.subarray(start, this.pos);
  }

  /** string = quoted / literal. */
  string(): Buffer {
    const c = this.peek();
    if (c === DQUOTE) return this.quoted();
    if (c === 0x7b) return this.literal();
    return bad('Expected a string');
  }

  /** nstring = string / NIL. */
  nstring(): Buffer | null {
    const c = this.peek();
    if (c === DQUOTE || c === 0x7b) return this.string();
    if (this.keyword() !== 'NIL') bad('Expected a string or NIL');
    return null;
  }

  /** quoted: `\` escapes only `"` and `\`; CR, LF and NUL are refused. 8-bit bytes pass (UTF-8 clients). */
  quoted(): Buffer {
    this.expect(DQUOTE, 'a quoted string');
    const l = this.line;
    const out: number[] = [];
    for (;;) {
      if (this.pos >= l.length) bad('Unterminated quoted string');
      const c = l[this.pos++] as number;
      if (c === DQUOTE) break;
      if (c === 0 || c === 0x0d || c === 0x0a) bad('Invalid character in quoted string');
      if (c === BACKSLASH) {
        const e = this.pos < l.length ? (l[this.pos++] as number) : -1;
        if (e !== DQUOTE && e !== BACKSLASH) bad('Invalid escape in quoted string');
        out.push(e);
      } else out.push(c);
    }
    return Buffer.from(out);
  }

  /** `{n}` or `{n+}` ending the line, then the literal's bytes; reading continues on the next line. */
  literal(): Buffer {
    const l = this.line;
    const close = l.indexOf(0x7d, this.pos);
    if (close !== l.length - 1 || this.li >= this.frame.literals.length) bad('Literal must end the line');
    const spec = l.toString('latin1', this.pos + 1, close);
    if (!/^\d+\+?$/.test(spec)) bad('Invalid literal size');
    const data = this.frame.literals[this.li] as Buffer;
    if (data.length !== parseInt(spec, 10)) bad('Literal size mismatch');
    this.li++;
    this.pos = 0;
    return data;
  }

  /** number (RFC 3501: 32-bit unsigned); `nonZero` for nz-number. */
  number(nonZero = false): number {
    const digits = this.digits();
    if (digits.length > 10) bad('Number too large');
    const n = Number(digits);
    if (n > 4294967295) bad('Number too large');
    if (nonZero && n === 0) bad('Number must not be zero');
    return n;
  }

  /** mod-sequence-value (RFC 7162: 1..2^63-1; `allowZero` for mod-sequence-valzer). */
  modseq(allowZero = false): bigint {
    const digits = this.digits();
    if (digits.length > 19) bad('Mod-sequence too large');
    const n = BigInt(digits);
    if (n > 9223372036854775807n) bad('Mod-sequence too large');
    if (n === 0n && !allowZero) bad('Mod-sequence must not be zero');
    return n;
  }

  private digits(): string {
    const l = this.line;
    const start = this.pos;
    while (this.pos < l.length && (l[this.pos] as number) >= 0x30 && (l[this.pos] as number) <= 0x39) this.pos++;
    if (this.pos === start) bad('Expected a number');
    return l.toString('latin1', start, this.pos);
  }

  /** True when the next byte is a digit. */
  atDigit(): boolean {
    const c = this.peek();
    return c >= 0x30 && c <= 0x39;
  }

  /** Raw text up to the end of the current line (SASL-IR argument, tag recovery). */
  rest(): string {
    const l = this.line;
    const s = l.toString('latin1', this.pos);
    this.pos = l.length;
    return s;
  }
}
