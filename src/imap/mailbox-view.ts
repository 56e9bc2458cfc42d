/**
 * The per-session view of a selected mailbox (ARCHITECTURE rule 3): the
 * store knows UIDs, the session knows sequence numbers, and this view owns
 * the map between them.
 *
 * How other sessions' changes reach the client (RFC 3501 §5.2, §5.5, §7.4.1;
 * RFC 7162 §3.2.10): the session subscribes to the store's change events
 * and calls `refresh()`, which pulls the journal entries after the view's
 * modseq and records what changed — new messages wait in `pendingNew`,
 * expunged ones stay in the sequence map marked `expunged`, flag changes
 * mark the message. Nothing is sent then. At the moments the RFC allows, the
 * session calls `takeUpdate()`, which merges the new messages (EXISTS),
 * reports flag changes (FETCH) and, only when `allowExpunge` is true,
 * removes expunged messages (EXPUNGE, or VANISHED under QRESYNC). So a
 * sequence number never changes meaning during a FETCH, STORE or SEARCH.
 * The session's own changes travel the same path, which keeps one code path
 * for "what changed" and makes EXPUNGE/MOVE/APPEND report themselves.
 */
import type { AccountStore, JournalEntry, MessageRecord } from '../store/types.js';

/** One message as this session knows it. */
export interface ViewMessage {
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: number;
  size: number;
  blobId: string;
  /** \Recent for this session (RFC 3501 §2.3.2). */
  recent: boolean;
  /** Expunged in the store; keeps its sequence number until the client is told. */
  expunged: boolean;
  /** Flags as last told to the client (joined), to report changes only once. */
  reported: string;
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
  fetches: { seq: number; uid: number; flags: string[]; modseq: number }[];
}

/**
 * Which session first saw each message, for \Recent (RFC 3501 §2.3.2: one
 * session at most). Per server process, keyed by mailbox id; not persisted,
 * so after a restart nothing is recent — a harmless reading of "first session
 * to be notified".
 */
export class RecentRegistry {
  private readonly claimed = new Map<number, number>();

  /** Marks UIDs above the previous claim as recent for the caller (unless `peek`). Returns those UIDs. */
  claim(mailboxId: number, uids: readonly number[], peek: boolean): Set<number> {
    const before = this.claimed.get(mailboxId) ?? 0;
    const mine = new Set(uids.filter((u) => u > before));
    if (!peek && uids.length > 0) this.claimed.set(mailboxId, Math.max(before, ...uids));
    return mine;
  }
}

function flagKey(flags: readonly string[]): string {
  return flags.join(' ');
}

function toView(r: MessageRecord, recent: boolean): ViewMessage {
  return { uid: r.uid, modseq: r.modseq, flags: r.flags, internalDate: r.internalDate, size: r.size, blobId: r.blobId, recent, expunged: false, reported: flagKey(r.flags) };
}

/** Options of `MailboxView.open`. */
export interface OpenViewOptions {
  account: AccountStore;
  /** Mailbox name as the store knows it (Unicode, INBOX folded). */
  name: string;
  readOnly: boolean;
  recent: RecentRegistry;
}

/**
 * A selected mailbox. Made by `open` (which fails `notFound` like the store);
 * the session drops it at CLOSE/UNSELECT/LOGOUT — there is nothing to close.
 */
export class MailboxView {
  private msgs: ViewMessage[] = [];
  private pendingNew: ViewMessage[] = [];
  private dirty = new Set<ViewMessage>();
  private chain: Promise<void> = Promise.resolve();
  private hasExpunged = false;
  /** True once the mailbox was deleted under the session. */
  gone = false;

  private constructor(
    private readonly account: AccountStore,
    public name: string,
    readonly mailboxId: number,
    readonly uidValidity: number,
    readonly readOnly: boolean,
    private readonly recentRegistry: RecentRegistry,
    /** Journal position: every entry up to this modseq is reflected. */
    private modseq: number,
    private uidNextSeen: number,
  ) {}

  /** Selects a mailbox: a consistent snapshot plus \Recent claims. Fails `notFound`. */
  static async open(opts: OpenViewOptions): Promise<MailboxView> {
    const snap = await opts.account.snapshot(opts.name);
    const info = snap.mailbox;
    const view = new MailboxView(opts.account, info.name, info.id, info.uidValidity, opts.readOnly, opts.recent, info.highestModseq, info.uidNext);
    const recent = opts.recent.claim(info.id, snap.messages.map((m) => m.uid), opts.readOnly);
    view.msgs = snap.messages.map((m) => toView(m, recent.has(m.uid)));
    return view;
  }

  /** Messages the client knows, by sequence number − 1 (expunged ones included until reported). */
  get messages(): readonly ViewMessage[] {
    return this.msgs;
  }

  get exists(): number {
    return this.msgs.length;
  }

  get highestModseq(): number {
    return this.modseq;
  }

  get uidNext(): number {
    const last = this.pendingNew[this.pendingNew.length - 1] ?? this.msgs[this.msgs.length - 1];
    return Math.max(this.uidNextSeen, last ? last.uid + 1 : 1);
  }

  get recentCount(): number {
    return this.msgs.reduce((n, m) => n + (m.recent ? 1 : 0), 0);
  }

  /** Sequence number of a UID the client knows, or 0. Binary search: UIDs ascend with sequence numbers. */
  seqOfUid(uid: number): number {
    let a = 0;
    let b = this.msgs.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      const u = (this.msgs[m] as ViewMessage).uid;
      if (u === uid) return m + 1;
      if (u < uid) a = m + 1;
      else b = m - 1;
    }
    return 0;
  }

  /** Sequence number of the first message with UID ≥ `uid` (exists + 1 when none). */
  seqOfUidAtLeast(uid: number): number {
    let a = 0;
    let b = this.msgs.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if ((this.msgs[m] as ViewMessage).uid < uid) a = m + 1;
      else b = m;
    }
    return a + 1;
  }

  /** The message a UID names, if the client knows it. */
  byUid(uid: number): ViewMessage | undefined {
    const seq = this.seqOfUid(uid);
    return seq > 0 ? this.msgs[seq - 1] : undefined;
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
    let entries: JournalEntry[];
    try {
      entries = await this.account.changesSince(this.name, this.modseq);
    } catch {
      this.gone = true;
      for (const m of this.msgs) this.markExpunged(m);
      this.pendingNew = [];
      return;
    }
    if (entries.length === 0) return;
    const wanted = new Set<number>();
    const pendingByUid = new Map(this.pendingNew.map((m) => [m.uid, m]));
    let highestKnown = this.uidNext - 1;
    for (const e of entries) {
      this.modseq = Math.max(this.modseq, e.modseq);
      const known = this.byUid(e.uid) ?? pendingByUid.get(e.uid);
      if (e.type === 'append') {
        if (!known && e.uid > highestKnown) wanted.add(e.uid);
      } else if (e.type === 'flags') {
        if (known && !known.expunged) {
          known.flags = e.flags;
          known.modseq = e.modseq;
          this.dirty.add(known);
        }
      } else if (known) {
        if (pendingByUid.has(e.uid)) {
          pendingByUid.delete(e.uid);
          this.pendingNew = this.pendingNew.filter((m) => m.uid !== e.uid);
        } else this.markExpunged(known);
      } else wanted.delete(e.uid);
    }
    if (wanted.size > 0) {
      const first = Math.min(...wanted);
      highestKnown = Math.max(highestKnown, ...wanted);
      const records = (await this.account.listMessages(this.name, first)).filter((r) => wanted.has(r.uid));
      const recent = this.recentRegistry.claim(this.mailboxId, records.map((r) => r.uid), this.readOnly);
      for (const r of records) this.pendingNew.push(toView(r, recent.has(r.uid)));
    }
    this.uidNextSeen = Math.max(this.uidNextSeen, highestKnown + 1);
  }

  private markExpunged(m: ViewMessage): void {
    if (m.expunged) return;
    m.expunged = true;
    this.hasExpunged = true;
    this.dirty.delete(m);
  }

  /** True when there are expunges the client has not been told about. */
  get expungePending(): boolean {
    return this.hasExpunged;
  }

  /**
   * Builds the untagged responses for what changed since the last call and
   * updates the sequence map accordingly. With `allowExpunge` false,
   * expunged messages keep their sequence numbers (RFC 3501 §7.4.1).
   */
  takeUpdate(opts: { allowExpunge: boolean; qresync: boolean }): ViewUpdate {
    const out: ViewUpdate = { expunged: [], vanished: [], exists: null, recent: null, fetches: [] };
    if (opts.allowExpunge && this.hasExpunged) {
      // Highest first, so every number sent is still valid when the client reads it.
      for (let i = this.msgs.length - 1; i >= 0; i--) {
        const m = this.msgs[i] as ViewMessage;
        if (!m.expunged) continue;
        if (opts.qresync) out.vanished.push(m.uid);
        else out.expunged.push(i + 1);
      }
      this.msgs = this.msgs.filter((m) => !m.expunged);
      out.vanished.reverse();
      this.hasExpunged = false;
    }
    for (const m of this.dirty) {
      if (m.expunged) continue;
      const key = flagKey(m.flags);
      if (key === m.reported) continue;
      m.reported = key;
      const seq = this.seqOfUid(m.uid);
      if (seq > 0) out.fetches.push({ seq, uid: m.uid, flags: m.flags, modseq: m.modseq });
    }
    this.dirty.clear();
    out.fetches.sort((a, b) => a.seq - b.seq);
    if (this.pendingNew.length > 0) {
      this.msgs.push(...this.pendingNew);
      this.pendingNew = [];
      out.exists = this.msgs.length;
      out.recent = this.recentCount;
    }
    return out;
  }

  /**
   * Records the outcome of the session's own STORE: the client gets these
   * flags in the STORE response, so they are not reported again later.
   */
  applyOwnFlags(records: readonly MessageRecord[]): void {
    for (const r of records) {
      const m = this.byUid(r.uid);
      if (!m || m.expunged) continue;
      m.flags = r.flags;
      m.modseq = r.modseq;
      m.reported = flagKey(r.flags);
    }
  }
}
