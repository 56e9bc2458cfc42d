/**
 * What the store's core (store-core.ts) is built from and what a mutation
 * hands it: the database opener, the logger, the options of one open store,
 * and a prepared batch.
 */
import type { BlobBackend } from './blob-backend.js';
import type { FaultHooks, ReopenTiming } from './faults.js';
import type { IndexDb } from './group-commit.js';
import type { IndexOp } from './keys.js';
import type { ChangeEvent, JournalPolicy } from './types.js';

/** The logging the store needs; a pino logger fits. */
export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything (tests, tools). */
export const silentLog: StoreLogger = { info() {}, warn() {}, error() {} };

/** Opens the index database; called at open and again on every reopen. */
export interface DbOpener {
  open(): Promise<IndexDb>;
}

/** What a mutation's preparation hands to the committer. */
export interface Prepared<T> {
  ops: IndexOp[];
  result: T;
  /** Published after the batch is synced. */
  changes?: ChangeEvent[];
  /** Blobs this mutation dropped the last reference to: their files go after the batch is synced. */
  released?: string[];
}

/** Options of the core. */
export interface CoreOptions {
  opener: DbOpener;
  blobs: BlobBackend;
  hooks?: FaultHooks;
  log?: StoreLogger;
  reopen?: ReopenTiming;
  /** Journal history kept per mailbox; defaults to `DEFAULT_JOURNAL_POLICY` (journal.ts). */
  journal?: Partial<JournalPolicy>;
}
