/**
 * FETCH (RFC 3501 §6.4.5, RFC 7162 §3.1.4.1/§3.2.6) and STORE (RFC 3501
 * §6.4.6, RFC 7162 §3.1.3) arguments.
 */
import { CommandReader, bad } from './command-reader.js';
import { readFlag, readFlagList, readList, readSequenceSet, type ParserOptions } from './parse-common.js';
import type { FetchAttribute, FetchPartial, FetchSection, SelectedCommand } from './types.js';

type FetchCommand = Extract<SelectedCommand, { name: 'FETCH' }>;
type StoreCommand = Extract<SelectedCommand, { name: 'STORE' }>;

const SIMPLE: Record<string, FetchAttribute> = {
  ENVELOPE: { kind: 'ENVELOPE' },
  FLAGS: { kind: 'FLAGS' },
  INTERNALDATE: { kind: 'INTERNALDATE' },
  'RFC822.SIZE': { kind: 'RFC822.SIZE' },
  RFC822: { kind: 'RFC822' },
  'RFC822.HEADER': { kind: 'RFC822.HEADER' },
  'RFC822.TEXT': { kind: 'RFC822.TEXT' },
  BODY: { kind: 'BODY' },
  BODYSTRUCTURE: { kind: 'BODYSTRUCTURE' },
  UID: { kind: 'UID' },
  MODSEQ: { kind: 'MODSEQ' },
};

const FAST = ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'];
const MACROS: Record<string, string[]> = { FAST, ALL: [...FAST, 'ENVELOPE'], FULL: [...FAST, 'ENVELOPE', 'BODY'] };

/** `fetch` arguments after the command name: SP sequence-set SP items [SP modifiers]. */
export function readFetch(r: CommandReader, tag: string, uid: boolean, opts: ParserOptions): FetchCommand {
  r.sp();
  const set = readSequenceSet(r);
  r.sp();
  let items: FetchAttribute[];
  if (r.peek() === 0x28) items = readList(r, () => readFetchAttribute(r, opts));
  else {
    const mark = r.mark();
    const macro = MACROS[r.keyword()];
    if (macro) items = macro.map((m) => SIMPLE[m] as FetchAttribute);
    else {
      r.reset(mark);
      items = [readFetchAttribute(r, opts)];
    }
  }
  let changedSince: bigint | null = null;
  let vanished = false;
  if (r.acceptSp()) {
    readList(r, () => {
      const mod = r.keyword();
      if (mod === 'CHANGEDSINCE') {
        r.sp();
        changedSince = r.modseq(true);
      } else if (mod === 'VANISHED') vanished = true;
      else bad('Unknown FETCH modifier');
    });
  }
  if (vanished && (!uid || changedSince === null)) bad('VANISHED needs UID FETCH with CHANGEDSINCE');
  r.end();
  return { tag, name: 'FETCH', uid, set, items, changedSince, vanished };
}

/** One fetch-att. */
export function readFetchAttribute(r: CommandReader, opts: ParserOptions): FetchAttribute {
  const word = r.atom().toUpperCase();
  const bracket = word.indexOf('[');
  if (bracket < 0) {
    const simple = SIMPLE[word];
    if (!simple) bad(`Unknown FETCH item ${word.slice(0, 40)}`);
    return simple;
  }
  const name = word.slice(0, bracket);
  if (name !== 'BODY' && name !== 'BODY.PEEK') bad(`Unknown FETCH item ${name.slice(0, 40)}`);
  const section = parseSection(word.slice(bracket + 1), opts);
  if (section.specifier === 'HEADER.FIELDS' || section.specifier === 'HEADER.FIELDS.NOT') {
    r.sp();
    section.fields = readList(r, () => {
      const field = r.astring().toString('latin1');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) bad('Invalid header field name');
      return field.toUpperCase();
    });
  }
  r.expect(0x5d, ']');
  let partial: FetchPartial | null = null;
  if (r.accept(0x3c)) {
    const offset = r.number();
    r.expect(0x2e, '.');
    const length = r.number(true);
    r.expect(0x3e, '>');
    partial = { offset, length };
  }
  return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section, partial };
}

function parseSection(text: string, opts: ParserOptions): FetchSection {
  const words = text === '' ? [] : text.split('.');
  const part: number[] = [];
  while (words.length > 0 && /^\d+$/.test(words[0] as string)) {
    const w = words.shift() as string;
    const n = w.length > 10 ? Infinity : Number(w);
    if (n === 0 || n > 4294967295) bad('Invalid section part number');
    part.push(n);
    if (part.length > opts.maxSectionDepth) bad('Section nested too deeply');
  }
  const rest = words.join('.');
  let specifier: FetchSection['specifier'] = null;
  if (rest === 'HEADER' || rest === 'HEADER.FIELDS' || rest === 'HEADER.FIELDS.NOT' || rest === 'TEXT') specifier = rest;
  else if (rest === 'MIME' && part.length > 0) specifier = 'MIME';
  else if (rest !== '') bad('Invalid section');
  return { part, specifier, fields: [] };
}

/** `store` arguments: SP sequence-set [SP (UNCHANGEDSINCE n)] SP [+-]FLAGS[.SILENT] SP flags. */
export function readStore(r: CommandReader, tag: string, uid: boolean): StoreCommand {
  r.sp();
  const set = readSequenceSet(r);
  r.sp();
  let unchangedSince: bigint | null = null;
  if (r.peek() === 0x28) {
    readList(r, () => {
      if (r.keyword() !== 'UNCHANGEDSINCE') bad('Unknown STORE modifier');
      r.sp();
      unchangedSince = r.modseq(true);
    });
    r.sp();
  }
  const op = r.keyword();
  const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(op);
  if (!m) bad('Expected FLAGS, +FLAGS or -FLAGS');
  const action = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'replace';
  r.sp();
  let flags: string[];
  if (r.peek() === 0x28) flags = readFlagList(r);
  else {
    flags = [];
    do flags.push(readFlag(r));
    while (r.acceptSp());
  }
  r.end();
  return { tag, name: 'STORE', uid, set, action, silent: Boolean(m[2]), flags, unchangedSince };
}
