/**
 * Test hooks around the store's durability points. Production passes none.
 * They let a test watch the order of fsyncs and synced batches and inject
 * I/O errors (disk full) exactly where real ones would surface.
 */

/** A durability point the store has just passed. */
export type SyncEvent = 'blob-fsync' | 'dir-fsync' | 'batch-sync';

/** What the store tells `onSync` about the durability point. */
export interface SyncDetail {
  /** For blob events: the content id of the blob that was made durable. */
  blobId?: string;
  /** For batch events: number of index operations and mutations in the batch. */
  ops?: number;
  mutations?: number;
  /** For batch events: the `sync` option the batch was written with. */
  sync?: boolean;
}

/**
 * Hooks the store calls at its write points. A hook that throws (or rejects)
 * is treated exactly like the I/O call it precedes failing: use an error with
 * `code: 'ENOSPC'` to simulate a full disk.
 */
export interface FaultHooks {
  /**
   * Before every index batch (including the test write after a reopen).
   * `options` is the very object passed to the database's `batch()`.
   */
  beforeBatch?(info: { ops: number; options: { sync: boolean } }): void | Promise<void>;
  /** Before a chunk of a message body is written to its temporary file. */
  beforeBlobWrite?(): void | Promise<void>;
  /** Before a finished message body is fsynced. */
  beforeBlobFsync?(): void | Promise<void>;
  /** After a durability point was passed. */
  onSync?(event: SyncEvent, detail: SyncDetail): void;
}

/** Retry timing of the reopen loop after a write error. */
export interface ReopenTiming {
  /** First wait before retrying a failed reopen (default 1000 ms). */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 30000 ms). */
  maxDelayMs?: number;
}

/** An `Error` shaped like the one Node raises when the disk is full (for tests). */
export function diskFullError(): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device (injected)');
  err.code = 'ENOSPC';
  err.errno = -28;
  return err;
}
