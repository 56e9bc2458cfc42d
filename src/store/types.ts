import type { Readable } from 'node:stream';
import type { MessageIndex } from '../mime/types.js';
import type { ChangeEvent, JournalChanges } from './journal-types.js';
import type { QueueEntry, QueueTransaction, QueueTransactionResult } from './queue-types.js';

export type * from './queue-types.js';
export type * from './journal-types.js';

/**
 * The one store every service uses (ARCHITECTURE rules 2–5). Only `src/store/`
 * imports `level`; everything else receives a `MailStore` by injection.
 *
 * Contract shared by every method:
 * - A method that changes data resolves only after the change is durable: the
 *   index batch was written with `sync: true` (possibly together with other
 *   callers' batches — group commit) and any blob it references was fsynced first.
 * - Each mutation is one atomic batch: it happens whole or not at all.
 * - Failures are `MailError`s: `invalid` (bad input), `exists`, `notFound`,
 *   `overQuota`, `inUse`, `temporary` (I/O trouble: the store is reopening; retry later).
 * - Addresses are compared case-insensitively; results carry the canonical
 *   lower-case form.
 */
export interface MailStore {
  // ── domains ────────────────────────────────────────────────────────────
  /** Adds a local domain (lower-cased, validated as a DNS name). Fails `invalid` or `exists`. */
  addDomain(name: string): Promise<void>;
  /** Removes a domain. Fails `notFound`, or `inUse` while it still has accounts or aliases. */
  removeDomain(name: string): Promise<void>;
  listDomains(): Promise<string[]>;
  /** True when `name` (any case) is one of our domains. Served from memory. */
  isLocalDomain(name: string): boolean;

  // ── accounts ───────────────────────────────────────────────────────────
  /**
   * Creates an account with its standard mailboxes (INBOX, Sent, Drafts, Trash,
   * Junk, Archive with RFC 6154 special-use attributes), in one batch.
   * `passwordHash` is a PHC string made by `src/auth/password.ts`.
   * Fails `invalid` (address, or domain not local), `exists` (account or alias of that name).
   */
  addAccount(address: string, passwordHash: string, options?: { quotaBytes?: number }): Promise<void>;
  /** Removes the account, its mailboxes and its messages (blobs no longer referenced are deleted). Fails `notFound`. */
  removeAccount(address: string): Promise<void>;
  setPasswordHash(address: string, passwordHash: string): Promise<void>;
  /** Null when there is no such account. */
  getAccount(address: string): Promise<AccountInfo | null>;
  listAccounts(domain?: string): Promise<AccountInfo[]>;

  // ── aliases ────────────────────────────────────────────────────────────
  /**
   * Adds `target` to the alias `source`. `source` is `local@domain` or a catch-all
   * `@domain`; both must be in local domains; `target` is a local address.
   * Fails `invalid`, `exists` (same pair, or `source` is an account).
   */
  addAlias(source: string, target: string): Promise<void>;
  /** Removes one target, or the whole alias when `target` is omitted. Fails `notFound`. */
  removeAlias(source: string, target?: string): Promise<void>;
  listAliases(domain?: string): Promise<AliasInfo[]>;

  /**
   * Resolves an envelope recipient: accounts first, then aliases, then the
   * address without its `+tag`, then the domain's catch-all; `postmaster`
   * always resolves (to an explicit account/alias, else the domain's oldest
   * account, else the box's oldest account).
   */
  resolveRecipient(address: string): Promise<Resolution>;

  // ── messages ───────────────────────────────────────────────────────────
  /** Starts writing a message body. The caller streams bytes in and then commits or aborts. */
  createBlob(): BlobWriter;
  /**
   * Delivers one stored blob to the INBOX of each account, in one atomic synced
   * batch. Quota is checked for every account first; `overQuota` fails the whole call.
   * The blob and its index are stored once however many accounts receive it.
   */
  deliver(input: DeliveryInput): Promise<DeliveryResult>;
  /** Mailbox-level operations of one account. Fails `notFound` for an unknown account. */
  account(address: string): Promise<AccountStore>;
  /** Reads a whole blob (for POP3/IMAP) as a stream. Fails `notFound`. */
  readBlob(blobId: string): Readable;
  /** Reads bytes [start, end) of a blob. */
  readBlobRange(blobId: string, start: number, end: number): Promise<Buffer>;
  /**
   * Reads several whole, small blobs in one call: POP3's read-ahead (the next
   * messages of a download) and IMAP SEARCH BODY/TEXT (a batch of a mailbox's
   * messages). On disk, files in the page cache are read synchronously in
   * slices of a few milliseconds with a yield between them (~13 µs a file,
   * where four asynchronous fs calls cost ~100 µs of event-loop time); when
   * the disk is slow, and for bodies over 256 KiB, the reads go to a reader
   * thread, so a slow SD card never holds the event loop for more than one
   * read (see blob-batch-read.ts).
   *
   * Resolves with one entry per id, in order: the exact stored bytes, or null
   * for a body that no longer exists (its last message was expunged
   * meanwhile). Memory is bounded by the caller: `maxBytes` (default 1 MiB,
   * at most 16 MiB) is the most the call may hold, and when the bodies
   * together are larger it fails `tooBig` (having held no more than that) —
   * pass ids whose record sizes fit, and stream anything big with `readBlob`.
   * Fails `notFound` for a malformed id (as `readBlobRange` does), `invalid`
   * for more than 256 ids or a bad `maxBytes`, `temporary` once the store is
   * closed, and with the I/O error for anything else (reads never affect
   * what is stored). Calls may overlap. With `inThread`, every file is read
   * in the store's reader thread instead of partly on the caller's event loop
   * (a POP3 download reads ahead while it answers RETRs: measured faster so).
   */
  readBlobs(blobIds: readonly string[], options?: { maxBytes?: number; inThread?: boolean }): Promise<(Buffer | null)[]>;
  /** The MIME index stored at delivery. Fails `notFound`. */
  getIndex(blobId: string): Promise<MessageIndex>;
  /**
   * The MIME indexes of many blobs in one read of the index (IMAP SEARCH over
   * a whole mailbox), in the order given; null for a blob that has none (gone).
   * Fails `notFound` for a malformed id (like `getIndex`).
   */
  getIndexes(blobIds: readonly string[]): Promise<(MessageIndex | null)[]>;
  /**
   * Gives up a committed blob that will not be delivered after all (refused
   * after DATA, or replaced by a rewritten copy): its file is deleted unless
   * something references it. Never fails for an unknown id.
   */
  discardBlob(blobId: string): Promise<void>;
  /** Number of blobs on disk (for tests and status). */
  countBlobs(): Promise<number>;

  // ── outbound queue and runtime settings (queue-ops.ts) ─────────────────
  /**
   * Applies queue additions, updates and removals and local deliveries as ONE
   * atomic synced batch (see `QueueTransaction`). Queue entries hold a
   * reference to their body. Fails `invalid`, `notFound` (entry, account or
   * body), `overQuota` (any local delivery: then nothing is written), `temporary`.
   */
  queueTransaction(tx: QueueTransaction): Promise<QueueTransactionResult>;
  /** Every queue entry, oldest first. */
  listQueue(): Promise<QueueEntry[]>;
  /** One queue entry, or null. Fails `invalid` for a malformed id. */
  getQueueEntry(id: string): Promise<QueueEntry | null>;
  /** A runtime settings document by name (e.g. `outbound`, `dkim`), or null when never set. */
  getSetting(name: string): Promise<unknown>;
  /** Replaces a settings document (a JSON object), or deletes it with null. One synced batch. Fails `invalid`. */
  putSetting(name: string, value: unknown): Promise<void>;

  // ── health and lifecycle ───────────────────────────────────────────────
  /** False after a write error until the store has reopened itself and verified it can write. */
  isWritable(): boolean;
  /** Free bytes on the file system holding the data directory. */
  freeBytes(): Promise<number>;
  /** Subscribes to committed mailbox changes; returns the unsubscribe function. */
  onChange(listener: (change: ChangeEvent) => void): () => void;
  /** Waits for in-flight commits, then closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface AccountInfo {
  address: string;
  passwordHash: string;
  /** 0 means unlimited. */
  quotaBytes: number;
  usedBytes: number;
  createdAt: number;
}

export interface AliasInfo {
  source: string;
  targets: string[];
}

export type Resolution =
  | { kind: 'local'; accounts: string[] }
  | { kind: 'unknown' }
  | { kind: 'remote' };

export interface BlobWriter {
  /** Appends bytes; resolves when the writer can take more (back-pressure). */
  write(chunk: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /** fsyncs the bytes and moves them into place; returns the content-addressed id. */
  commit(): Promise<{ blobId: string; size: number }>;
  /** Discards what was written. Safe to call more than once or after a failed commit. */
  abort(): Promise<void>;
}

export interface DeliveryInput {
  blobId: string;
  index: MessageIndex;
  /** Canonical account addresses (deduplicated by the caller or not: the store deduplicates). */
  accounts: string[];
  /** Defaults to now. */
  internalDate?: number;
  /** Defaults to INBOX. */
  mailbox?: string;
  flags?: string[];
}

export interface DeliveryResult {
  delivered: { account: string; mailbox: string; uid: number }[];
}

export interface MailboxInfo {
  /** Internal id, stable for the life of the mailbox (a recreated name gets a new id and UIDVALIDITY). */
  id: number;
  name: string;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** Journal watermark: every change with modseq > this is in the journal (see `JournalChanges`). */
  journalFloor: number;
  specialUse: string | null;
  subscribed: boolean;
  messages: number;
  unseen: number;
  bytes: number;
}

export interface MessageRecord {
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: number;
  size: number;
  blobId: string;
}

/** Mailbox-level operations of one account (IMAP, POP3 and the admin build on these). */
export interface AccountStore {
  readonly address: string;
  listMailboxes(): Promise<MailboxInfo[]>;
  /** Fails `notFound`. */
  getMailbox(name: string): Promise<MailboxInfo>;
  /** Fails `exists`, `invalid`. */
  createMailbox(name: string, specialUse?: string | null): Promise<MailboxInfo>;
  /** Fails `notFound`, `denied` (INBOX). Messages in it are removed. */
  deleteMailbox(name: string): Promise<void>;
  /** Fails `notFound`, `exists`. */
  renameMailbox(from: string, to: string): Promise<void>;
  setSubscribed(name: string, subscribed: boolean): Promise<void>;
  /** Messages in UID order, optionally only those with `fromUid` <= uid <= `toUid` (both inclusive). */
  listMessages(mailbox: string, fromUid?: number, toUid?: number): Promise<MessageRecord[]>;
  /** Appends a committed blob; checks quota (`overQuota`). */
  append(mailbox: string, input: { blobId: string; index: MessageIndex; flags?: string[]; internalDate?: number }): Promise<MessageRecord>;
  /** Changes flags of the given UIDs (missing UIDs are skipped); returns the updated records. */
  setFlags(mailbox: string, uids: number[], op: 'add' | 'remove' | 'set', flags: string[]): Promise<MessageRecord[]>;
  /** Removes the given UIDs (missing UIDs are skipped); returns the UIDs removed. */
  expunge(mailbox: string, uids: number[]): Promise<number[]>;
  /**
   * Journal entries with modseq > `modseq`, in order, and whether they are
   * all of them: older history is pruned (see `JournalChanges` for what a
   * caller must do when `complete` is false). Fails `notFound`.
   */
  changesSince(mailbox: string, modseq: number): Promise<JournalChanges>;
  /**
   * `setFlags` with the CONDSTORE condition (RFC 7162 §3.1.3), checked and
   * applied atomically: UIDs whose modseq is above `unchangedSince` are not
   * changed and are listed in `modified`. `changed` holds only records whose
   * flags actually changed.
   */
  storeFlags(mailbox: string, uids: number[], op: 'add' | 'remove' | 'set', flags: string[], unchangedSince?: number): Promise<{ changed: MessageRecord[]; modified: number[] }>;
  /**
   * Copies the given UIDs (missing ones skipped) to `to` in one atomic batch,
   * keeping flags and internal dates; the bodies are shared, not duplicated.
   * Fails `notFound`, `overQuota` (checked for all messages first).
   */
  copyMessages(from: string, uids: number[], to: string): Promise<CopyResult>;
  /**
   * Moves the given UIDs (missing ones skipped) to `to`: the appends to `to`
   * and the expunges from `from` are one atomic batch (RFC 6851). Usage is
   * unchanged. Fails `notFound`, `invalid` (same mailbox).
   */
  moveMessages(from: string, uids: number[], to: string): Promise<CopyResult>;
  /**
   * A consistent picture of one mailbox for an IMAP SELECT: `messages` are
   * exactly the messages as of `mailbox.highestModseq` (taken after pending
   * writes are committed, with no write in between), so journal entries after
   * that modseq are precisely the later changes. Fails `notFound`.
   */
  snapshot(mailbox: string): Promise<{ mailbox: MailboxInfo; messages: MessageRecord[] }>;
}

/** Result of a copy or move: the target's UIDVALIDITY and source→target UIDs in source UID order (UIDPLUS COPYUID). */
export interface CopyResult {
  uidValidity: number;
  mapping: { from: number; to: number }[];
}
