/**
 * The per-session view of a selected mailbox (ARCHITECTURE rule 3): the
 * store knows UIDs, the session knows sequence numbers, and this view owns
 * the map between them.
 *
 * How other sessions' changes reach the client (RFC 3501 §5.2, §5.5, §7.4.1;
 * RFC 7162 §3.2.10): the session subscribes to the store's change events
 * and calls `refresh()`, which pulls the journal entries after the view's
 * modseq and records what changed — new messages wait in `pendingNew`,
 * expunged ones stay in the sequence map marked expunged, flag changes are
 * noted. Nothing is sent then. At the moments the RFC allows, the session
 * calls `takeUpdate()`, which merges the new messages (EXISTS), reports flag
 * changes (FETCH) and, only when `allowExpunge` is true, removes expunged
 * messages (EXPUNGE, or VANISHED under QRESYNC). So a sequence number never
 * changes meaning during a FETCH, STORE or SEARCH. The session's own changes
 * travel the same path, which keeps one code path for "what changed".
 *
 * Memory: an idle session on a large mailbox must stay small (the issue's
 * target is under 100 KB per idle connection), so the view keeps only what
 * sequence numbers and flag reporting need, in columns: UIDs in a
 * Uint32Array and, per message, the index of its flag set in a small table
 * of distinct flag sets (few per mailbox: none, \Seen, \Seen \Answered...).
 * Sizes, dates, body ids and modseqs stay in the store and are read for the
 * messages a command touches (message-records.ts).
 */
import type { AccountStore, JournalEntry } from '../store/types.js';
import { FlagTable, type RecentRegistry, type ViewBase, type ViewCache } from './view-state.js';

export { RecentRegistry, ViewCache } from './view-state.js';

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

/** Untagged responses the session must send, in this order. */
export interface ViewUpdate {
  /** Sequence numbers to send `* n EXPUNGE` for, in sending order (each valid when sent). */
  expunged: number[];
  /** UIDs for `* VANISHED` (QRESYNC enabled) instead of EXPUNGE. */
  vanished: number[];
  /** New message count for `* n EXISTS`, or null when unchanged. */
  exists: number | null;
  /** `* n RECENT` when `exists` is sent. */
  recent: number | null;
  /** Flag changes to report as unsolicited FETCH. */
  fetches: { seq: number; uid: number; flags: readonly string[]; recent: boolean; modseq: number }[];
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
  private uids = new Uint32Array(16);
  private flagIds: Uint16Array | Uint32Array = new Uint16Array(16);
  private n = 0;
  private readonly table = new FlagTable();
  /**
   * \Recent for this session: the UIDs in (recentLo, recentHi] claimed when the
   * mailbox was selected (a range, so selecting a mailbox of 10,000 new
   * messages builds no set of 10,000), plus those claimed one by one later.
   */
  private recentLo = 0;
  private recentHi = 0;
  private readonly recentUids = new Set<number>();
  private readonly expungedUids = new Set<number>();
  private pendingNew: { uid: number; flags: number }[] = [];
  /** uid → flag-set id last reported to the client, for messages whose flags changed since. */
  private readonly dirty = new Map<number, number>();
  /** uid → modseq of its latest flag change, for MODSEQ in unsolicited FETCH. */
  private readonly dirtyModseq = new Map<number, number>();
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
  ) {}

  /**
   * Selects a mailbox: the cached columns brought up to date from the journal,
   * or else a consistent snapshot; plus \Recent claims. Fails `notFound`.
   */
  static async open(opts: OpenViewOptions): Promise<MailboxView> {
    const info = await opts.account.getMailbox(opts.name);
    await opts.cache?.settled(info.id);
    const base = opts.cache?.get(info.id);
    let view: MailboxView;
    if (base && base.uidValidity === info.uidValidity) view = await MailboxView.fromBase(opts, info.name, info.id, base, info.highestModseq);
    else {
      const load = MailboxView.fromSnapshot(opts);
      opts.cache?.loading(info.id, load);
      view = await load;
    }
    opts.cache?.put(view.mailboxId, view.base());
    return view;
  }

  private static async fromBase(opts: OpenViewOptions, name: string, id: number, base: ViewBase, highestModseq: number): Promise<MailboxView> {
    const view = new MailboxView(opts.account, name, id, base.uidValidity, opts.readOnly, opts.recent, base.modseq, base.uidNext);
    const n = base.uids.length;
    view.reserve(n);
    view.uids.set(base.uids);
    view.flagIds = base.flagIds instanceof Uint16Array ? new Uint16Array(view.uids.length) : new Uint32Array(view.uids.length);
    view.flagIds.set(base.flagIds);
    view.n = n;
    for (const set of base.sets) view.table.id(set);
    [view.recentLo, view.recentHi] = opts.recent.claimUpTo(id, n > 0 ? (base.uids[n - 1] as number) : 0, opts.readOnly);
    // Catch up with the journal; the client has seen nothing yet, so the update itself is dropped.
    // The store's mailbox record is never behind what is on disk: at its modseq there is nothing to read.
    if (highestModseq !== base.modseq) await view.refresh();
    view.takeUpdate({ allowExpunge: true, qresync: false });
    return view;
  }

  /** This view's columns, copied (for the cache). */
  private base(): ViewBase {
    return { uidValidity: this.uidValidity, modseq: this.modseq, uidNext: this.uidNext, uids: this.uids.slice(0, this.n), flagIds: this.flagIds.slice(0, this.n), sets: [...this.table.all()] };
  }

  private static async fromSnapshot(opts: OpenViewOptions): Promise<MailboxView> {
    const snap = await opts.account.snapshot(opts.name);
    const info = snap.mailbox;
    const view = new MailboxView(opts.account, info.name, info.id, info.uidValidity, opts.readOnly, opts.recent, info.highestModseq, info.uidNext);
    [view.recentLo, view.recentHi] = opts.recent.claimUpTo(info.id, snap.messages[snap.messages.length - 1]?.uid ?? 0, opts.readOnly);
    view.reserve(snap.messages.length);
    for (const m of snap.messages) view.push(m.uid, view.table.id(m.flags));
    return view;
  }

  private reserve(count: number): void {
    if (count <= this.uids.length) return;
    const cap = Math.max(count, this.uids.length * 2);
    const uids = new Uint32Array(cap);
    uids.set(this.uids.subarray(0, this.n));
    this.uids = uids;
    const ids = this.flagIds instanceof Uint16Array ? new Uint16Array(cap) : new Uint32Array(cap);
    ids.set(this.flagIds.subarray(0, this.n));
    this.flagIds = ids;
  }

  private setFlagId(i: number, id: number): void {
    if (id > 0xffff && this.flagIds instanceof Uint16Array) this.flagIds = Uint32Array.from(this.flagIds);
    this.flagIds[i] = id;
  }

  private push(uid: number, flagId: number): void {
    this.reserve(this.n + 1);
    this.uids[this.n] = uid;
    this.setFlagId(this.n, flagId);
    this.n++;
  }

  /** Messages the client knows (expunged ones included until reported). */
  get exists(): number {
    return this.n;
  }

  get highestModseq(): number {
    return this.modseq;
  }

  get uidNext(): number {
    const last = this.pendingNew[this.pendingNew.length - 1]?.uid ?? (this.n > 0 ? (this.uids[this.n - 1] as number) : 0);
    return Math.max(this.uidNextSeen, last + 1);
  }

  get recentCount(): number {
    let count = 0;
    // UIDs of the claimed range still in the sequence map: two binary searches.
    if (this.recentHi > this.recentLo) count += this.seqOfUidAtLeast(this.recentHi + 1) - this.seqOfUidAtLeast(this.recentLo + 1);
    for (const u of this.recentUids) if (this.seqOfUid(u) > 0) count++;
    return count;
  }

  /** UID of a sequence number (1-based); 0 when out of range. */
  uidAt(seq: number): number {
    return seq >= 1 && seq <= this.n ? (this.uids[seq - 1] as number) : 0;
  }

  /** Sequence number of the first message without \Seen, or 0 (SELECT's UNSEEN; one test per flag set). */
  firstUnseen(): number {
    const seen = new Map<number, boolean>();
    for (let i = 0; i < this.n; i++) {
      const id = this.flagIds[i] as number;
      let has = seen.get(id);
      if (has === undefined) {
        has = this.table.get(id).includes('\\Seen');
        seen.set(id, has);
      }
      if (!has) return i + 1;
    }
    return 0;
  }

  /** Flags of a sequence number (1-based; no bounds check), without building an entry. */
  flagsAt(seq: number): readonly string[] {
    return this.table.get(this.flagIds[seq - 1] as number);
  }

  /** \Recent of a UID for this session. */
  isRecent(uid: number): boolean {
    return (uid > this.recentLo && uid <= this.recentHi) || this.recentUids.has(uid);
  }

  /** True when the message was expunged and the client has not been told yet. */
  isExpunged(uid: number): boolean {
    return this.expungedUids.has(uid);
  }

  /** The entry of a sequence number (1-based), or undefined. */
  entry(seq: number): ViewEntry | undefined {
    if (seq < 1 || seq > this.n) return undefined;
    const uid = this.uids[seq - 1] as number;
    return { seq, uid, flags: this.table.get(this.flagIds[seq - 1] as number), recent: this.isRecent(uid), expunged: this.expungedUids.has(uid) };
  }

  /** Every entry in sequence order (built on demand). */
  *entries(): IterableIterator<ViewEntry> {
    for (let s = 1; s <= this.n; s++) yield this.entry(s) as ViewEntry;
  }

  /** Keywords in use in this mailbox (for the FLAGS response). */
  keywords(): string[] {
    const out = new Set<string>();
    for (const set of this.table.all()) for (const f of set) if (!f.startsWith('\\')) out.add(f);
    return [...out];
  }

  /** Sequence number of a UID the client knows, or 0. Binary search: UIDs ascend with sequence numbers. */
  seqOfUid(uid: number): number {
    const s = this.seqOfUidAtLeast(uid);
    return s <= this.n && this.uids[s - 1] === uid ? s : 0;
  }

  /** Sequence number of the first message with UID ≥ `uid` (exists + 1 when none). */
  seqOfUidAtLeast(uid: number): number {
    let a = 0;
    let b = this.n;
    while (a < b) {
      const m = (a + b) >> 1;
      if ((this.uids[m] as number) < uid) a = m + 1;
      else b = m;
    }
    return a + 1;
  }

  /** The entry a UID names, if the client knows it. */
  byUid(uid: number): ViewEntry | undefined {
    const seq = this.seqOfUid(uid);
    return seq > 0 ? this.entry(seq) : undefined;
  }

  /** Called for a store change event of this mailbox (it may carry a new name after RENAME). */
  noteRenamed(name: string): void {
    this.name = name;
  }

  /**
   * Pulls the journal entries after the view's modseq and records them.
   * Calls are serialised; a failure (mailbox deleted) marks the view `gone`
   * and every message expunged.
   */
  refresh(): Promise<void> {
    const run = this.chain.then(() => this.pull());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pull(): Promise<void> {
    if (this.gone) return;
    // The store's mailbox record (in memory) is never behind its journal: when its modseq is the
    // view's, there is nothing to read — the common case after SELECT and NOOP.
    try {
      if ((await this.account.getMailbox(this.name)).highestModseq === this.modseq) return;
    } catch {
      // Gone or renamed: the journal read below finds out.
    }
    let entries: JournalEntry[];
    try {
      entries = await this.account.changesSince(this.name, this.modseq);
    } catch {
      this.gone = true;
      for (let i = 0; i < this.n; i++) this.expungedUids.add(this.uids[i] as number);
      this.pendingNew = [];
      return;
    }
    if (entries.length === 0) return;
    const wanted = new Set<number>();
    const highestKnown = this.uidNext - 1;
    for (const e of entries) {
      this.modseq = Math.max(this.modseq, e.modseq);
      const seq = this.seqOfUid(e.uid);
      const pending = seq === 0 ? this.pendingNew.find((p) => p.uid === e.uid) : undefined;
      if (e.type === 'append') {
        if (seq === 0 && !pending && e.uid > highestKnown) wanted.add(e.uid);
      } else if (e.type === 'flags') {
        const id = this.table.id(e.flags);
        if (pending) pending.flags = id;
        else if (seq > 0 && !this.expungedUids.has(e.uid)) {
          if (!this.dirty.has(e.uid)) this.dirty.set(e.uid, this.flagIds[seq - 1] as number);
          this.setFlagId(seq - 1, id);
          this.dirtyModseq.set(e.uid, e.modseq);
        }
        // A message in `wanted` is read below from the store, with its current flags.
      } else if (pending) {
        this.pendingNew = this.pendingNew.filter((p) => p.uid !== e.uid);
      } else if (seq > 0) {
        this.expungedUids.add(e.uid);
        this.dirty.delete(e.uid);
        this.dirtyModseq.delete(e.uid);
      } else wanted.delete(e.uid);
    }
    if (wanted.size > 0) {
      let first = Infinity;
      let last = 0;
      for (const u of wanted) {
        if (u < first) first = u;
        if (u > last) last = u;
      }
      const records = (await this.account.listMessages(this.name, first, last)).filter((r) => wanted.has(r.uid));
      const recent = this.recentRegistry.claim(this.mailboxId, records.map((r) => r.uid), this.readOnly);
      for (const r of records) {
        if (recent.has(r.uid)) this.recentUids.add(r.uid);
        this.pendingNew.push({ uid: r.uid, flags: this.table.id(r.flags) });
      }
      this.uidNextSeen = Math.max(this.uidNextSeen, last + 1);
    }
  }

  /** True when there are expunges the client has not been told about. */
  get expungePending(): boolean {
    return this.expungedUids.size > 0;
  }

  /**
   * Builds the untagged responses for what changed since the last call and
   * updates the sequence map accordingly. With `allowExpunge` false,
   * expunged messages keep their sequence numbers (RFC 3501 §7.4.1).
   */
  takeUpdate(opts: { allowExpunge: boolean; qresync: boolean }): ViewUpdate {
    const out: ViewUpdate = { expunged: [], vanished: [], exists: null, recent: null, fetches: [] };
    if (opts.allowExpunge && this.expungedUids.size > 0) {
      // Highest first, so every number sent is still valid when the client reads it.
      for (let i = this.n - 1; i >= 0; i--) {
        const uid = this.uids[i] as number;
        if (!this.expungedUids.has(uid)) continue;
        if (opts.qresync) out.vanished.push(uid);
        else out.expunged.push(i + 1);
      }
      let w = 0;
      for (let i = 0; i < this.n; i++) {
        const uid = this.uids[i] as number;
        if (this.expungedUids.has(uid)) {
          this.recentUids.delete(uid);
          continue;
        }
        this.uids[w] = uid;
        this.flagIds[w] = this.flagIds[i] as number;
        w++;
      }
      this.n = w;
      this.expungedUids.clear();
      out.vanished.reverse();
    }
    for (const [uid, before] of this.dirty) {
      const seq = this.seqOfUid(uid);
      if (seq === 0 || this.expungedUids.has(uid)) continue;
      const id = this.flagIds[seq - 1] as number;
      if (id === before) continue;
      out.fetches.push({ seq, uid, flags: this.table.get(id), recent: this.isRecent(uid), modseq: this.dirtyModseq.get(uid) ?? this.modseq });
    }
    for (const f of out.fetches) {
      this.dirty.delete(f.uid);
      this.dirtyModseq.delete(f.uid);
    }
    for (const uid of [...this.dirty.keys()]) if (!this.expungedUids.has(uid)) this.dirty.delete(uid);
    out.fetches.sort((a, b) => a.seq - b.seq);
    if (this.pendingNew.length > 0) {
      for (const p of this.pendingNew) this.push(p.uid, p.flags);
      this.pendingNew = [];
      out.exists = this.n;
      out.recent = this.recentCount;
    }
    return out;
  }

  /**
   * Records the outcome of the session's own STORE (or FETCH setting \Seen):
   * the client gets these flags in the command's response, so they are not
   * reported again later.
   */
  applyOwnFlags(records: readonly { uid: number; flags: readonly string[] }[]): void {
    for (const r of records) {
      const seq = this.seqOfUid(r.uid);
      if (seq === 0 || this.expungedUids.has(r.uid)) continue;
      this.setFlagId(seq - 1, this.table.id(r.flags));
      this.dirty.delete(r.uid);
      this.dirtyModseq.delete(r.uid);
    }
  }
}
