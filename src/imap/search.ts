/**
 * SEARCH evaluation (RFC 3501 §6.4.4, CONDSTORE MODSEQ RFC 7162 §3.1.5,
 * SEARCHRES `$` RFC 5182) over a selected mailbox's view. Flags, sequence
 * numbers and UIDs come from the view; Subject/From/To/Cc/Bcc/Message-ID/
 * In-Reply-To from the per-mailbox header table (search-headers.ts); sizes,
 * dates and modseqs from the stored records; other header fields and text
 * from the message (search-content.ts), for 64 messages at a time: their
 * indexes in one store read, their bodies in one batch read. Cheap keys of
 * an AND are evaluated first so a `UNSEEN BODY x` search reads few bodies.
 *
 * Bounded: the key tree's depth is capped by the parser; evaluation checks
 * a time budget between batches and stops with `limit` (the command answers
 * NO [LIMIT]); store reads yield to the event loop, so other sessions keep
 * being served (security-cases T44).
 */
import type { AccountStore, MailStore, MessageRecord } from '../store/types.js';
import type { SearchKey } from './protocol/types.js';
import { rangesContain, resolveSequenceSet, type NumberRange } from './protocol/sequence-set.js';
import type { MailboxView, ViewEntry } from './mailbox-view.js';
import { envelopeColumn, rowContains, type HeaderCache, type HeaderRow } from './search-headers.js';
import { MessageContent } from './search-content.js';
import { fold } from './search-text.js';

/** What a search needs besides the key. */
export interface SearchContext {
  store: MailStore;
  account: AccountStore;
  view: MailboxView;
  /** UIDs saved by the last SEARCH RETURN (SAVE), for `$`. */
  savedUids: readonly number[];
  /** Absolute time (ms) after which the search gives up. */
  deadline: number;
  now?: () => number;
  /** Cached envelope header fields of the store's mailboxes; without it header keys read each index. */
  headers?: HeaderCache;
}

/** Matching messages in sequence order, or 'limit' when the time budget ran out. */
export type SearchOutcome = { kind: 'done'; matches: { entry: ViewEntry; modseq: number }[] } | { kind: 'limit' };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Calendar day 'YYYY-MM-DD' of a time in UTC (the appliance keeps its clock in UTC). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar day written in a Date: header, disregarding time and zone (RFC 3501 §6.4.4). */
export function sentDay(value: string): string | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value);
  if (m) {
    const month = MONTHS.indexOf((m[2] as string).toLowerCase());
    let year = Number(m[3]);
    if (year < 50) year += 2000;
    else if (year < 1000) year += 1900;
    if (month >= 0) return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${(m[1] as string).padStart(2, '0')}`;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : dayOf(t);
}

/** Relative cost, to evaluate cheap keys of an AND first. */
function cost(key: SearchKey): number {
  switch (key.op) {
    case 'body':
    case 'text':
      return 3;
    case 'header':
    case 'date':
      return key.op === 'date' && key.field === 'internal' ? 0 : 2;
    case 'not':
      return cost(key.key);
    case 'or':
      return Math.max(cost(key.a), cost(key.b));
    case 'and':
      return key.keys.reduce((n, k) => Math.max(n, cost(k)), 0);
    default:
      return 0;
  }
}

function compareDay(day: string, cmp: 'before' | 'on' | 'since', want: string): boolean {
  if (cmp === 'before') return day < want;
  if (cmp === 'on') return day === want;
  return day >= want;
}

class Evaluator {
  private readonly seqRanges = new Map<SearchKey, NumberRange[]>();
  /** Envelope header rows of the mailbox, when the header cache is in use. */
  rows: ReadonlyMap<number, HeaderRow> | null = null;

  constructor(private readonly ctx: SearchContext) {}

  private ranges(key: Extract<SearchKey, { op: 'seq' | 'uid' }>): NumberRange[] {
    let r = this.seqRanges.get(key);
    if (!r) {
      const view = this.ctx.view;
      const saved = key.op === 'uid' ? this.ctx.savedUids.map((u): NumberRange => [u, u]) : this.ctx.savedUids.map((u) => view.seqOfUid(u)).filter((s) => s > 0).map((s): NumberRange => [s, s]);
      const max = key.op === 'uid' ? view.uidAt(view.exists) : view.exists;
      r = resolveSequenceSet(key.set, max, { saved, clip: key.op === 'seq' });
      this.seqRanges.set(key, r);
    }
    return r;
  }

  /**
   * Sequence ranges that can match: a UID or sequence-set key at the top (or
   * directly under the top AND) narrows the scan, so `UID SEARCH UID 5` on a
   * large mailbox looks at one message, not all of them.
   */
  candidateSeqs(key: SearchKey): NumberRange[] {
    const view = this.ctx.view;
    const all: NumberRange[] = view.exists > 0 ? [[1, view.exists]] : [];
    const keys = key.op === 'and' ? key.keys : [key];
    const narrowing = keys.find((k): k is Extract<SearchKey, { op: 'seq' | 'uid' }> => k.op === 'seq' || k.op === 'uid');
    if (!narrowing) return all;
    const ranges = this.ranges(narrowing);
    if (narrowing.op === 'seq') return ranges.map(([lo, hi]): NumberRange => [Math.max(1, lo), Math.min(view.exists, hi)]).filter(([lo, hi]) => lo <= hi);
    const out: NumberRange[] = [];
    for (const [lo, hi] of ranges) {
      const first = view.seqOfUidAtLeast(lo);
      const last = view.seqOfUidAtLeast(hi + 1) - 1;
      if (first <= last) out.push([first, last]);
    }
    return out;
  }

  /**
   * Evaluates a key that needs no stored record (see `needsRecord`),
   * synchronously and without building an entry per message.
   */
  matchesInView(key: SearchKey, seq: number, uid: number): boolean {
    const view = this.ctx.view;
    switch (key.op) {
      case 'all':
        return true;
      case 'flag': {
        const want = key.flag.toLowerCase();
        const has = want === '\\recent' ? view.isRecent(uid) : view.flagsAt(seq).some((f) => f.toLowerCase() === want);
        return has === key.has;
      }
      case 'seq':
        return rangesContain(this.ranges(key), seq);
      case 'uid':
        return rangesContain(this.ranges(key), uid);
      case 'header': {
        // Only reached with `rows` set and an envelope field (see needsRecord).
        const row = this.rows?.get(uid);
        return row !== undefined && rowContains(row, envelopeColumn(key.field.toLowerCase()), fold(key.value));
      }
      case 'not':
        return !this.matchesInView(key.key, seq, uid);
      case 'or':
        return this.matchesInView(key.a, seq, uid) || this.matchesInView(key.b, seq, uid);
      case 'and':
        return key.keys.every((k) => this.matchesInView(k, seq, uid));
      default:
        return false;
    }
  }

  /** `rec` and `c` are null when no key of the search needs the stored record. */
  async matches(key: SearchKey, seq: number, m: ViewEntry, rec: MessageRecord | null, c: MessageContent | null): Promise<boolean> {
    const r = rec as MessageRecord;
    const content = c as MessageContent;
    switch (key.op) {
      case 'all':
        return true;
      case 'flag': {
        const has = key.flag === '\\Recent' ? m.recent : m.flags.some((f) => f.toLowerCase() === key.flag.toLowerCase());
        return has === key.has;
      }
      case 'size':
        return key.cmp === 'larger' ? r.size > key.size : r.size < key.size;
      case 'seq':
        return rangesContain(this.ranges(key), seq);
      case 'uid':
        return rangesContain(this.ranges(key), m.uid);
      case 'modseq':
        return BigInt(r.modseq) >= key.modseq;
      case 'date': {
        if (key.field === 'internal') return compareDay(dayOf(r.internalDate), key.cmp, key.date);
        const fields = await content.headerFields();
        const date = fields?.find((f) => f.name === 'date');
        const day = date ? sentDay(date.value) : null;
        return day !== null && compareDay(day, key.cmp, key.date);
      }
      case 'header': {
        const field = key.field.toLowerCase();
        const want = fold(key.value);
        const column = envelopeColumn(field);
        if (this.rows && column >= 0) {
          const row = this.rows.get(m.uid);
          return row !== undefined && rowContains(row, column, want);
        }
        const values = await content.headerValues(field);
        if (!values) return false;
        return values.some((v) => fold(v).includes(want));
      }
      case 'body':
      case 'text': {
        const want = fold(key.value);
        if (key.op === 'text') {
          const header = await content.foldedHeader();
          if (header === null) return false;
          if (header.includes(want)) return true;
        }
        return (await content.bodyContains(want)) === true;
      }
      case 'not':
        return !(await this.matches(key.key, seq, m, rec, c));
      case 'or':
        return (await this.matches(key.a, seq, m, rec, c)) || (await this.matches(key.b, seq, m, rec, c));
      case 'and': {
        const ordered = [...key.keys].sort((a, b) => cost(a) - cost(b));
        for (const k of ordered) if (!(await this.matches(k, seq, m, rec, c))) return false;
        return true;
      }
    }
  }
}

/** True when a key needs the stored record (size, internal date, modseq, content); `rows`: envelope fields are cached. */
function needsRecord(key: SearchKey, rows: boolean): boolean {
  switch (key.op) {
    case 'header':
      return !(rows && envelopeColumn(key.field.toLowerCase()) >= 0);
    case 'size':
    case 'modseq':
    case 'date':
    case 'body':
    case 'text':
      return true;
    case 'not':
      return needsRecord(key.key, rows);
    case 'or':
      return needsRecord(key.a, rows) || needsRecord(key.b, rows);
    case 'and':
      return key.keys.some((k) => needsRecord(k, rows));
    default:
      return false;
  }
}

/** True when a key looks at an envelope header field (SUBJECT, FROM, HEADER To …). */
function usesEnvelope(key: SearchKey): boolean {
  switch (key.op) {
    case 'header':
      return envelopeColumn(key.field.toLowerCase()) >= 0;
    case 'not':
      return usesEnvelope(key.key);
    case 'or':
      return usesEnvelope(key.a) || usesEnvelope(key.b);
    case 'and':
      return key.keys.some(usesEnvelope);
    default:
      return false;
  }
}

/** True when a key reads message text (BODY, TEXT). */
function usesBody(key: SearchKey): boolean {
  switch (key.op) {
    case 'body':
    case 'text':
      return true;
    case 'not':
      return usesBody(key.key);
    case 'or':
      return usesBody(key.a) || usesBody(key.b);
    case 'and':
      return key.keys.some(usesBody);
    default:
      return false;
  }
}

/** Messages whose content is examined at once: their indexes are one store read, their bodies one batch read. */
const CONTENT_BATCH = 64;

/**
 * Runs a search over the messages the client knows (messages expunged but not
 * yet reported are skipped). Store failures make a message not match.
 * `modseq` of each match is 0 unless the search read records.
 */
export async function runSearch(ctx: SearchContext, key: SearchKey): Promise<SearchOutcome> {
  const now = ctx.now ?? Date.now;
  const evaluator = new Evaluator(ctx);
  const matches: { entry: ViewEntry; modseq: number }[] = [];
  if (ctx.headers && usesEnvelope(key)) {
    evaluator.rows = await ctx.headers.rowsFor(ctx.store, ctx.account, ctx.view, ctx.deadline, now);
    if (!evaluator.rows) return { kind: 'limit' };
  }
  const records = needsRecord(key, evaluator.rows !== null) ? new Map((await ctx.account.listMessages(ctx.view.name)).map((r) => [r.uid, r])) : null;
  const needsContent = cost(key) > 0;
  const body = usesBody(key);
  if (!records) {
    // Flags, sequence numbers, UIDs and cached header fields only: no store reads, so no awaits per message.
    const view = ctx.view;
    for (const [lo, hi] of evaluator.candidateSeqs(key)) {
      for (let seq = lo; seq <= hi; seq++) {
        const uid = view.uidAt(seq);
        if (!view.isExpunged(uid) && evaluator.matchesInView(key, seq, uid)) matches.push({ entry: view.entry(seq) as ViewEntry, modseq: 0 });
      }
    }
    return { kind: 'done', matches };
  }
  const batch: { m: ViewEntry; rec: MessageRecord }[] = [];
  const run = async (): Promise<void> => {
    const indexes = await ctx.store.getIndexes(batch.map((b) => b.rec.blobId)).catch(() => null);
    const raws = body ? await ctx.store.scanBlobs(batch.map((b) => ({ blobId: b.rec.blobId, size: b.rec.size }))).catch(() => null) : null;
    const results = await Promise.all(batch.map((b, i) => evaluator.matches(key, b.m.seq, b.m, b.rec, new MessageContent(ctx.store, b.rec, indexes ? indexes[i] : undefined, raws ? raws[i] : undefined))));
    results.forEach((hit, i) => {
      const b = batch[i] as { m: ViewEntry; rec: MessageRecord };
      if (hit) matches.push({ entry: b.m, modseq: b.rec.modseq });
    });
    batch.length = 0;
  };
  for (const m of ctx.view.entries()) {
    if (m.expunged) continue;
    const rec = records.get(m.uid);
    if (rec === undefined) continue;
    if (!needsContent) {
      if (await evaluator.matches(key, m.seq, m, rec, null)) matches.push({ entry: m, modseq: rec.modseq });
      continue;
    }
    batch.push({ m, rec });
    if (batch.length >= CONTENT_BATCH) {
      if (now() > ctx.deadline) return { kind: 'limit' };
      await run();
    }
  }
  if (batch.length > 0) {
    if (now() > ctx.deadline) return { kind: 'limit' };
    await run();
  }
  return { kind: 'done', matches };
}
