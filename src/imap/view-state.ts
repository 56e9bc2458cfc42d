/**
 * State shared around mailbox views: the \Recent claims of a store (one
 * session per message, RFC 3501 §2.3.2), the per-view table of distinct flag
 * sets, and the cache of recently selected mailboxes' columns that makes a
 * repeated SELECT of a large mailbox cheap (see mailbox-view.ts).
 */

/**
 * Which session first saw each message, for \Recent (RFC 3501 §2.3.2: one
 * session at most). Per server process, keyed by mailbox id; not persisted,
 * so after a restart nothing is recent — a harmless reading of "first session
 * to be notified".
 */
export class RecentRegistry {
  private readonly claimed = new Map<number, number>();

  /**
   * `claim` of every UID up to `maxUid` (a mailbox's UIDs at SELECT): returns
   * the range (lo, hi] of UIDs that are recent for the caller, without a set.
   */
  claimUpTo(mailboxId: number, maxUid: number, peek: boolean): [number, number] {
    const before = this.claimed.get(mailboxId) ?? 0;
    if (maxUid <= before) return [before, before];
    if (!peek) this.claimed.set(mailboxId, maxUid);
    return [before, maxUid];
  }

  /** UIDs above the previous claim are recent for the caller; claims them unless `peek`. */
  claim(mailboxId: number, uids: Iterable<number>, peek: boolean): Set<number> {
    const before = this.claimed.get(mailboxId) ?? 0;
    const mine = new Set<number>();
    let max = before;
    for (const u of uids) {
      if (u > before) mine.add(u);
      if (u > max) max = u;
    }
    if (!peek && max > before) this.claimed.set(mailboxId, max);
    return mine;
  }
}

/** Interned flag sets of one view: messages share the array of their flag combination. */
export class FlagTable {
  private readonly sets: (readonly string[])[] = [];
  private readonly ids = new Map<string, number>();

  id(flags: readonly string[]): number {
    const key = flags.join(' ');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push([...flags]);
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): readonly string[] {
    return this.sets[id] ?? [];
  }

  get size(): number {
    return this.sets.length;
  }

  all(): readonly (readonly string[])[] {
    return this.sets;
  }
}

/** A view's columns at one modseq (see ViewCache). */
export interface ViewBase {
  uidValidity: number;
  modseq: number;
  uidNext: number;
  uids: Uint32Array;
  flagIds: Uint16Array | Uint32Array;
  sets: (readonly string[])[];
}

/**
 * The columns of recently selected mailboxes, per store, so the next SELECT
 * of a large mailbox copies them and replays the journal after their modseq
 * instead of reading every message record (the journal says exactly what
 * changed since). Bounded by entries and by bytes (6 bytes per message: a
 * UID and a flag-set number; 8 MB hold well over a million messages): the
 * least recently used entries are dropped first.
 */
export class ViewCache {
  private readonly entries = new Map<number, ViewBase>();
  private used = 0;
  /** Full reads in progress, so a SELECT during the start-up preload waits for it instead of reading twice. */
  private readonly loads = new Map<number, Promise<unknown>>();

  constructor(
    private readonly max = 32,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  get(mailboxId: number): ViewBase | undefined {
    const e = this.entries.get(mailboxId);
    if (e) {
      this.entries.delete(mailboxId);
      this.entries.set(mailboxId, e);
    }
    return e;
  }

  put(mailboxId: number, base: ViewBase): void {
    this.drop(mailboxId);
    this.entries.set(mailboxId, base);
    this.used += bytesOf(base);
    while (this.entries.size > this.max || (this.used > this.maxBytes && this.entries.size > 1)) this.drop(this.entries.keys().next().value as number);
  }

  /** Notes a full read of a mailbox in progress (see `settled`). */
  loading(mailboxId: number, load: Promise<unknown>): void {
    const done = load.then(
      () => undefined,
      () => undefined,
    );
    this.loads.set(mailboxId, done);
    void done.then(() => {
      if (this.loads.get(mailboxId) === done) this.loads.delete(mailboxId);
    });
  }

  /** Resolves when no full read of the mailbox is in progress (never rejects). */
  async settled(mailboxId: number): Promise<void> {
    await this.loads.get(mailboxId);
  }

  /** True when another mailbox would push older ones out (the start-up preload stops there). */
  get full(): boolean {
    return this.entries.size >= this.max || this.used >= this.maxBytes / 2;
  }

  /** Bytes held (for tests and the documentation's memory figures). */
  get bytes(): number {
    return this.used;
  }

  private drop(mailboxId: number): void {
    const e = this.entries.get(mailboxId);
    if (!e) return;
    this.entries.delete(mailboxId);
    this.used -= bytesOf(e);
  }
}

function bytesOf(base: ViewBase): number {
  return base.uids.byteLength + base.flagIds.byteLength;
}
