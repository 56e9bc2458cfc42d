/**
 * POP3 wire codec (RFC 1939, RFC 2449, RFC 5034): line framing, command
 * parsing and response encoding. Pure: no sockets, store, log or config, so
 * it is tested by feeding bytes in chunks of every size.
 */

const LF = 0x0a;
const CR = 0x0d;

/** One framed client line (CRLF or a lone LF removed), or the notice that an over-long line was dropped. */
export type FramedLine = { kind: 'line'; bytes: Buffer; octets: number } | { kind: 'overflow' };

/**
 * Splits the client's byte stream into lines (RFC 1939 §3: commands end with
 * CRLF; a bare LF is accepted too, as Dovecot does). A line longer than
 * `maxLength` octets (terminator included) is never held whole: its bytes are
 * dropped as they arrive and one `overflow` is reported once its end is seen,
 * so memory per connection stays bounded whatever the client sends.
 * Pipelined lines (RFC 2449 PIPELINING) queue up; the caller pulls them one
 * at a time with `next()` and can drop the rest with `clear()` (STLS).
 */
export class LineFramer {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Where to resume the LF search, so a slowly arriving line is not rescanned. */
  private scanFrom = 0;
  private discarding = false;
  private overflows = 0;

  constructor(private readonly maxLength: number) {}

  /** Adds received bytes. Never throws. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.discarding) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) return;
      this.discarding = false;
      this.overflows++;
      chunk = chunk.subarray(lf + 1);
    }
    const rest = this.buf.length - this.pos;
    this.buf = rest === 0 ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.scanFrom -= this.pos;
    if (this.scanFrom < 0) this.scanFrom = 0;
    this.pos = 0;
  }

  /** The next complete line, an overflow notice, or null when more bytes are needed. */
  next(): FramedLine | null {
    // The dropped line came before anything still buffered.
    if (this.overflows > 0) {
      this.overflows--;
      return { kind: 'overflow' };
    }
    const lf = this.buf.indexOf(LF, Math.max(this.pos, this.scanFrom));
    if (lf < 0) {
      this.scanFrom = this.buf.length;
      if (this.buf.length - this.pos > this.maxLength) {
        // Drop what we hold and keep dropping until the line ends.
        this.buf = Buffer.alloc(0);
        this.pos = 0;
        this.scanFrom = 0;
        this.discarding = true;
      }
      return null;
    }
    const octets = lf + 1 - this.pos;
    const end = lf > this.pos && this.buf[lf - 1] === CR ? lf - 1 : lf;
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = lf + 1;
    this.scanFrom = this.pos;
    if (octets > this.maxLength) return { kind: 'overflow' };
    return { kind: 'line', bytes, octets };
  }

  /** Bytes received but not yet returned as lines. */
  get pendingBytes(): number {
    return this.buf.length - this.pos;
  }

  /** Forgets everything buffered (RFC 2595 §4 / RFC 3207 §4.2: nothing pipelined before TLS survives it). */
  clear(): void {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.scanFrom = 0;
    this.discarding = false;
    this.overflows = 0;
  }
}

/** A parsed POP3 command. Message numbers are 1-based as sent; range checks are the session's job. */
export type Pop3Command =
  | { name: 'USER'; user: string }
  | { name: 'PASS'; password: string }
  | { name: 'AUTH'; mechanism: string; initialResponse: string | null }
  | { name: 'APOP' }
  | { name: 'STLS' | 'CAPA' | 'QUIT' | 'STAT' | 'NOOP' | 'RSET' }
  | { name: 'LIST' | 'UIDL'; msg: number | null }
  | { name: 'RETR' | 'DELE'; msg: number }
  | { name: 'TOP'; msg: number; lines: number };

/** Why a line is not a command: an unknown keyword, or bad arguments to a known one. */
export type Pop3ParseError = { name: 'ERROR'; kind: 'unknown' | 'syntax'; message: string };

/** Keywords whose lines may carry credentials and so get the larger line budget. */
export const CREDENTIAL_KEYWORDS: ReadonlySet<string> = new Set(['PASS', 'AUTH']);

/**
 * Numbers are plain decimal (RFC 1939 §3). More than 9 digits is refused
 * rather than clamped, so `RETR 99999999999999999999` can never wrap around
 * to an existing message, and `TOP 1 99999999999` is an error (T56).
 */
const NUMBER = /^[0-9]{1,9}$/;

/** The keyword of a line (upper-cased), or '' when it has none; for choosing the line budget and for logs. */
export function keywordOf(line: string): string {
  const m = /^\s*([A-Za-z]{1,8})(?:\s|$)/.exec(line);
  return m ? (m[1] as string).toUpperCase() : '';
}

/** Parses one command line (RFC 1939 §3: keyword, arguments separated by single spaces; we accept runs of spaces). Never throws. */
export function parseCommand(line: string): Pop3Command | Pop3ParseError {
  const m = /^([A-Za-z]{1,40})(?: +(.*))?$/.exec(line);
  if (!m) return { name: 'ERROR', kind: 'unknown', message: 'Unknown command' };
  const keyword = (m[1] as string).toUpperCase();
  const rest = m[2] ?? '';
  const args = rest === '' ? [] : rest.trim().split(/ +/);
  const syntax = (message: string): Pop3ParseError => ({ name: 'ERROR', kind: 'syntax', message });
  const num = (s: string | undefined): number | null => (s !== undefined && NUMBER.test(s) ? Number(s) : null);

  switch (keyword) {
    case 'STLS': case 'CAPA': case 'QUIT': case 'STAT': case 'NOOP': case 'RSET':
      return args.length === 0 ? { name: keyword } : syntax(`${keyword} takes no arguments`);
    case 'USER':
      return args.length === 1 ? { name: 'USER', user: args[0] as string } : syntax('USER takes one name');
    case 'PASS':
      // RFC 1939 §7: the argument is everything after the space; passwords may contain spaces.
      return rest.length > 0 ? { name: 'PASS', password: rest } : syntax('PASS needs a password');
    case 'AUTH':
      if (args.length < 1 || args.length > 2) return syntax('AUTH mechanism [initial-response]');
      return { name: 'AUTH', mechanism: (args[0] as string).toUpperCase(), initialResponse: args[1] ?? null };
    case 'APOP':
      return { name: 'APOP' };
    case 'LIST': case 'UIDL': {
      if (args.length === 0) return { name: keyword, msg: null };
      const msg = num(args[0]);
      return args.length === 1 && msg !== null ? { name: keyword, msg } : syntax('Invalid message number');
    }
    case 'RETR': case 'DELE': {
      const msg = num(args[0]);
      return args.length === 1 && msg !== null ? { name: keyword, msg } : syntax('Invalid message number');
    }
    case 'TOP': {
      const msg = num(args[0]);
      const lines = num(args[1]);
      return args.length === 2 && msg !== null && lines !== null ? { name: 'TOP', msg, lines } : syntax('TOP msg lines');
    }
    default:
      return { name: 'ERROR', kind: 'unknown', message: 'Unknown command' };
  }
}

/** RFC 2449 §8 / RFC 3206 extended response codes we send. */
export type Pop3RespCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

/** Single-line positive response (RFC 1939 §3). */
export function ok(text: string): string {
  return text === '' ? '+OK\r\n' : `+OK ${safeText(text)}\r\n`;
}

/** Single-line negative response, optionally with an RFC 2449 response code in brackets. */
export function err(text: string, code?: Pop3RespCode): string {
  return code ? `-ERR [${code}] ${safeText(text)}\r\n` : `-ERR ${safeText(text)}\r\n`;
}

/**
 * Multi-line response (RFC 1939 §3): the +OK line, each line byte-stuffed
 * (a leading "." doubled), and the terminating ".". For short listings
 * (CAPA, LIST, UIDL); messages go through `DotStuffer`.
 */
export function multiline(first: string, lines: readonly string[]): string {
  let out = ok(first);
  for (const l of lines) out += (l.startsWith('.') ? '.' : '') + l + '\r\n';
  return out + '.\r\n';
}

/** The SASL "+ " continuation with a base64 challenge (RFC 5034 §4); empty challenge is "+ ". */
export function continuation(challengeBase64 = ''): string {
  return `+ ${challengeBase64}\r\n`;
}

/**
 * Text safe to put in a response: printable ASCII only, at most 100
 * characters. Anything a client sent that we echo goes through here, so a
 * reply never carries raw CR, LF, NUL or escape bytes (T56).
 */
export function safeText(text: string): string {
  const cleaned = text.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 100 ? `${cleaned.slice(0, 97)}...` : cleaned;
}
