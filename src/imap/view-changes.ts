/**
 * What changed in a selected mailbox that its client has not been told yet
 * (see mailbox-view.ts): expunged messages that keep their sequence numbers
 * until an EXPUNGE may be sent, new messages waiting for EXISTS, and flag
 * changes waiting for an unsolicited FETCH.
 *
 * Changes come in two ways. Normally from the journal: the entries after the
 * view's modseq (`applyEntries`). When the store has pruned the journal past
 * the view's modseq (a session left idle while thousands of changes went by),
 * from a full picture of the mailbox instead (`applySnapshot`): what the view
 * knows is compared with every message record, which gives the same EXPUNGE,
 * FETCH and EXISTS the client would have got from the journal. (Either way a
 * flag changed and changed back in between is not reported: the client's
 * picture is already right.)
 */
import type { JournalEntry, MessageRecord } from '../store/types.js';
import type { ViewColumns } from './view-columns.js';

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

/** A message the client has not been told about yet: UID and flag-set number. */
export interface PendingNew {
  uid: number;
  flags: number;
}

/** The changes of one view not yet reported to its client. */
export class ViewChanges {
  /** Expunged in the store; keep their sequence numbers until the client is told. */
  readonly expunged = new Set<number>();
  /** New messages in UID order, above every UID of the columns. */
  pendingNew: PendingNew[] = [];
  /** uid → flag-set number last reported to the client, for messages whose flags changed since. */
  private readonly dirty = new Map<number, number>();
  /** uid → modseq of its latest flag change, for MODSEQ in unsolicited FETCH. */
  private readonly dirtyModseq = new Map<number, number>();

  constructor(private readonly cols: ViewColumns) {}

  /**
   * Records journal entries (oldest first). Returns the UIDs of new messages
   * whose records must be read from the store (`addNew` them afterwards).
   * `highestKnown` is the highest UID the view has accounted for.
   */
  applyEntries(entries: readonly JournalEntry[], highestKnown: number): Set<number> {
    const wanted = new Set<number>();
    for (const e of entries) {
      const seq = this.cols.seqOfUid(e.uid);
      const pending = seq === 0 ? this.pendingNew.find((p) => p.uid === e.uid) : undefined;
      if (e.type === 'append') {
        if (seq === 0 && !pending && e.uid > highestKnown) wanted.add(e.uid);
      } else if (e.type === 'flags') {
        const id = this.cols.table.id(e.flags);
        if (pending) pending.flags = id;
        else if (seq > 0) this.noteFlags(seq, e.uid, id, e.modseq);
        // A message in `wanted` is read from the store, with its current flags.
      } else if (pending) {
        this.pendingNew = this.pendingNew.filter((p) => p.uid !== e.uid);
      } else if (seq > 0) this.noteExpunged(e.uid);
      else wanted.delete(e.uid);
    }
    return wanted;
  }

  /**
   * Records the difference between the view and every message of the
   * mailbox now (`records`, in UID order). Returns the records of messages
   * new to the view (`addNew` them).
   */
  applySnapshot(records: readonly MessageRecord[], highestKnown: number): MessageRecord[] {
    const present = new Map<number, MessageRecord>();
    for (const r of records) present.set(r.uid, r);
    for (let seq = 1; seq <= this.cols.count; seq++) {
      const uid = this.cols.uidAt(seq);
      if (this.expunged.has(uid)) continue;
      const r = present.get(uid);
      if (!r) this.noteExpunged(uid);
      else {
        const id = this.cols.table.id(r.flags);
        if (id !== this.cols.flagIdAt(seq)) this.noteFlags(seq, uid, id, r.modseq);
      }
    }
    const pendingUids = new Set<number>();
    this.pendingNew = this.pendingNew.filter((p) => {
      const r = present.get(p.uid);
      if (r) {
        p.flags = this.cols.table.id(r.flags);
        pendingUids.add(p.uid);
      }
      return r !== undefined;
    });
    return records.filter((r) => r.uid > highestKnown && !pendingUids.has(r.uid));
  }

  /** Queues a new message for the next EXISTS. */
  addNew(uid: number, flags: readonly string[]): void {
    this.pendingNew.push({ uid, flags: this.cols.table.id(flags) });
  }

  /** The mailbox is gone: every message the client knows is expunged, nothing new comes. */
  dropAll(): void {
    for (let seq = 1; seq <= this.cols.count; seq++) this.expunged.add(this.cols.uidAt(seq));
    this.pendingNew = [];
  }

  /** The session's own flag change, reported in its command's response: not reported again. */
  ownFlags(uid: number, flags: readonly string[]): void {
    const seq = this.cols.seqOfUid(uid);
    if (seq === 0 || this.expunged.has(uid)) return;
    this.cols.setFlagIdAt(seq, this.cols.table.id(flags));
    this.dirty.delete(uid);
    this.dirtyModseq.delete(uid);
  }

  private noteFlags(seq: number, uid: number, id: number, modseq: number): void {
    if (this.expunged.has(uid)) return;
    if (!this.dirty.has(uid)) this.dirty.set(uid, this.cols.flagIdAt(seq));
    this.cols.setFlagIdAt(seq, id);
    this.dirtyModseq.set(uid, modseq);
  }

  private noteExpunged(uid: number): void {
    this.expunged.add(uid);
    this.dirty.delete(uid);
    this.dirtyModseq.delete(uid);
  }

  /**
   * Builds the untagged responses for what changed since the last call and
   * updates the columns accordingly. With `allowExpunge` false, expunged
   * messages keep their sequence numbers (RFC 3501 §7.4.1). `removed` is
   * called for each message taken out of the columns.
   */
  take(opts: { allowExpunge: boolean; qresync: boolean; modseq: number; isRecent: (uid: number) => boolean; recentCount: () => number; removed: (uid: number) => void }): ViewUpdate {
    const out: ViewUpdate = { expunged: [], vanished: [], exists: null, recent: null, fetches: [] };
    const cols = this.cols;
    if (opts.allowExpunge && this.expunged.size > 0) {
      // Highest first, so every number sent is still valid when the client reads it.
      for (let seq = cols.count; seq >= 1; seq--) {
        const uid = cols.uidAt(seq);
        if (!this.expunged.has(uid)) continue;
        opts.removed(uid);
        if (opts.qresync) out.vanished.push(uid);
        else out.expunged.push(seq);
      }
      cols.remove(this.expunged);
      this.expunged.clear();
      out.vanished.reverse();
    }
    for (const [uid, before] of this.dirty) {
      const seq = cols.seqOfUid(uid);
      if (seq === 0 || this.expunged.has(uid)) continue;
      const id = cols.flagIdAt(seq);
      if (id === before) continue;
      out.fetches.push({ seq, uid, flags: cols.table.get(id), recent: opts.isRecent(uid), modseq: this.dirtyModseq.get(uid) ?? opts.modseq });
    }
    for (const f of out.fetches) {
      this.dirty.delete(f.uid);
      this.dirtyModseq.delete(f.uid);
    }
    for (const uid of [...this.dirty.keys()]) if (!this.expunged.has(uid)) this.dirty.delete(uid);
    out.fetches.sort((a, b) => a.seq - b.seq);
    if (this.pendingNew.length > 0) {
      for (const p of this.pendingNew) cols.push(p.uid, p.flags);
      this.pendingNew = [];
      out.exists = cols.count;
      out.recent = opts.recentCount();
    }
    return out;
  }
}
