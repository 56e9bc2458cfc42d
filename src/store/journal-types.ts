/**
 * The change journal as the store's users see it (ARCHITECTURE rule 4):
 * entries, what a read of them promises, the change events, and how much
 * history a mailbox keeps (journal.ts writes and prunes it).
 */

/** One change to one message: it took the mailbox's next modseq. */
export type JournalEntry =
  | { modseq: number; type: 'append'; uid: number }
  | { modseq: number; type: 'flags'; uid: number; flags: string[] }
  | { modseq: number; type: 'expunge'; uid: number };

/**
 * The answer of `AccountStore.changesSince(mailbox, since)`.
 *
 * The journal is bounded: a mailbox keeps only its newest changes, so an
 * appliance that runs for years does not fill its SD card with the history
 * of every flag change and expunge. `floor` is the mailbox's watermark: every
 * change with modseq > `floor` is in the journal, older ones may be gone.
 *
 * - `complete` is true when `since >= floor`: `entries` are then exactly the
 *   changes after `since` (up to what was committed when the read began).
 * - `complete` is false when `since < floor`: changes between `since` and
 *   `floor` are lost. `entries` still holds the changes after `floor`, but the
 *   caller must not treat them as everything that happened: it rebuilds its
 *   picture from the messages themselves (`snapshot`, `listMessages` — every
 *   message record carries the modseq of its own last change) and treats any
 *   UID it knew that no longer exists as expunged.
 */
export interface JournalChanges {
  /** Entries with modseq > max(since, floor), oldest first. */
  entries: JournalEntry[];
  /** True when `entries` are every change after `since`. */
  complete: boolean;
  /** The mailbox's journal watermark at the time of the read. */
  floor: number;
}

/** "Mailbox X changed up to modseq N", published after the change is synced. */
export interface ChangeEvent {
  account: string;
  mailboxId: number;
  mailbox: string;
  modseq: number;
}

/**
 * How much history each mailbox's journal keeps (an option of `openStore`).
 * The journal holds the newest `keepEntries` changes and at most
 * `keepEntries + pruneStep - 1` after any write: once it reaches
 * `keepEntries + pruneStep`, the oldest `pruneStep` entries are deleted in the
 * batch of the write that crossed the line. A journal longer than that (written
 * by a release that never pruned) loses `pruneStep` entries per change until
 * it is back within bounds, so no write carries a large deletion.
 */
export interface JournalPolicy {
  /** Changes kept per mailbox (default 4000). At least 1. */
  keepEntries: number;
  /** Entries deleted at once (default keepEntries / 8, at least 1). */
  pruneStep: number;
}
