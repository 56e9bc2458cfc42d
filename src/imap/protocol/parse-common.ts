/**
 * Argument grammar shared by several commands (RFC 3501 §9): sequence sets,
 * flags, dates, mailbox names, parenthesised lists.
 */
import { MailError } from '../../errors.js';
import { CommandReader, ParseFailure, bad } from './command-reader.js';
import { decodeMailboxArgument } from './mailbox-name.js';
import type { SeqNumber, SeqRange, SequenceSet } from './types.js';

/** Limits the parser applies on top of the framer's byte limits. */
export interface ParserOptions {
  /** Parenthesis nesting (Dovecot: 1 before login, 100 after). */
  maxListDepth: number;
  /** SEARCH key nesting: parentheses, NOT and OR each count one level. */
  maxSearchDepth: number;
  /** Components of a FETCH section part number (BODY[1.2.3...]). */
  maxSectionDepth: number;
}

/** Post-login defaults; `PRE_AUTH_PARSER_OPTIONS` before login. */
export const DEFAULT_PARSER_OPTIONS: Readonly<ParserOptions> = Object.freeze({
  maxListDepth: 100,
  maxSearchDepth: 100,
  maxSectionDepth: 100,
});

/** Before login: one list level (Dovecot CVE-2026-27857 fix). */
export const PRE_AUTH_PARSER_OPTIONS: Readonly<ParserOptions> = Object.freeze({
  maxListDepth: 1,
  maxSearchDepth: 1,
  maxSectionDepth: 1,
});

/** sequence-set / `$`; numbers 1..4294967295 (0 and larger values are BAD, security-cases T41). */
export function readSequenceSet(r: CommandReader): SequenceSet {
  if (r.accept(0x24)) return { kind: 'saved' };
  const ranges: SeqRange[] = [];
  do {
    const start = seqNumber(r);
    const end = r.accept(0x3a) ? seqNumber(r) : start;
    ranges.push({ start, end });
  } while (r.accept(0x2c));
  return { kind: 'ranges', ranges };
}

function seqNumber(r: CommandReader): SeqNumber {
  if (r.accept(0x2a)) return '*';
  return r.number(true);
}

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent'].map((f) => [f.toUpperCase(), f]),
);

/** flag (RFC 3501): system flags canonicalised, keywords as sent; `\*` only when `allowStar`. */
export function readFlag(r: CommandReader, allowStar = false): string {
  if (r.accept(0x5c)) {
    if (allowStar && r.accept(0x2a)) return '\\*';
    const name = '\\' + r.atom();
    return SYSTEM_FLAGS.get(name.toUpperCase()) ?? name;
  }
  return r.atom();
}

/** flag-list = "(" [flag *(SP flag)] ")". */
export function readFlagList(r: CommandReader): string[] {
  r.expect(0x28, '(');
  const flags: string[] = [];
  if (!r.accept(0x29)) {
    do flags.push(readFlag(r));
    while (r.acceptSp());
    r.expect(0x29, ')');
  }
  return flags;
}

/**
 * Reads `( item *(SP item) )` calling `item` for each; `allowEmpty` for `()`.
 * Callers never nest this for untrusted depth, so it is not recursive.
 */
export function readList<T>(r: CommandReader, item: () => T, allowEmpty = false): T[] {
  r.expect(0x28, '(');
  const out: T[] = [];
  if (r.accept(0x29)) {
    if (!allowEmpty) bad('Empty list');
    return out;
  }
  do out.push(item());
  while (r.acceptSp());
  r.expect(0x29, ')');
  return out;
}

/** A mailbox argument: astring, modified UTF-7 decoded, INBOX folded. Bad encodings are NO (T43). */
export function readMailbox(r: CommandReader): string {
  return mailboxFromBytes(r.astring());
}

/** Decodes a wire mailbox name or throws ParseFailure NO. */
export function mailboxFromBytes(raw: Uint8Array): string {
  try {
    return decodeMailboxArgument(raw);
  } catch (err) {
    if (err instanceof MailError) throw new ParseFailure('Mailbox name is not valid modified UTF-7', 'NO');
    throw err;
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Parses `d-Mon-yyyy`; returns [year, month 1..12, day] or null. */
function dateText(text: string): [number, number, number] | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf((m[2] as string).toUpperCase()) + 1;
  const day = Number(m[1]);
  const year = Number(m[3]);
  if (month === 0 || day < 1) return null;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days ? [year, month, day] : null;
}

/** SEARCH date (RFC 3501 `date`: date-text, optionally quoted) as 'YYYY-MM-DD'. */
export function readDate(r: CommandReader): string {
  const text = r.peek() === 0x22 ? r.quoted().toString('latin1') : r.atom();
  const d = dateText(text);
  if (!d) bad('Invalid date');
  const [y, mo, da] = d;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(da).padStart(2, '0')}`;
}

/** APPEND date-time: `"dd-Mon-yyyy hh:mm:ss +zzzz"` (day may be space-padded) → Date. */
export function readDateTime(r: CommandReader): Date {
  const text = r.quoted().toString('latin1');
  const m = /^ ?(\d{1,2}-[A-Za-z]{3}-\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const d = m ? dateText(m[1] as string) : null;
  if (!m || !d) return bad('Invalid date-time');
  const [hh, mm, ss, zh, zm] = [m[2], m[3], m[4], m[6], m[7]].map(Number) as [number, number, number, number, number];
  if (hh > 23 || mm > 59 || ss > 60 || zm > 59) bad('Invalid date-time');
  const offset = (m[5] === '-' ? -1 : 1) * (zh * 60 + zm);
  return new Date(Date.UTC(d[0], d[1] - 1, d[2], hh, mm, Math.min(ss, 59)) - offset * 60000);
}
