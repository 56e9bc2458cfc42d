/**
 * The per-mailbox change journal (ARCHITECTURE rule 4) and the in-process
 * change events built on it.
 *
 * Every change to a message (append, flag change, expunge) takes the next
 * modseq of its mailbox and writes one journal entry under (mailboxId, modseq)
 * in the same batch as the change itself. IMAP sessions hear "mailbox X
 * changed up to modseq N" from `ChangeHub` after the batch is synced and pull
 * the entries they have not seen with `changesSince` — the basis of IDLE,
 * several devices on one mailbox, and CONDSTORE/QRESYNC (RFC 7162).
 *
 * Pruning (docs/store.md, "Journal pruning"): modseqs are handed out one per
 * entry, so a mailbox's journal is exactly the entries (journalFloor,
 * highestModseq] and its length is the difference — no count to keep, nothing
 * to read. When a write brings it to `keepEntries + pruneStep`, the same batch
 * deletes the oldest `pruneStep` keys blind and raises the floor in the
 * mailbox record it rewrites anyway: no extra batch, no extra fsync, a few
 * bytes of tombstones per pruned entry in LevelDB's log.
 */
import type { ChangeEvent, JournalChanges, JournalEntry, JournalPolicy } from './types.js';
import { decodeValue, del, journalRange, keys, put, type IndexOp } from './keys.js';
import type { IndexDb } from './group-commit.js';
import type { MailboxRecord } from './keys.js';

/** The policy of the appliance (see docs/store.md, "Journal pruning"). */
export const DEFAULT_JOURNAL_POLICY: Readonly<JournalPolicy> = { keepEntries: 4000, pruneStep: 500 };

/** A complete policy from partial options; throws a RangeError for nonsense values. */
export function journalPolicy(options: Partial<JournalPolicy> = {}): JournalPolicy {
  const keepEntries = options.keepEntries ?? DEFAULT_JOURNAL_POLICY.keepEntries;
  if (!Number.isSafeInteger(keepEntries) || keepEntries < 1) throw new RangeError(`journal keepEntries must be a whole number >= 1, not ${keepEntries}`);
  const pruneStep = options.pruneStep ?? (options.keepEntries === undefined ? DEFAULT_JOURNAL_POLICY.pruneStep : Math.max(1, Math.ceil(keepEntries / 8)));
  if (!Number.isSafeInteger(pruneStep) || pruneStep < 1) throw new RangeError(`journal pruneStep must be a whole number >= 1, not ${pruneStep}`);
  return { keepEntries, pruneStep };
}

/** Builds journal writes for one mailbox inside one mutation, handing out modseqs and pruning. */
export class JournalWriter {
  private readonly touched = new Map<number, MailboxRecord>();

  constructor(
    private readonly ops: IndexOp[],
    private readonly policy: JournalPolicy,
  ) {}

  /**
   * Takes the next modseq of `mailbox` (bumping its HIGHESTMODSEQ), journals
   * the entry and prunes the oldest entries when the journal is full. The
   * caller writes the mailbox record in the same batch (it carries the floor).
   */
  record(mailbox: MailboxRecord, entry: { type: 'append' | 'expunge'; uid: number } | { type: 'flags'; uid: number; flags: string[] }): number {
    mailbox.highestModseq += 1;
    const modseq = mailbox.highestModseq;
    this.ops.push(put(keys.journal(mailbox.id, modseq), { ...entry, modseq }));
    this.touched.set(mailbox.id, mailbox);
    this.prune(mailbox);
    return modseq;
  }

  private prune(m: MailboxRecord): void {
    const { keepEntries, pruneStep } = this.policy;
    if (m.highestModseq - m.journalFloor < keepEntries + pruneStep) return;
    const to = m.journalFloor + pruneStep;
    for (let s = m.journalFloor + 1; s <= to; s++) this.ops.push(del(keys.journal(m.id, s)));
    m.journalFloor = to;
  }

  /** Marks a mailbox as changed without a journal entry (rename, delete). */
  touch(mailbox: MailboxRecord): void {
    this.touched.set(mailbox.id, mailbox);
  }

  /** The change events to publish once the batch is synced. */
  events(): ChangeEvent[] {
    return [...this.touched.values()].map((m) => ({ account: m.account, mailboxId: m.id, mailbox: m.name, modseq: m.highestModseq }));
  }

  /** Mailbox records changed by this mutation (their meta must be rewritten too). */
  mailboxes(): MailboxRecord[] {
    return [...this.touched.values()];
  }
}

/** Journal entries of a mailbox with modseq greater than `modseq`, oldest first, as committed. */
export async function readJournal(db: IndexDb, mailboxId: number, modseq: number): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const value of db.values(journalRange(mailboxId, Math.max(0, modseq)))) {
    out.push(decodeValue<JournalEntry>(value));
  }
  return out;
}

/**
 * The changes after `since` and whether they are complete (see
 * `JournalChanges`). `floorNow` is asked AFTER the read: the floor in memory
 * moves when a pruning write is prepared, before it reaches the disk, so it
 * is never below the floor of what the read's iterator saw (LevelDB
 * iterators read a snapshot). Asked before, a prune committed between the
 * two could delete entries the caller would believe it had.
 */
export async function journalSince(db: IndexDb, mailboxId: number, since: number, floorNow: () => number): Promise<JournalChanges> {
  const entries = await readJournal(db, mailboxId, since);
  const floor = floorNow();
  const kept = entries.length > 0 && (entries[0] as JournalEntry).modseq <= floor ? entries.filter((e) => e.modseq > floor) : entries;
  return { entries: kept, complete: since >= floor, floor };
}

/** Keys of every journal entry of a mailbox (for deleting the mailbox). */
export async function journalKeys(db: IndexDb, mailboxId: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const key of db.keys(journalRange(mailboxId, 0))) out.push(Buffer.from(key));
  return out;
}

/** In-process fan-out of committed changes. A throwing listener cannot hurt the others. */
export class ChangeHub {
  private readonly listeners = new Set<(change: ChangeEvent) => void>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  subscribe(listener: (change: ChangeEvent) => void): () => void {
    // Wrapped so that the same function subscribed twice gets two subscriptions.
    const wrapped = (c: ChangeEvent): void => listener(c);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  emit(changes: ChangeEvent[]): void {
    for (const change of changes) {
      for (const listener of [...this.listeners]) {
        try {
          listener(change);
        } catch (err) {
          this.onListenerError(err);
        }
      }
    }
  }
}
