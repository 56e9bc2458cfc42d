/**
 * The header fields IMAP SEARCH answers from the ENVELOPE stored at delivery
 * (Subject, From, To, Cc, Bcc, Message-ID, In-Reply-To; RFC 3501 §6.4.4
 * HEADER, SUBJECT, FROM, TO, CC, BCC), decoded and case-folded once per
 * message and kept per mailbox, so a header search over 10,000 messages is
 * a scan of short strings in memory instead of 10,000 index reads.
 *
 * The table of a mailbox is filled on the first header search (the indexes
 * are read in batches, `MailStore.getIndexes`) and, by the IMAP service at
 * start, for each account's INBOX. Message bodies never change, so a row
 * stays right for the life of its UID; rows of expunged messages are
 * dropped when they pile up.
 *
 * Memory: about 100 bytes plus the text of the fields per message (typically
 * 150–250 bytes; 2 MB for a 10,000-message mailbox). The cache is shared by
 * every session of a store and bounded (default 8 MB, least recently used
 * mailbox dropped first); a mailbox larger than the whole budget is searched
 * through a table that is thrown away afterwards.
 */
import type { Envelope, EnvelopeAddress } from '../mime/index.js';
import type { AccountStore, MailStore } from '../store/types.js';
import type { MailboxView } from './mailbox-view.js';
import { loadRecords } from './message-records.js';
import { decodeEncodedWords, fold } from './search-text.js';

/** Fields served from the envelope, in row order. A field absent from the envelope is absent from the message. */
export const ENVELOPE_FIELDS = ['subject', 'from', 'to', 'cc', 'bcc', 'message-id', 'in-reply-to'] as const;

/** Column of a header field name (lower case), or -1 when it is not an envelope field. */
export function envelopeColumn(name: string): number {
  return (ENVELOPE_FIELDS as readonly string[]).indexOf(name);
}

/** Several values of one field (addresses) are joined by NUL, which no search string contains. */
const JOIN = '\u0000';

function addresses(list: EnvelopeAddress[] | null): string | null {
  if (!list) return null;
  const out = list.filter((a) => a.host !== null).map((a) => `${a.name ? `${decodeEncodedWords(a.name)} ` : ''}<${a.mailbox ?? ''}@${a.host ?? ''}>`);
  return out.length > 0 ? fold(out.join(JOIN)) : null;
}

function text(v: string | null): string | null {
  return v === null ? null : fold(decodeEncodedWords(v));
}

/** One row: each envelope field folded, null when the message has no such field. */
export type HeaderRow = readonly (string | null)[];

/** The row of one envelope (exported for tests). */
export function headerRow(e: Envelope): HeaderRow {
  return [text(e.subject), addresses(e.from), addresses(e.to), addresses(e.cc), addresses(e.bcc), text(e.messageId), text(e.inReplyTo)];
}

/** True when a row's field contains `want` (folded); false when the field is absent. */
export function rowContains(row: HeaderRow, column: number, want: string): boolean {
  const v = row[column];
  return v !== null && v !== undefined && v.includes(want);
}

const NO_ENVELOPE: HeaderRow = ENVELOPE_FIELDS.map(() => null);

/** Indexes read per call into the store while filling a table (small enough that other sessions are served in between). */
const BATCH = 256;

class HeaderTable {
  readonly rows = new Map<number, HeaderRow>();
  bytes = 0;
  chain: Promise<unknown> = Promise.resolve();

  constructor(readonly uidValidity: number) {}

  add(uid: number, row: HeaderRow): void {
    this.rows.set(uid, row);
    this.bytes += 100;
    for (const v of row) if (v) this.bytes += v.length * 2;
  }
}

/** Per-store cache of header tables (see the file comment). */
export class HeaderCache {
  private readonly tables = new Map<number, HeaderTable>();

  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}

  /**
   * The rows of every message of the view (UID → row), reading what is not
   * cached yet. Messages already gone from the store have no row. Returns
   * null when `deadline` passed while filling (what was read stays cached).
   */
  async rowsFor(store: MailStore, account: AccountStore, view: MailboxView, deadline = Infinity, now: () => number = Date.now): Promise<ReadonlyMap<number, HeaderRow> | null> {
    let table = this.tables.get(view.mailboxId);
    if (!table || table.uidValidity !== view.uidValidity) {
      table = new HeaderTable(view.uidValidity);
      this.tables.set(view.mailboxId, table);
    }
    const t = table;
    // One filler per mailbox at a time: a second session waits and then finds the rows there.
    const run = t.chain.then(() => this.fill(store, account, view, t, deadline, now));
    t.chain = run.catch(() => undefined);
    const complete = await run;
    this.touch(view.mailboxId, t);
    return complete ? t.rows : null;
  }

  private async fill(store: MailStore, account: AccountStore, view: MailboxView, table: HeaderTable, deadline: number, now: () => number): Promise<boolean> {
    const missing: number[] = [];
    for (let seq = 1; seq <= view.exists; seq++) {
      const uid = view.uidAt(seq);
      if (!table.rows.has(uid) && !view.isExpunged(uid)) missing.push(uid);
    }
    if (table.rows.size > view.exists + 1000) this.prune(view, table);
    if (missing.length === 0) return true;
    for (let i = 0; i < missing.length; i += BATCH) {
      if (now() > deadline) return false;
      const records = await loadRecords(account, view.name, missing.slice(i, i + BATCH));
      const list = [...records.values()];
      const indexes = await store.getIndexes(list.map((r) => r.blobId));
      list.forEach((r, j) => {
        const env = indexes[j]?.root.envelope;
        table.add(r.uid, env ? headerRow(env) : NO_ENVELOPE);
      });
    }
    return true;
  }

  private prune(view: MailboxView, table: HeaderTable): void {
    for (const uid of [...table.rows.keys()]) {
      if (view.seqOfUid(uid) > 0) continue;
      const row = table.rows.get(uid) as HeaderRow;
      table.rows.delete(uid);
      table.bytes -= 100;
      for (const v of row) if (v) table.bytes -= v.length * 2;
    }
  }

  /** Marks a table most recently used and drops the oldest ones past the budget. */
  private touch(mailboxId: number, table: HeaderTable): void {
    this.tables.delete(mailboxId);
    this.tables.set(mailboxId, table);
    let total = 0;
    for (const t of this.tables.values()) total += t.bytes;
    for (const [id, t] of this.tables) {
      if (total <= this.maxBytes) break;
      this.tables.delete(id);
      total -= t.bytes;
    }
  }

  /** True when half the budget is used (the start-up preload stops filling there). */
  get full(): boolean {
    return this.bytes >= this.maxBytes / 2;
  }

  /** Bytes held, estimated (for tests and the documentation's memory figures). */
  get bytes(): number {
    let total = 0;
    for (const t of this.tables.values()) total += t.bytes;
    return total;
  }
}
