/**
 * The per-session view of a selected mailbox (ARCHITECTURE rule 3): the
 * store knows UIDs, the session knows sequence numbers, and this view owns
 * the map between them.
 *
 * How other sessions' changes reach the client (RFC 3501 §5.2, §5.5, §7.4.1;
 * RFC 7162 §3.2.10): the session subscribes to the store's change events
 * and calls `refresh()`, which pulls the journal entries after the view's
 * modseq and records what changed (view-changes.ts) — new messages wait,
 * expunged ones stay in the sequence map marked expunged, flag changes are
 * noted. Nothing is sent then. At the moments the RFC allows, the session
 * calls `takeUpdate()`, which merges the new messages (EXISTS), reports flag
 * changes (FETCH) and, only when `allowExpunge` is true, removes expunged
 * messages (EXPUNGE, or VANISHED under QRESYNC). So a sequence number never
 * changes meaning during a FETCH, STORE or SEARCH. The session's own changes
 * travel the same path, which keeps one code path for "what changed".
 *
 * The store keeps only the newest part of each journal (docs/store.md). A
 * view whose modseq is older than what is left — the session sat idle while
 * thousands of changes went by — rereads the whole mailbox instead and
 * reports the difference (view-pull.ts); the client sees the same kinds of
 * responses.
 *
 * Memory: an idle session on a large mailbox stays under 100 KB: the view
 * keeps only UIDs and flag sets, in columns (view-columns.ts); the rest is
 * read for the messages a command touches (message-records.ts).
 */
import type { AccountStore, MailboxInfo, MessageRecord } from '../store/types.js';
import { ViewChanges, type ViewUpdate } from './view-changes.js';
import { ViewColumns } from './view-columns.js';
import { pullChanges } from './view-pull.js';
import type { RecentRegistry, ViewBase, ViewCache } from './view-state.js';

export { RecentRegistry, ViewCache } from './view-state.js';
export type { ViewUpdate } from './view-changes.js';

/** A message as commands see it: sequence number, UID and this session's flag state. */
export interface ViewEntry {
  seq: number;
  uid: number;
  flags: readonly string[];
  /** \Recent for this session (RFC 3501 §2.3.2). */
  recent: boolean;
  /** Expunged in the store; keeps its sequence number until the client is told. */
  expunged: boolean;
}

/** Options of `MailboxView.open`. */
export interface OpenViewOptions {
  account: AccountStore;
  /** Mailbox name as the store knows it (Unicode, INBOX folded). */
  name: string;
  readOnly: boolean;
  recent: RecentRegistry;
  cache?: ViewCache;
}

/**
 * A selected mailbox. Made by `open` (which fails `notFound` like the store);
 * the session drops it at CLOSE/UNSELECT/LOGOUT — there is nothing to close.
 */
export class MailboxView {
  private readonly changes: ViewChanges;
  /**
   * \Recent for this session: the UIDs in (recentLo, recentHi] claimed when the
   * mailbox was selected (a range, so selecting a mailbox of 10,000 new
   * messages builds no set of 10,000), plus those claimed one by one later.
   */
  private recentLo = 0;
  private recentHi = 0;
  private readonly recentUids = new Set<number>();
  private chain: Promise<void> = Promise.resolve();
  /** True once the mailbox was deleted under the session. */
  gone = false;

  private constructor(
    private readonly account: AccountStore,
    public name: string,
    readonly mailboxId: number,
    readonly uidValidity: number,
    readonly readOnly: boolean,
    private readonly recentRegistry: RecentRegistry,
    private modseq: number,
    private uidNextSeen: number,
    private readonly cols: ViewColumns,
  ) {
    this.changes = new ViewChanges(cols);
    [this.recentLo, this.recentHi] = recentRegistry.claimUpTo(mailboxId, cols.lastUid, readOnly);
  }

  /**
   * Selects a mailbox: the cached columns brought up to date from the journal,
   * or else a consistent snapshot; plus \Recent claims. Fails `notFound`.
   */
  static async open(opts: OpenViewOptions): Promise<MailboxView> {
    const info = await opts.account.getMailbox(opts.name);
    await opts.cache?.settled(info.id);
    const base = opts.cache?.get(info.id);
    let view: MailboxView;
    // Cached columns older than the journal's floor cannot be brought up to date from it.
    if (base && base.uidValidity === info.uidValidity && base.modseq >= info.journalFloor) view = await MailboxView.fromBase(opts, info, base);
    else {
      const load = MailboxView.fromSnapshot(opts);
      opts.cache?.loading(info.id, load);
      view = await load;
    }
    opts.cache?.put(view.mailboxId, view.base());
    return view;
  }

  private static async fromBase(opts: OpenViewOptions, info: MailboxInfo, base: ViewBase): Promise<MailboxView> {
    const cols = ViewColumns.fromBase(base);
    const view = new MailboxView(opts.account, info.name, info.id, base.uidValidity, opts.readOnly, opts.recent, base.modseq, base.uidNext, cols);
    // Catch up with the journal (or reread the mailbox if it was pruned meanwhile); the client has
    // seen nothing yet, so the update itself is dropped. The store's mailbox record is never behind
    // what is on disk: at its modseq there is nothing to read.
    if (info.highestModseq !== base.modseq) await view.refresh();
    view.takeUpdate({ allowExpunge: true, qresync: false });
    return view;
  }

  /** This view's columns, copied (for the cache). */
  private base(): ViewBase {
    return { uidValidity: this.uidValidity, modseq: this.modseq, uidNext: this.uidNext, ...this.cols.toBase() };
  }

  private static async fromSnapshot(opts: OpenViewOptions): Promise<MailboxView> {
    const snap = await opts.account.snapshot(opts.name);
    const info = snap.mailbox;
    const cols = new ViewColumns();
    cols.reserve(snap.messages.length);
    for (const m of snap.messages) cols.push(m.uid, cols.table.id(m.flags));
    return new MailboxView(opts.account, info.name, info.id, info.uidValidity, opts.readOnly, opts.recent, info.highestModseq, info.uidNext, cols);
  }

  /** Messages the client knows (expunged ones included until reported). */
  get exists(): number {
    return this.cols.count;
  }

  get highestModseq(): number {
    return this.modseq;
  }

  get uidNext(): number {
    const pending = this.changes.pendingNew;
    const last = pending[pending.length - 1]?.uid ?? this.cols.lastUid;
    return Math.max(this.uidNextSeen, last + 1);
  }

  get recentCount(): number {
    let count = 0;
    // UIDs of the claimed range still in the sequence map: two binary searches.
    if (this.recentHi > this.recentLo) count += this.cols.seqOfUidAtLeast(this.recentHi + 1) - this.cols.seqOfUidAtLeast(this.recentLo + 1);
    for (const u of this.recentUids) if (this.cols.seqOfUid(u) > 0) count++;
    return count;
  }

  /** UID of a sequence number (1-based); 0 when out of range. */
  uidAt(seq: number): number {
    return this.cols.uidAt(seq);
  }

  /** Sequence number of the first message without \Seen, or 0 (SELECT's UNSEEN). */
  firstUnseen(): number {
    return this.cols.firstUnseen();
  }

  /** Flags of a sequence number (1-based; no bounds check), without building an entry. */
  flagsAt(seq: number): readonly string[] {
    return this.cols.flagsAt(seq);
  }

  /** \Recent of a UID for this session. */
  isRecent(uid: number): boolean {
    return (uid > this.recentLo && uid <= this.recentHi) || this.recentUids.has(uid);
  }

  /** True when the message was expunged and the client has not been told yet. */
  isExpunged(uid: number): boolean {
    return this.changes.expunged.has(uid);
  }

  /** The entry of a sequence number (1-based), or undefined. */
  entry(seq: number): ViewEntry | undefined {
    if (seq < 1 || seq > this.cols.count) return undefined;
    const uid = this.cols.uidAt(seq);
    return { seq, uid, flags: this.cols.flagsAt(seq), recent: this.isRecent(uid), expunged: this.changes.expunged.has(uid) };
  }

  /** Every entry in sequence order (built on demand). */
  *entries(): IterableIterator<ViewEntry> {
    for (let s = 1; s <= this.cols.count; s++) yield this.entry(s) as ViewEntry;
  }

  /** Keywords in use in this mailbox (for the FLAGS response). */
  keywords(): string[] {
    return this.cols.keywords();
  }

  /** Sequence number of a UID the client knows, or 0. */
  seqOfUid(uid: number): number {
    return this.cols.seqOfUid(uid);
  }

  /** Sequence number of the first message with UID ≥ `uid` (exists + 1 when none). */
  seqOfUidAtLeast(uid: number): number {
    return this.cols.seqOfUidAtLeast(uid);
  }

  /** The entry a UID names, if the client knows it. */
  byUid(uid: number): ViewEntry | undefined {
    const seq = this.cols.seqOfUid(uid);
    return seq > 0 ? this.entry(seq) : undefined;
  }

  /**
   * UIDs in [lo, hi] of messages that exist as far as this view knows, ascending:
   * those in the sequence map (expunged ones not yet reported included) and
   * new ones not yet announced. Every UID below `uidNext` not listed here was
   * expunged by the view's modseq (UIDs are handed out in ascending order).
   */
  *heldUids(lo: number, hi: number): IterableIterator<number> {
    for (let s = this.cols.seqOfUidAtLeast(lo); s <= this.cols.count; s++) {
      const uid = this.cols.uidAt(s);
      if (uid > hi) return;
      yield uid;
    }
    for (const p of this.changes.pendingNew) {
      if (p.uid > hi) return;
      if (p.uid >= lo) yield p.uid;
    }
  }

  /** Called for a store change event of this mailbox (it may carry a new name after RENAME). */
  noteRenamed(name: string): void {
    this.name = name;
  }

  /**
   * Pulls the changes after the view's modseq and records them. Calls are
   * serialised; a failure (mailbox deleted) marks the view `gone` and every
   * message expunged.
   */
  refresh(): Promise<void> {
    const run = this.chain.then(() => this.pull());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pull(): Promise<void> {
    if (this.gone) return;
    const from = { account: this.account, name: this.name, mailboxId: this.mailboxId, modseq: this.modseq, highestKnown: this.uidNext - 1 };
    const result = await pullChanges(from, this.changes);
    if (result.gone) {
      this.gone = true;
      this.changes.dropAll();
      return;
    }
    this.modseq = result.modseq;
    this.uidNextSeen = Math.max(this.uidNextSeen, result.uidNext);
    this.addNew(result.fresh);
  }

  /** New messages (in UID order) for the next EXISTS, with their \Recent claims. */
  private addNew(records: readonly MessageRecord[]): void {
    if (records.length === 0) return;
    const recent = this.recentRegistry.claim(this.mailboxId, records.map((r) => r.uid), this.readOnly);
    for (const r of records) {
      if (recent.has(r.uid)) this.recentUids.add(r.uid);
      this.changes.addNew(r.uid, r.flags);
    }
  }

  /**
   * Builds the untagged responses for what changed since the last call and
   * updates the sequence map accordingly. With `allowExpunge` false,
   * expunged messages keep their sequence numbers (RFC 3501 §7.4.1).
   */
  takeUpdate(opts: { allowExpunge: boolean; qresync: boolean }): ViewUpdate {
    return this.changes.take({
      ...opts,
      modseq: this.modseq,
      isRecent: (uid) => this.isRecent(uid),
      recentCount: () => this.recentCount,
      removed: (uid) => this.recentUids.delete(uid),
    });
  }

  /**
   * Records the outcome of the session's own STORE (or FETCH setting \Seen):
   * the client gets these flags in the command's response, so they are not
   * reported again later.
   */
  applyOwnFlags(records: readonly { uid: number; flags: readonly string[] }[]): void {
    for (const r of records) this.changes.ownFlags(r.uid, r.flags);
  }
}
