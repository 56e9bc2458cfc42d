/**
 * SEARCH key evaluation for one message (RFC 3501 §6.4.4, CONDSTORE MODSEQ
 * RFC 7162 §3.1.5, SEARCHRES `$` RFC 5182). Flags, sequence numbers and
 * UIDs come from the view; Subject/From/To/Cc/Bcc/Message-ID/In-Reply-To from
 * the per-mailbox header table (search-headers.ts) when it is loaded; sizes,
 * dates and modseqs from the stored record; other header fields and text
 * from the message (search-content.ts). Which of these a search needs is
 * decided beforehand (search-key-needs.ts); the scan itself is in search.ts.
 *
 * Date keys compare calendar days as 'YYYY-MM-DD' text: BEFORE/ON/SINCE the
 * internal date, SENTBEFORE/SENTON/SENTSINCE the day written in the Date:
 * header, both disregarding time and time zone (RFC 3501 §6.4.4).
 */
import type { MessageRecord } from '../store/types.js';
import type { SearchKey } from './protocol/types.js';
import { rangesContain, resolveSequenceSet, type NumberRange } from './protocol/sequence-set.js';
import type { MailboxView, ViewEntry } from './mailbox-view.js';
import { envelopeColumn, rowContains, type HeaderRow } from './search-headers.js';
import type { MessageContent } from './search-content.js';
import { fold } from './search-text.js';
import { cost } from './search-key-needs.js';

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

/** Whether `day` is before, on or since `want` (both 'YYYY-MM-DD', so text order is day order). */
function compareDay(day: string, cmp: 'before' | 'on' | 'since', want: string): boolean {
  if (cmp === 'before') return day < want;
  if (cmp === 'on') return day === want;
  return day >= want;
}

/** What the evaluator reads besides the messages: the view and the UIDs `$` stands for. */
export interface EvaluatorContext {
  readonly view: MailboxView;
  /** UIDs saved by the last SEARCH RETURN (SAVE), for `$`. */
  readonly savedUids: readonly number[];
}

/**
 * Matches messages of one view against one key tree. Resolved sequence sets
 * are cached per key, so a search over many messages resolves each set once.
 */
export class SearchEvaluator {
  private readonly seqRanges = new Map<SearchKey, NumberRange[]>();
  /** Envelope header rows of the mailbox, when the header cache is in use. */
  rows: ReadonlyMap<number, HeaderRow> | null = null;

  constructor(private readonly ctx: EvaluatorContext) {}

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
