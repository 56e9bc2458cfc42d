/**
 * Message bodies are content-addressed blobs: the id is the hex SHA-256 of the
 * bytes, so a message delivered to many accounts is stored once, and bodies
 * never pass through LevelDB (whose compaction would rewrite them again and
 * again on the SD card). Two backends share this writer: files beside the
 * index (`blob-files.ts`) and memory (`blob-memory.ts`, for tests).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MailError, isMailError } from '../errors.js';
import type { BlobWriter } from './types.js';
import type { FaultHooks } from './faults.js';

/** Where one body's bytes go while it is being written. */
export interface BlobSink {
  write(chunk: Buffer): Promise<void>;
  /** Makes the written bytes durable (fsync). */
  sync(): Promise<void>;
  /**
   * Moves the bytes to their content address (keeping an existing identical
   * blob) and makes the name durable (directory fsync).
   */
  place(blobId: string): Promise<void>;
  /** Drops the temporary bytes; never throws. */
  discard(): Promise<void>;
}

/** Storage of finished blobs. */
export interface BlobBackend {
  newSink(): BlobSink;
  exists(blobId: string): Promise<boolean>;
  /** Size in bytes, or null when there is no such blob. */
  size(blobId: string): Promise<number | null>;
  /** Streams a whole blob; the stream errors with `MailError('notFound')` when it is missing. */
  read(blobId: string): Readable;
  /** Bytes [start, end) clamped to the blob. Fails `notFound`. */
  readRange(blobId: string, start: number, end: number): Promise<Buffer>;
  /**
   * Several whole blobs in one call, in order, null for a missing one. Fails
   * `tooBig` when together they exceed `maxBytes`, never holding more than that.
   * `inThread`: off the caller's event loop entirely (where the backend has a thread).
   */
  readMany(blobIds: readonly string[], maxBytes: number, inThread?: boolean): Promise<(Buffer | null)[]>;
  /** Deletes a blob if present (and makes the deletion durable where that matters). */
  remove(blobId: string): Promise<void>;
  /** Ids of every stored blob. */
  list(): Promise<string[]>;
  /** Drops half-written temporary files left by a crash. */
  cleanTemp(): Promise<void>;
  /** Writes, fsyncs and deletes a small file: proves the blob area takes writes again. */
  probe(): Promise<void>;
  /** Releases what the backend holds open (kept directory handles, the reader thread); called once when the store closes. */
  close(): Promise<void>;
}

/** What a writer needs from the store around it. */
export interface WriterContext {
  hooks: FaultHooks;
  /** Throws `MailError('temporary')` while the store is not writable. */
  assertWritable(): void;
  /** Reports an I/O error (the store starts reopening) and returns the error to give the caller. */
  ioFailure(err: unknown): MailError;
  /** Keeps a just-committed blob from being deleted as unreferenced before it is delivered. */
  pin(blobId: string): Promise<void>;
  /**
   * Tells the store that a pinned blob is in place (synced, named, directory
   * synced) with this size, so the delivery that follows need not stat it.
   */
  placed(blobId: string, size: number): void;
}

type WriterState = 'open' | 'committing' | 'committed' | 'closed';

/**
 * Streams a body into a sink while hashing it. `commit()` order: fsync the
 * bytes, then move them to `blobs/<hash>` and fsync the directory; only then
 * is the id returned, so an index batch written afterwards never points at
 * bytes that could be lost.
 */
export class HashingBlobWriter implements BlobWriter {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private state: WriterState = 'open';
  private pending: Promise<void> = Promise.resolve();
  private writeError: MailError | null = null;
  private committing: Promise<{ blobId: string; size: number }> | null = null;

  constructor(
    private readonly sink: BlobSink,
    private readonly ctx: WriterContext,
  ) {}

  get size(): number {
    return this.bytes;
  }

  write(chunk: Buffer): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new MailError('invalid', 'message body writer is no longer open'));
    // Writes are chained so that callers who do not await still keep order.
    const next = this.pending.then(async () => {
      // After a failed write the body has a hole: it can never be committed.
      if (this.writeError) throw this.writeError;
      this.ctx.assertWritable();
      try {
        await this.ctx.hooks.beforeBlobWrite?.();
        await this.sink.write(chunk);
      } catch (err) {
        this.writeError = this.fail(err);
        throw this.writeError;
      }
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    this.pending = next.catch(() => undefined);
    return next;
  }

  commit(): Promise<{ blobId: string; size: number }> {
    if (this.state !== 'open') return Promise.reject(new MailError('invalid', 'message body writer is no longer open'));
    this.state = 'committing';
    this.committing = this.finish();
    return this.committing;
  }

  private async finish(): Promise<{ blobId: string; size: number }> {
    try {
      await this.pending;
      if (this.writeError) throw this.writeError;
      this.ctx.assertWritable();
      const blobId = this.hash.digest('hex');
      try {
        await this.ctx.hooks.beforeBlobFsync?.();
        await this.sink.sync();
      } catch (err) {
        throw this.fail(err);
      }
      this.ctx.hooks.onSync?.('blob-fsync', { blobId });
      await this.ctx.pin(blobId);
      try {
        await this.sink.place(blobId);
      } catch (err) {
        throw this.fail(err);
      }
      this.ctx.hooks.onSync?.('dir-fsync', { blobId });
      this.ctx.placed(blobId, this.bytes);
      this.state = 'committed';
      return { blobId, size: this.bytes };
    } catch (err) {
      this.state = 'closed';
      await this.sink.discard();
      throw isMailError(err) ? err : this.fail(err);
    }
  }

  /** Discards the bytes. After a successful commit it does nothing (the blob belongs to the store). */
  async abort(): Promise<void> {
    // A commit under way decides the outcome; aborting cannot pull the bytes from under it.
    if (this.state === 'committing') await this.committing?.catch(() => undefined);
    if (this.state === 'committed' || this.state === 'closed') return;
    this.state = 'closed';
    await this.pending;
    await this.sink.discard();
  }

  private fail(err: unknown): MailError {
    if (isMailError(err)) return err;
    return this.ctx.ioFailure(err);
  }
}
