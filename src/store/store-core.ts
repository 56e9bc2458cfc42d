/**
 * The machinery under every store operation: the serialising section in which
 * mutations are prepared, group commit, blob pins and release, and the
 * reopen loop after a write error (ARCHITECTURE rule 5).
 *
 * Why reopen: after LevelDB fails a write (disk full, I/O error) it may keep a
 * background error or, worse, lose later writes it acknowledged. So the first
 * failure makes the store refuse every mutation at once (`temporary`, SMTP
 * answers 4xx), close the database, open it again, prove with a synced test
 * write (and a test blob file) that the disk takes writes, reload the caches
 * from disk, and only then accept mutations again.
 */
import { MailError, isMailError } from '../errors.js';
import type { BlobBackend, WriterContext } from './blob-backend.js';
import { silentLog, type CoreOptions, type DbOpener, type Prepared, type StoreLogger } from './core-options.js';
import type { FaultHooks, ReopenTiming } from './faults.js';
import { GroupCommitter, type IndexDb } from './group-commit.js';
import { ChangeHub, journalPolicy } from './journal.js';
import { keys, put } from './keys.js';
import { StoreState } from './state.js';
import type { JournalPolicy } from './types.js';

export type { CoreOptions, DbOpener, Prepared, StoreLogger } from './core-options.js';

/** Shared state and write path of one open store. */
export class StoreCore implements WriterContext {
  db!: IndexDb;
  readonly state = new StoreState();
  readonly committer: GroupCommitter;
  readonly hub: ChangeHub;
  readonly blobs: BlobBackend;
  readonly hooks: FaultHooks;
  readonly log: StoreLogger;
  /** How much history each mailbox's journal keeps (journal.ts). */
  readonly journal: JournalPolicy;
  private readonly opener: DbOpener;
  private readonly timing: Required<ReopenTiming>;
  private readonly pins = new Map<string, number>();
  /** Sizes of pinned blobs that are in place: a delivery of one needs no stat. */
  private readonly placedSizes = new Map<string, number>();
  private writable = false;
  private closing: Promise<void> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private recovering: Promise<void> | null = null;
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private wake: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(options: CoreOptions) {
    this.opener = options.opener;
    this.blobs = options.blobs;
    this.hooks = options.hooks ?? {};
    this.log = options.log ?? silentLog;
    this.journal = journalPolicy(options.journal);
    this.timing = { initialDelayMs: options.reopen?.initialDelayMs ?? 1000, maxDelayMs: options.reopen?.maxDelayMs ?? 30_000 };
    this.hub = new ChangeHub((err) => this.log.error({ err }, 'mail store change listener failed'));
    this.committer = new GroupCommitter({
      db: () => this.db,
      hooks: this.hooks,
      onFailure: (err) => this.startRecovery(err),
      onAfterError: (err) => this.log.error({ err }, 'mail store post-commit step failed'),
    });
  }

  /** Opens the database, loads the caches and sweeps leftovers of a crash. */
  async start(): Promise<void> {
    this.db = await this.opener.open();
    await this.state.load(this.db);
    await this.sweepOrphans();
    this.writable = true;
  }

  isWritable(): boolean {
    return this.writable;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  assertWritable(): void {
    if (this.closing) throw new MailError('temporary', 'the mail store is closed');
    if (!this.writable) throw new MailError('temporary', 'the mail store is recovering from a write error; try again later');
  }

  /** Runs `fn` alone: preparations never interleave, so they can trust the caches. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Prepares a mutation alone, queues it for group commit and resolves after
   * its batch is synced. The preparation must check everything before it
   * changes a cache: once it starts changing caches it must not throw.
   */
  async mutate<T>(prepare: () => Promise<Prepared<T>>): Promise<T> {
    this.assertWritable();
    const { done, prepared } = await this.serial(async () => {
      this.assertWritable();
      const p = await this.guard(prepare);
      this.assertWritable();
      const d = p.ops.length > 0 ? this.committer.submit(p.ops, () => this.hub.emit(p.changes ?? [])) : Promise.resolve();
      return { done: d, prepared: p };
    });
    await done;
    if (prepared.released?.length) await this.releaseBlobs(prepared.released);
    return prepared.result;
  }

  /** Runs a read against the current database; database errors become `temporary`. */
  async query<T>(fn: (db: IndexDb) => Promise<T>): Promise<T> {
    if (this.closing) throw new MailError('temporary', 'the mail store is closed');
    return this.guard(() => fn(this.db));
  }

  /** Waits until nothing is queued or being written (for range scans inside a preparation). */
  flush(): Promise<void> {
    return this.committer.idle();
  }

  /** Holds a committed blob until a delivery references it (or the store restarts). */
  async pin(blobId: string): Promise<void> {
    // Under the serialising section, so a concurrent release cannot be between
    // its "unreferenced?" check and the unlink while we pin.
    await this.serial(async () => {
      this.pins.set(blobId, (this.pins.get(blobId) ?? 0) + 1);
    });
  }

  placed(blobId: string, size: number): void {
    if (this.pins.has(blobId)) this.placedSizes.set(blobId, size);
  }

  /** The size of a pinned blob known to be in place, or undefined (then ask the disk). */
  placedSize(blobId: string): number | undefined {
    return this.placedSizes.get(blobId);
  }

  /** Drops one hold on a blob; called by a preparation that references it. */
  consumePin(blobId: string): void {
    const n = this.pins.get(blobId) ?? 0;
    if (n <= 1) {
      this.pins.delete(blobId);
      this.placedSizes.delete(blobId);
    } else this.pins.set(blobId, n - 1);
  }

  /** Reports an I/O error: the store stops taking writes and starts reopening. */
  ioFailure(err: unknown): MailError {
    this.startRecovery(err);
    return new MailError('temporary', 'the mail store could not write; try again later', err);
  }

  /** Resolves when the store takes writes; rejects when it is closed first. */
  whenWritable(): Promise<void> {
    if (this.closing) return Promise.reject(new MailError('temporary', 'the mail store is closed'));
    if (this.writable) return Promise.resolve();
    // Someone waits for the store to heal: the retry timer must keep the process alive.
    this.retryTimer?.ref();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Waits for queued commits and the reopen loop, then closes the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.writable = false;
      this.wake?.();
      await this.recovering;
      await this.serial(() => this.committer.idle());
      await this.db.close().catch((err: unknown) => this.log.warn({ err }, 'closing the mail index failed'));
      await this.blobs.close().catch((err: unknown) => this.log.warn({ err }, 'releasing the message body files failed'));
      for (const w of this.waiters.splice(0)) w.reject(new MailError('temporary', 'the mail store is closed'));
    })();
    return this.closing;
  }

  /** Deletes the files of blobs that lost their last reference and are not held. */
  private releaseBlobs(blobIds: string[]): Promise<void> {
    return this.serial(async () => {
      for (const id of blobIds) {
        if (this.closing || this.pins.has(id)) continue;
        try {
          if (await this.committer.read(keys.blobRef(id))) continue;
          await this.blobs.remove(id);
        } catch (err) {
          // The file stays behind as an orphan; the sweep at the next open removes it.
          this.log.warn({ err, blobId: id }, 'could not delete an unreferenced message body');
        }
      }
    });
  }

  private async sweepOrphans(): Promise<void> {
    await this.blobs.cleanTemp();
    let removed = 0;
    for (const id of await this.blobs.list()) {
      if (await this.db.get(keys.blobRef(id))) continue;
      await this.blobs.remove(id);
      removed += 1;
    }
    if (removed > 0) this.log.info({ removed }, 'removed message bodies that no message referenced (left by an interrupted delivery)');
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isMailError(err)) throw err;
      this.log.error({ err }, 'mail store operation failed');
      throw new MailError('temporary', 'the mail store is not available; try again later', err);
    }
  }

  private startRecovery(err: unknown): void {
    this.writable = false;
    if (this.closing) return;
    this.log.error({ err }, 'mail store write failed; refusing writes until the index is reopened');
    this.recovering ??= this.recoverLoop().finally(() => {
      this.recovering = null;
    });
  }

  private async recoverLoop(): Promise<void> {
    let delay = this.timing.initialDelayMs;
    while (!this.closing) {
      try {
        await this.serial(() => this.reopenOnce());
        if (this.closing) return;
        this.writable = true;
        this.log.info({}, 'mail store reopened and verified; taking writes again');
        for (const w of this.waiters.splice(0)) w.resolve();
        return;
      } catch (err) {
        this.log.warn({ err, retryInMs: delay }, 'mail store reopen failed');
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.timing.maxDelayMs);
    }
  }

  private async reopenOnce(): Promise<void> {
    await this.committer.idle();
    if (this.closing) return;
    if (this.db.status === 'open' || this.db.status === 'opening') {
      await this.db.close().catch((err: unknown) => this.log.warn({ err }, 'closing the mail index for reopen failed'));
    }
    this.db = await this.opener.open();
    await this.committer.writeDirect([put(keys.probe(), { at: Date.now() })]);
    await this.hooks.beforeBlobWrite?.();
    await this.hooks.beforeBlobFsync?.();
    await this.blobs.probe();
    await this.state.load(this.db);
    this.committer.clearOverlay();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        this.retryTimer = null;
        resolve();
      }, ms);
      // A store that is only retrying must not keep a finished process alive;
      // one with callers in whenWritable() must.
      if (this.waiters.length === 0) timer.unref();
      this.retryTimer = timer;
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        this.retryTimer = null;
        resolve();
      };
    });
  }
}

