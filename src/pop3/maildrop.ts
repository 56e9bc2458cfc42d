import type { MailStore } from '../store/types.js';

/** The maildrop is the account's INBOX (ARCHITECTURE rule 2): POP3 is a thin front on the IMAP model. */
export const MAILDROP = 'INBOX';

/** One message of a session's snapshot. */
export interface MaildropEntry {
  uid: number;
  /** Octets RETR sends before byte-stuffing: the stored bytes, which are CRLF already. */
  size: number;
  blobId: string;
  /** RFC 1939 §7 unique-id: 16 hex digits from UIDVALIDITY and UID (like Dovecot's `%08Xv%08Xu`). */
  uidl: string;
  deleted: boolean;
}

/** Result of looking up a message number (RFC 1939: numbers are 1-based and never reused within a session). */
export type Lookup = { found: true; entry: MaildropEntry } | { found: false; reason: 'missing' | 'deleted' };

/**
 * The unique-id of a message: fixed-width hex of UIDVALIDITY then UID. It
 * stays the same across sessions and restarts, and across expunges of other
 * messages (UIDs are never reused within a UIDVALIDITY); a recreated INBOX
 * gets a new UIDVALIDITY and so new ids, which makes clients fetch again
 * rather than skip mail. Always 16 characters in 0x30–0x46 (RFC 1939 §7: 1–70 in 0x21–0x7E).
 */
export function uidlOf(uidValidity: number, uid: number): string {
  return uidValidity.toString(16).toUpperCase().padStart(8, '0') + uid.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * A session's view of the INBOX, taken once at login (RFC 1939 §4: the
 * maildrop as it was when the session entered TRANSACTION; mail arriving
 * later appears in the next session). DELE only marks; nothing touches the
 * store until `commit()`.
 */
export class Maildrop {
  private constructor(
    private readonly store: MailStore,
    readonly address: string,
    readonly entries: readonly MaildropEntry[],
  ) {}

  /** Snapshots the INBOX of `address`. Fails with the store's `MailError`s (notFound, temporary). */
  static async open(store: MailStore, address: string): Promise<Maildrop> {
    const account = await store.account(address);
    const box = await account.getMailbox(MAILDROP);
    const records = await account.listMessages(MAILDROP);
    const entries = records.map((r) => ({ uid: r.uid, size: r.size, blobId: r.blobId, uidl: uidlOf(box.uidValidity, r.uid), deleted: false }));
    return new Maildrop(store, address, entries);
  }

  /** Looks up message number `n` (1-based). */
  lookup(n: number): Lookup {
    const entry = n >= 1 ? this.entries[n - 1] : undefined;
    if (!entry) return { found: false, reason: 'missing' };
    if (entry.deleted) return { found: false, reason: 'deleted' };
    return { found: true, entry };
  }

  /** Messages not marked deleted, and their total octets (STAT, RFC 1939 §5). */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const e of this.entries) {
      if (e.deleted) continue;
      count++;
      octets += e.size;
    }
    return { count, octets };
  }

  /** Undeletes everything (RSET, RFC 1939 §5). */
  reset(): void {
    for (const e of this.entries) e.deleted = false;
  }

  /** UIDs marked deleted, in order. */
  deletedUids(): number[] {
    return this.entries.filter((e) => e.deleted).map((e) => e.uid);
  }

  /**
   * The UPDATE state (RFC 1939 §6): removes every message marked deleted in
   * one atomic, synced store batch (the store journals each as an expunge,
   * which IMAP sessions report as EXPUNGE). Messages another session removed
   * meanwhile are skipped by the store, so nothing is deleted twice. Resolves
   * with the number removed once durable; rejects with the store's error,
   * in which case nothing was removed.
   */
  async commit(): Promise<number> {
    const uids = this.deletedUids();
    if (uids.length === 0) return 0;
    const account = await this.store.account(this.address);
    return (await account.expunge(MAILDROP, uids)).length;
  }
}

/**
 * Exclusive access to a maildrop (RFC 1939 §8: a server should lock the
 * maildrop for the session). In-process, because one process serves every
 * POP3 listener; keyed by store so that servers over different stores (tests)
 * do not share locks. IMAP does not take it: IMAP and POP3 may run side by
 * side, and POP3 sessions cope with IMAP expunges (T58).
 */
export class MaildropLocks {
  private readonly held = new WeakMap<MailStore, Set<string>>();

  /** Takes the lock for `address`; returns its release function, or null when another session holds it. */
  tryLock(store: MailStore, address: string): (() => void) | null {
    let set = this.held.get(store);
    if (!set) this.held.set(store, (set = new Set()));
    if (set.has(address)) return null;
    set.add(address);
    let released = false;
    const owned = set;
    return () => {
      if (released) return;
      released = true;
      owned.delete(address);
    };
  }
}

/** The process-wide lock table shared by the 110 and 995 listeners unless a server is given its own. */
export const processMaildropLocks = new MaildropLocks();
