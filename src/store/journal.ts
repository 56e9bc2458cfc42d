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
 */
import type { ChangeEvent, JournalEntry } from './types.js';
import { decodeValue, journalRange, keys, put, type IndexOp } from './keys.js';
import type { IndexDb } from './group-commit.js';
import type { MailboxRecord } from './keys.js';

/** Builds journal writes for one mailbox inside one mutation, handing out modseqs. */
export class JournalWriter {
  private readonly touched = new Map<number, MailboxRecord>();

  constructor(private readonly ops: IndexOp[]) {}

  /** Takes the next modseq of `mailbox` (bumping its HIGHESTMODSEQ) and journals the entry. */
  record(mailbox: MailboxRecord, entry: { type: 'append' | 'expunge'; uid: number } | { type: 'flags'; uid: number; flags: string[] }): number {
    mailbox.highestModseq += 1;
    const modseq = mailbox.highestModseq;
    this.ops.push(put(keys.journal(mailbox.id, modseq), { ...entry, modseq }));
    this.touched.set(mailbox.id, mailbox);
    return modseq;
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

/** Journal entries of a mailbox with modseq greater than `modseq`, oldest first. */
export async function readJournal(db: IndexDb, mailboxId: number, modseq: number): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const value of db.values(journalRange(mailboxId, Math.max(0, modseq)))) {
    out.push(decodeValue<JournalEntry>(value));
  }
  return out;
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
