/**
 * Builders for the data responses whose layout is fiddly: FETCH (RFC 3501
 * §7.4.2), SEARCH / ESEARCH (RFC 4731 §3.1), LIST / LSUB with LIST-EXTENDED
 * data (RFC 5258 §3.5), STATUS (§7.2.4), VANISHED (RFC 7162 §3.2.10),
 * QUOTA / QUOTAROOT (RFC 9208 §5). Mailbox names are encoded to modified
 * UTF-7 here, so callers pass Unicode names.
 */
import { astring, atom, encodeValues, untagged, untaggedParts, type EncodedPart, type ImapValue } from './encoder.js';
import { encodeMailboxName } from './mailbox-name.js';
import { formatRanges, type NumberRange } from './sequence-set.js';
import type { FetchAttribute, FetchSection, SearchReturnOption, StatusItem } from './types.js';

/** The section text inside brackets, e.g. `1.2.HEADER.FIELDS (SUBJECT FROM)`. */
export function sectionText(section: FetchSection): string {
  const parts: string[] = section.part.map(String);
  if (section.specifier) parts.push(section.specifier);
  let text = parts.join('.');
  if (section.specifier === 'HEADER.FIELDS' || section.specifier === 'HEADER.FIELDS.NOT') {
    text += ' (' + encodeValues(section.fields.map(astring)).toString('latin1') + ')';
  }
  return text;
}

/**
 * The name a FETCH response uses for an item: BODY.PEEK answers as BODY,
 * a partial fetch shows only its origin (`BODY[]<0>`), RFC 3501 §7.4.2.
 */
export function fetchItemName(att: FetchAttribute): string {
  if (att.kind !== 'BODY[]') return att.kind;
  return `BODY[${sectionText(att.section)}]` + (att.partial ? `<${att.partial.offset}>` : '');
}

/**
 * `* seq FETCH (name value ...)`. Values are ImapValues (use atom() for
 * flags, literal()/deferredLiteral() for message content). Returns parts
 * because section values may be streamed.
 */
export function fetchResponse(seq: number, items: readonly (readonly [string, ImapValue])[]): EncodedPart[] {
  const list: ImapValue[] = [];
  for (const [name, value] of items) list.push(atom(name), value);
  return untaggedParts([seq, atom('FETCH'), list]);
}

/** Flags as atoms for FETCH FLAGS / FLAGS / PERMANENTFLAGS. */
export function flagList(flags: readonly string[]): ImapValue {
  return flags.map(atom);
}

/** Classic `* SEARCH 1 2 3` (with `(MODSEQ n)` when CONDSTORE asked for it, RFC 7162 §3.1.5). */
export function searchResponse(numbers: readonly number[], highestModseq?: bigint | null): Buffer {
  const values: ImapValue[] = [atom('SEARCH'), ...numbers];
  if (highestModseq !== undefined && highestModseq !== null && numbers.length > 0) values.push([atom('MODSEQ'), highestModseq]);
  return untagged(values);
}

/** Result data for ESEARCH. `all` must be sorted ranges; omitted fields are not sent. */
export interface EsearchResult {
  min?: number | null;
  max?: number | null;
  count?: number | null;
  all?: readonly NumberRange[] | null;
  modseq?: bigint | null;
}

/**
 * `* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL set [MODSEQ n]`.
 * RFC 4731 §3.1: MIN/MAX/ALL are omitted when nothing matched; COUNT is
 * always sent when asked for. `options` says what was asked for.
 */
export function esearchResponse(tag: string, uid: boolean, options: readonly SearchReturnOption[], result: EsearchResult): Buffer {
  const values: ImapValue[] = [atom('ESEARCH'), [atom('TAG'), tag]];
  if (uid) values.push(atom('UID'));
  const asked = (o: SearchReturnOption): boolean => options.includes(o) || (o === 'ALL' && options.length === 0);
  if (asked('MIN') && result.min) values.push(atom('MIN'), result.min);
  if (asked('MAX') && result.max) values.push(atom('MAX'), result.max);
  if (asked('COUNT')) values.push(atom('COUNT'), result.count ?? 0);
  if (asked('ALL') && result.all && result.all.length > 0) values.push(atom('ALL'), atom(formatRanges(result.all)));
  if (result.modseq !== undefined && result.modseq !== null) values.push(atom('MODSEQ'), result.modseq);
  return untagged(values);
}

/** One LIST/LSUB line; `extended` carries RFC 5258 extended data (e.g. CHILDINFO). */
export interface ListEntry {
  name: string;
  attributes: readonly string[];
  /** Hierarchy delimiter, or null for NIL. */
  delimiter: string | null;
  /** e.g. [['CHILDINFO', ['SUBSCRIBED']]]: each becomes `"NAME" value`. */
  extended?: readonly (readonly [string, ImapValue])[];
}

/** `* LIST (\HasNoChildren) "/" INBOX` (or LSUB). */
export function listResponse(entry: ListEntry, command: 'LIST' | 'LSUB' = 'LIST'): Buffer {
  const values: ImapValue[] = [atom(command), flagList(entry.attributes), entry.delimiter, astring(encodeMailboxName(entry.name))];
  if (entry.extended && entry.extended.length > 0) {
    const ext: ImapValue[] = [];
    for (const [name, value] of entry.extended) ext.push(name, value);
    values.push(ext);
  }
  return untagged(values);
}

/** `* STATUS name (MESSAGES 3 UIDNEXT 5 ...)` in the order given. */
export function statusResponse(mailbox: string, values: readonly (readonly [StatusItem, number | bigint])[]): Buffer {
  const list: ImapValue[] = [];
  for (const [item, value] of values) list.push(atom(item), value);
  return untagged([atom('STATUS'), astring(encodeMailboxName(mailbox)), list]);
}

/** `* VANISHED [(EARLIER)] uid-set` (RFC 7162 §3.2.10); empty ranges give an empty buffer. */
export function vanishedResponse(uids: readonly NumberRange[], earlier: boolean): Buffer {
  if (uids.length === 0) return Buffer.alloc(0);
  const values: ImapValue[] = [atom('VANISHED')];
  if (earlier) values.push([atom('EARLIER')]);
  values.push(atom(formatRanges(uids)));
  return untagged(values);
}

/** `* QUOTA root (STORAGE used limit ...)`; RFC 9208 counts STORAGE in KiB. */
export function quotaResponse(root: string, resources: readonly { name: string; usage: number | bigint; limit: number | bigint }[]): Buffer {
  const list: ImapValue[] = [];
  for (const r of resources) list.push(atom(r.name), r.usage, r.limit);
  return untagged([atom('QUOTA'), astring(root), list]);
}

/** `* QUOTAROOT mailbox root...`. */
export function quotaRootResponse(mailbox: string, roots: readonly string[]): Buffer {
  return untagged([atom('QUOTAROOT'), astring(encodeMailboxName(mailbox)), ...roots.map(astring)]);
}

/** `* FLAGS (...)`, `* n EXISTS`, `* n EXPUNGE`, `* CAPABILITY ...`, `* ENABLED ...` helpers. */
export const simple = {
  flags: (flags: readonly string[]): Buffer => untagged([atom('FLAGS'), flagList(flags)]),
  exists: (n: number): Buffer => untagged([n, atom('EXISTS')]),
  recent: (n: number): Buffer => untagged([n, atom('RECENT')]),
  expunge: (seq: number): Buffer => untagged([seq, atom('EXPUNGE')]),
  capability: (caps: readonly string[]): Buffer => untagged([atom('CAPABILITY'), ...caps.map(atom)]),
  enabled: (caps: readonly string[]): Buffer => untagged([atom('ENABLED'), ...caps.map(atom)]),
  /** RFC 2342 `* NAMESPACE (("" "/")) NIL NIL`: one personal namespace, no others. */
  namespace: (delimiter: string): Buffer => untagged([atom('NAMESPACE'), [['', delimiter]], null, null]),
  /** RFC 2971 `* ID (...)` or `* ID NIL`. */
  id: (params: Readonly<Record<string, string | null>> | null): Buffer =>
    untagged([atom('ID'), params ? Object.entries(params).flatMap(([k, v]) => [k, v]) : null]),
};
