/**
 * SEARCH arguments (RFC 3501 §6.4.4, ESEARCH RFC 4731 RETURN options,
 * SEARCHRES RFC 5182 `$`, CONDSTORE RFC 7162 §3.1.5 MODSEQ). Nesting of
 * parentheses, NOT and OR is bounded by `maxSearchDepth`, so a hostile
 * `NOT NOT NOT …` or `((((…` is a BAD, never a stack overflow (T40).
 */
import { CommandReader, ParseFailure, bad, utf8String } from './command-reader.js';
import { readDate, readFlag, readList, readSequenceSet, type ParserOptions } from './parse-common.js';
import type { SearchKey, SearchReturnOption, SelectedCommand } from './types.js';

type SearchCommand = Extract<SelectedCommand, { name: 'SEARCH' }>;

/** Charsets SEARCH accepts; both are read as UTF-8 (US-ASCII is a subset). */
export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII'];

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  RECENT: ['\\Recent', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
  OLD: ['\\Recent', false],
};

const HEADER_KEYS = new Set(['BCC', 'CC', 'FROM', 'SUBJECT', 'TO']);
const DATE_KEYS: Record<string, [ 'internal' | 'sent', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};
const RETURN_OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/** `search` arguments after the command name. */
export function readSearch(r: CommandReader, tag: string, uid: boolean, opts: ParserOptions): SearchCommand {
  r.sp();
  let returnOptions: SearchReturnOption[] | null = null;
  let charset: string | null = null;
  let mark = r.mark();
  let word = r.atDigit() ? '' : tryKeyword(r);
  if (word === 'RETURN') {
    r.sp();
    returnOptions = readList(
      r,
      () => {
        const o = r.keyword();
        if (!RETURN_OPTIONS.has(o)) bad('Unknown SEARCH RETURN option');
        return o as SearchReturnOption;
      },
      true,
    );
    r.sp();
    mark = r.mark();
    word = r.atDigit() ? '' : tryKeyword(r);
  }
  if (word === 'CHARSET') {
    r.sp();
    charset = r.astring().toString('latin1').toUpperCase();
    if (!SEARCH_CHARSETS.includes(charset)) throw new ParseFailure('Unsupported charset', 'NO', 'BADCHARSET', SEARCH_CHARSETS);
    r.sp();
  } else r.reset(mark);
  const keys: SearchKey[] = [];
  do keys.push(readKey(r, opts, 1));
  while (r.acceptSp());
  r.end();
  return { tag, name: 'SEARCH', uid, charset, returnOptions, key: { op: 'and', keys } };
}

function tryKeyword(r: CommandReader): string {
  const c = r.peek();
  return c === 0x28 || c === 0x2a || c === 0x24 || c < 0 ? '' : r.keyword();
}

function text(r: CommandReader): string {
  r.sp();
  return utf8String(r.astring(), 'search string');
}

/** One search-key; `depth` counts enclosing parentheses, NOT and OR. */
function readKey(r: CommandReader, opts: ParserOptions, depth: number): SearchKey {
  if (depth > opts.maxSearchDepth) bad('Search nested too deeply');
  const c = r.peek();
  if (c === 0x28) {
    if (depth > opts.maxListDepth) bad('Lists nested too deeply');
    const keys = readList(r, () => readKey(r, opts, depth + 1));
    return keys.length === 1 ? (keys[0] as SearchKey) : { op: 'and', keys };
  }
  if ((c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24) return { op: 'seq', set: readSequenceSet(r) };
  const word = r.keyword();
  const flag = FLAG_KEYS[word];
  if (flag) return { op: 'flag', flag: flag[0], has: flag[1] };
  if (HEADER_KEYS.has(word)) return { op: 'header', field: word.toLowerCase(), value: text(r) };
  const date = DATE_KEYS[word];
  if (date) {
    r.sp();
    return { op: 'date', field: date[0], cmp: date[1], date: readDate(r) };
  }
  switch (word) {
    case 'ALL':
      return { op: 'all' };
    case 'NEW':
      return { op: 'and', keys: [{ op: 'flag', flag: '\\Recent', has: true }, { op: 'flag', flag: '\\Seen', has: false }] };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      r.sp();
      return { op: 'flag', flag: readFlag(r), has: word === 'KEYWORD' };
    }
    case 'BODY':
      return { op: 'body', value: text(r) };
    case 'TEXT':
      return { op: 'text', value: text(r) };
    case 'HEADER': {
      r.sp();
      const field = r.astring().toString('latin1');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) bad('Invalid header field name');
      return { op: 'header', field: field.toLowerCase(), value: text(r) };
    }
    case 'LARGER':
    case 'SMALLER':
      r.sp();
      return { op: 'size', cmp: word === 'LARGER' ? 'larger' : 'smaller', size: r.number() };
    case 'UID':
      r.sp();
      return { op: 'uid', set: readSequenceSet(r) };
    case 'NOT':
      r.sp();
      return { op: 'not', key: readKey(r, opts, depth + 1) };
    case 'OR': {
      r.sp();
      const a = readKey(r, opts, depth + 1);
      r.sp();
      return { op: 'or', a, b: readKey(r, opts, depth + 1) };
    }
    case 'MODSEQ':
      return readModseq(r);
    default:
      return bad(`Unknown search key ${word.slice(0, 40)}`);
  }
}

/** MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 §3.1.5). */
function readModseq(r: CommandReader): SearchKey {
  r.sp();
  let entry: { name: string; type: 'priv' | 'shared' | 'all' } | null = null;
  if (r.peek() === 0x22) {
    const name = r.quoted().toString('latin1');
    if (!name.toLowerCase().startsWith('/flags/')) bad('Invalid MODSEQ entry name');
    r.sp();
    const type = r.atom().toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all') bad('Invalid MODSEQ entry type');
    entry = { name, type };
    r.sp();
  }
  return { op: 'modseq', modseq: r.modseq(true), entry };
}
