/**
 * Group commit: mutations are prepared one at a time (under the store's short
 * serialising section) and queued here; one writer at a time takes everything
 * queued and writes it as a single LevelDB batch with `sync: true`, then
 * resolves every caller in it. While one batch is being synced the next
 * callers queue up, so a burst of deliveries costs a few fsyncs instead of one
 * each — and no caller is answered before its own operations are on disk.
 *
 * Queued-but-unwritten operations are visible to later preparations through
 * an overlay (`read`), so a mutation prepared while another is still in flight
 * sees the state it will be applied on.
 */
import type { AbstractLevel } from 'abstract-level';
import { MailError } from '../errors.js';
import type { FaultHooks } from './faults.js';
import type { IndexOp } from './keys.js';

/** The index database (classic-level on disk, memory-level in tests). */
export type IndexDb = AbstractLevel<string | Buffer | Uint8Array, Buffer, Buffer>;

/**
 * Options of every index write. `sync: true` makes LevelDB fsync its log
 * before the write resolves: this is what lets a caller answer 250 or OK.
 */
function batchOptions(): { sync: boolean; keyEncoding: 'buffer'; valueEncoding: 'buffer' } {
  return { sync: true, keyEncoding: 'buffer', valueEncoding: 'buffer' };
}

interface OverlayEntry {
  value: Buffer | null;
}

interface QueuedMutation {
  ops: IndexOp[];
  overlay: [string, OverlayEntry][];
  after: (() => void) | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Counters that show group commit at work. */
export interface CommitStats {
  /** Synced batches written (test writes after a reopen not included). */
  batches: number;
  /** Mutations those batches carried. */
  mutations: number;
  /** Mutations waiting behind the batch being written, at the time of the call. */
  queued: number;
}

/** Writes queued mutations in shared synced batches. */
export class GroupCommitter {
  private queue: QueuedMutation[] = [];
  private inFlight: Promise<void> | null = null;
  private readonly overlay = new Map<string, OverlayEntry>();
  private readonly counts = { batches: 0, mutations: 0 };

  constructor(
    private readonly deps: {
      db(): IndexDb;
      hooks: FaultHooks;
      /** Called once per failed batch, before its callers are rejected. */
      onFailure(err: unknown): void;
      /** Called when an `after` callback throws (it must not stop the others). */
      onAfterError(err: unknown): void;
    },
  ) {}

  /** Counters since open. */
  stats(): CommitStats {
    return { ...this.counts, queued: this.queue.length };
  }

  /** The value a key will have once everything queued is written. */
  async read(key: Buffer): Promise<Buffer | undefined> {
    const entry = this.overlay.get(key.toString('hex'));
    if (entry) return entry.value ?? undefined;
    return this.deps.db().get(key);
  }

  /** `read` of many keys, with one call into the database for those not queued. */
  async readMany(keyList: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    const out: (Buffer | undefined)[] = new Array<Buffer | undefined>(keyList.length);
    const fromDb: number[] = [];
    keyList.forEach((key, i) => {
      const entry = this.overlay.get(key.toString('hex'));
      if (entry) out[i] = entry.value ?? undefined;
      else fromDb.push(i);
    });
    if (fromDb.length > 0) {
      const values = await this.deps.db().getMany(fromDb.map((i) => keyList[i] as Buffer));
      fromDb.forEach((i, j) => {
        out[i] = values[j] ?? undefined;
      });
    }
    return out;
  }

  /**
   * Queues one mutation. Resolves after the batch that carries it was synced
   * (and `after` ran); rejects `temporary` when that batch failed.
   */
  submit(ops: IndexOp[], after?: () => void): Promise<void> {
    const overlay: [string, OverlayEntry][] = ops.map((op) => {
      const hex = op.key.toString('hex');
      const entry: OverlayEntry = { value: op.type === 'put' ? op.value : null };
      this.overlay.set(hex, entry);
      return [hex, entry];
    });
    const done = new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, overlay, after, resolve, reject });
    });
    // The caller awaits this promise; mark it handled so a rejection that lands
    // before the caller attaches its handler is not reported as unhandled.
    done.catch(() => undefined);
    this.kick();
    return done;
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Forgets queued values (after a failure the caches are reloaded from disk). */
  clearOverlay(): void {
    this.overlay.clear();
  }

  /**
   * Writes ops outside the queue (the test write after a reopen), through the
   * same hooks and with `sync: true`.
   */
  async writeDirect(ops: IndexOp[]): Promise<void> {
    const options = batchOptions();
    await this.deps.hooks.beforeBatch?.({ ops: ops.length, options });
    await this.deps.db().batch(ops, options);
  }

  private kick(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.writeQueued().finally(() => {
      this.inFlight = null;
      this.kick();
    });
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue.splice(0);
    const ops = batch.flatMap((m) => m.ops);
    const options = batchOptions();
    try {
      await this.deps.hooks.beforeBatch?.({ ops: ops.length, options });
      await this.deps.db().batch(ops, options);
    } catch (err) {
      // Everything queued behind this batch was prepared on state that is now
      // in doubt: it fails too, and the store reloads from disk when it reopens.
      const failed = batch.concat(this.queue.splice(0));
      this.overlay.clear();
      this.deps.onFailure(err);
      const mailErr = new MailError('temporary', 'the mail store could not write; try again later', err);
      for (const m of failed) m.reject(mailErr);
      return;
    }
    this.counts.batches += 1;
    this.counts.mutations += batch.length;
    this.deps.hooks.onSync?.('batch-sync', { ops: ops.length, mutations: batch.length, sync: options.sync });
    for (const m of batch) {
      for (const [hex, entry] of m.overlay) {
        if (this.overlay.get(hex) === entry) this.overlay.delete(hex);
      }
      try {
        m.after?.();
      } catch (err) {
        this.deps.onAfterError(err);
      }
      m.resolve();
    }
  }
}
