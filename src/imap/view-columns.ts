/**
 * The sequence map of a selected mailbox, in columns (see mailbox-view.ts):
 * message i (sequence number i + 1) has UID `uids[i]` and the flag set
 * `table.get(flagIds[i])`. An idle session on a 10,000-message mailbox holds
 * 6 bytes per message here and nothing else per message.
 */
import { FlagTable, type ViewBase } from './view-state.js';

/** UIDs (ascending) and flag-set numbers of the messages a client knows. */
export class ViewColumns {
  private uids = new Uint32Array(16);
  private flagIds: Uint16Array | Uint32Array = new Uint16Array(16);
  private n = 0;
  /** The distinct flag sets of this mailbox; `flagIds` index into it. */
  readonly table = new FlagTable();

  /** Columns copied from the cache. */
  static fromBase(base: ViewBase): ViewColumns {
    const cols = new ViewColumns();
    const n = base.uids.length;
    cols.reserve(n);
    cols.uids.set(base.uids);
    cols.flagIds = base.flagIds instanceof Uint16Array ? new Uint16Array(cols.uids.length) : new Uint32Array(cols.uids.length);
    cols.flagIds.set(base.flagIds);
    cols.n = n;
    for (const set of base.sets) cols.table.id(set);
    return cols;
  }

  /** Copies of the columns for the cache. */
  toBase(): Pick<ViewBase, 'uids' | 'flagIds' | 'sets'> {
    return { uids: this.uids.slice(0, this.n), flagIds: this.flagIds.slice(0, this.n), sets: [...this.table.all()] };
  }

  /** Number of messages (the client's EXISTS). */
  get count(): number {
    return this.n;
  }

  /** The highest UID in the map, or 0. */
  get lastUid(): number {
    return this.n > 0 ? (this.uids[this.n - 1] as number) : 0;
  }

  /** Makes room for `count` messages. */
  reserve(count: number): void {
    if (count <= this.uids.length) return;
    const cap = Math.max(count, this.uids.length * 2);
    const uids = new Uint32Array(cap);
    uids.set(this.uids.subarray(0, this.n));
    this.uids = uids;
    const ids = this.flagIds instanceof Uint16Array ? new Uint16Array(cap) : new Uint32Array(cap);
    ids.set(this.flagIds.subarray(0, this.n));
    this.flagIds = ids;
  }

  /** Appends a message; its UID must be above every UID in the map. */
  push(uid: number, flagId: number): void {
    this.reserve(this.n + 1);
    this.uids[this.n] = uid;
    this.setFlagIdAt(this.n + 1, flagId);
    this.n++;
  }

  /** UID of a sequence number (1-based); 0 when out of range. */
  uidAt(seq: number): number {
    return seq >= 1 && seq <= this.n ? (this.uids[seq - 1] as number) : 0;
  }

  /** Flag-set number of a sequence number (1-based; no bounds check). */
  flagIdAt(seq: number): number {
    return this.flagIds[seq - 1] as number;
  }

  /** Flags of a sequence number (1-based; no bounds check). */
  flagsAt(seq: number): readonly string[] {
    return this.table.get(this.flagIds[seq - 1] as number);
  }

  /** Sets the flag-set number of a sequence number (1-based), widening the column past 65,535 sets. */
  setFlagIdAt(seq: number, id: number): void {
    if (id > 0xffff && this.flagIds instanceof Uint16Array) this.flagIds = Uint32Array.from(this.flagIds);
    this.flagIds[seq - 1] = id;
  }

  /** Sequence number of a UID, or 0. Binary search: UIDs ascend with sequence numbers. */
  seqOfUid(uid: number): number {
    const s = this.seqOfUidAtLeast(uid);
    return s <= this.n && this.uids[s - 1] === uid ? s : 0;
  }

  /** Sequence number of the first message with UID ≥ `uid` (count + 1 when none). */
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

  /** Sequence number of the first message without \Seen, or 0 (one test per flag set). */
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

  /** Keywords in use (for the FLAGS response). */
  keywords(): string[] {
    const out = new Set<string>();
    for (const set of this.table.all()) for (const f of set) if (!f.startsWith('\\')) out.add(f);
    return [...out];
  }

  /** Removes the messages whose UIDs are in `drop`; later ones move down. */
  remove(drop: ReadonlySet<number>): void {
    let w = 0;
    for (let i = 0; i < this.n; i++) {
      const uid = this.uids[i] as number;
      if (drop.has(uid)) continue;
      this.uids[w] = uid;
      this.flagIds[w] = this.flagIds[i] as number;
      w++;
    }
    this.n = w;
  }
}
