/**
 * Small response-formatting helpers the session needs for status lines and
 * simple untagged data (RFC 3501 §7, §9 formal syntax). Structured data
 * (ENVELOPE, BODYSTRUCTURE, body sections) comes from the codec's encoder.
 */
import { encodeMailboxName } from './protocol/mailbox-name.js';

/**
 * An IMAP string: quoted when it is short printable ASCII without `"`/`\`
 * trouble, otherwise a literal (`{n}\r\n` + UTF-8 bytes). Returns a string;
 * callers write it as UTF-8 so the literal's byte count holds.
 */
export function imapString(s: string): string {
  if (s.length < 1024 && /^[\x20-\x7e]*$/.test(s)) return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`;
}

/** nstring: NIL or a string. */
export function nstring(s: string | null | undefined): string {
  return s === null || s === undefined ? 'NIL' : imapString(s);
}

/** A mailbox name on the wire: modified UTF-7 (RFC 3501 §5.1.3), quoted. */
export function mailboxString(name: string): string {
  return imapString(encodeMailboxName(name));
}

/** A parenthesised flag list. */
export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** Response text for clients: one line, no CR/LF, bounded (never echoes raw client bytes). */
export function safeText(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 197)}...` : clean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3501 date-time text `dd-Mon-yyyy hh:mm:ss +0000` in UTC (without the quotes). */
export function imapDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${day}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** A status response: `tag|* STATUS [CODE] text`. */
export function statusLine(tag: string, status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH', text: string, code?: string | null): string {
  return `${tag} ${status} ${code ? `[${code}] ` : ''}${safeText(text)}\r\n`;
}
