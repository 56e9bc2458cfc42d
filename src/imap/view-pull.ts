/**
 * Bringing a mailbox view up to date with the store (mailbox-view.ts
 * `refresh`): the journal entries after the view's modseq when the journal
 * still has them all, else one consistent snapshot of the mailbox compared
 * with what the view knows (the store prunes old journal entries; see
 * docs/store.md). Either way the changes land in the view's `ViewChanges`
 * and nothing is sent to the client here.
 */
import type { AccountStore, MessageRecord } from '../store/types.js';
import type { ViewChanges } from './view-changes.js';

/** Where a view stands before a pull. */
export interface PullFrom {
  account: AccountStore;
  name: string;
  mailboxId: number;
  /** The view's modseq: every change up to it is recorded. */
  modseq: number;
  /** The highest UID the view has accounted for (its UIDNEXT - 1). */
  highestKnown: number;
}

/** What a pull found besides the changes it recorded. */
export type PullResult =
  /** The mailbox was deleted, or its name now belongs to another mailbox. */
  | { gone: true }
  | {
      gone: false;
      /** The view's new modseq. */
      modseq: number;
      /** UIDNEXT is at least this now. */
      uidNext: number;
      /** Messages new to the view, in UID order (to be announced with EXISTS). */
      fresh: MessageRecord[];
    };

/** Records in `changes` what happened after `from.modseq`. Never throws for a vanished mailbox. */
export async function pullChanges(from: PullFrom, changes: ViewChanges): Promise<PullResult> {
  const unchanged: PullResult = { gone: false, modseq: from.modseq, uidNext: 0, fresh: [] };
  // The store's mailbox record (in memory) is never behind its journal: when its modseq is the
  // view's, there is nothing to read — the common case after SELECT and NOOP.
  try {
    const info = await from.account.getMailbox(from.name);
    if (info.id !== from.mailboxId) return { gone: true };
    if (info.highestModseq === from.modseq) return unchanged;
  } catch {
    // Gone or renamed: the journal read below finds out.
  }
  let journal;
  try {
    journal = await from.account.changesSince(from.name, from.modseq);
  } catch {
    return { gone: true };
  }
  if (!journal.complete) return reload(from, changes);
  const entries = journal.entries;
  if (entries.length === 0) return unchanged;
  let modseq = from.modseq;
  // Every UID handed out counts for UIDNEXT, also one appended and expunged in between: the
  // view's UIDNEXT must stay the store's, and UIDs below it must be accounted for (vanished.ts).
  let appended = 0;
  for (const e of entries) {
    if (e.modseq > modseq) modseq = e.modseq;
    if (e.type === 'append' && e.uid > appended) appended = e.uid;
  }
  const wanted = changes.applyEntries(entries, from.highestKnown);
  if (wanted.size === 0) return { gone: false, modseq, uidNext: appended + 1, fresh: [] };
  let first = Infinity;
  let last = 0;
  for (const u of wanted) {
    if (u < first) first = u;
    if (u > last) last = u;
  }
  const fresh = (await from.account.listMessages(from.name, first, last)).filter((r) => wanted.has(r.uid));
  return { gone: false, modseq, uidNext: appended + 1, fresh };
}

/**
 * The journal no longer reaches back to the view's modseq: compare the view
 * with every message of the mailbox now (one consistent snapshot, as at
 * SELECT). The client then gets EXPUNGE for every message it knew that is
 * gone, FETCH for every message whose flags differ from what it was told,
 * and EXISTS for the new ones — what the lost entries would have given.
 */
async function reload(from: PullFrom, changes: ViewChanges): Promise<PullResult> {
  let snap;
  try {
    snap = await from.account.snapshot(from.name);
  } catch {
    return { gone: true };
  }
  if (snap.mailbox.id !== from.mailboxId) return { gone: true };
  const fresh = changes.applySnapshot(snap.messages, from.highestKnown);
  return { gone: false, modseq: Math.max(from.modseq, snap.mailbox.highestModseq), uidNext: snap.mailbox.uidNext, fresh };
}
