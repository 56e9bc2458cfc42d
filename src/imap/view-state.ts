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
 * changed since). Bounded: the least recently used entries are dropped.
 */
export class ViewCache {
  private readonly entries = new Map<number, ViewBase>();

  constructor(private readonly max = 32) {}

  get(mailboxId: number): ViewBase | undefined {
    const e = this.entries.get(mailboxId);
    if (e) {
      this.entries.delete(mailboxId);
      this.entries.set(mailboxId, e);
    }
    return e;
  }

  put(mailboxId: number, base: ViewBase): void {
    this.entries.delete(mailboxId);
    this.entries.set(mailboxId, base);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as number);
  }
}
