/**
 * Batched reads of small blob files through one reader thread
 * (`blob-read-thread.ts`), for `MailStore.readBlobs`.
 *
 * The thread starts on first use and stops after a quiet spell, so a board
 * that nobody downloads mail from does not carry its memory (a few MB). One
 * request at a time is not required: requests queue in the thread and are
 * answered in order. If the thread dies, the requests waiting on it fail and
 * the next call starts a new one.
 */
import { Worker } from 'node:worker_threads';
import { MailError } from '../errors.js';

/** A request to the reader thread. */
export interface ReadRequest {
  id: number;
  paths: string[];
  /** Total bytes the thread may allocate; more fails `tooBig` before anything is read. */
  maxBytes: number;
}

/** The thread's answer: every body back to back in `buffer`, size -1 for a missing file. */
export type ReadReply =
  | { id: number; ok: true; buffer: ArrayBuffer; sizes: number[] }
  | { id: number; ok: false; kind: 'tooBig' | 'io'; message: string; code?: string | undefined };

interface Waiter {
  resolve: (bodies: (Buffer | null)[]) => void;
  reject: (err: Error) => void;
}

/** How long the thread may sit unused before it is stopped. */
const IDLE_MS = 30_000;

/** The reader thread and the requests waiting on it. `close()` stops it for good. */
export class BlobReadThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly idleMs = IDLE_MS) {}

  /**
   * Reads the files at `paths` whole; null for a file that does not exist.
   * Rejects with `MailError('tooBig')` when they hold more than `maxBytes`
   * together, `MailError('temporary')` after `close()`, and with the
   * underlying error (code kept) for any other failure.
   */
  read(paths: string[], maxBytes: number): Promise<(Buffer | null)[]> {
    if (this.closed) return Promise.reject(new MailError('temporary', 'the mail store is closed'));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A pending read keeps the process alive like any fs call would; an idle thread does not.
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ id, paths, maxBytes } satisfies ReadRequest);
    });
  }

  /** Whether the thread is running (for tests and status). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Stops the thread; reads still waiting fail `temporary`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop(new MailError('temporary', 'the mail store is closed'));
  }

  private start(): Worker {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./blob-read-thread.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: ReadReply) => this.answer(reply));
    worker.on('error', (err) => void this.stop(err));
    worker.on('exit', () => {
      if (this.worker === worker) void this.stop(new Error('the message body reader stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private answer(reply: ReadReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.idle();
    if (!reply.ok) {
      if (reply.kind === 'tooBig') w.reject(new MailError('tooBig', reply.message));
      else w.reject(Object.assign(new Error(reply.message), { code: reply.code }));
      return;
    }
    const bodies: (Buffer | null)[] = [];
    let at = 0;
    for (const size of reply.sizes) {
      if (size < 0) {
        bodies.push(null);
        continue;
      }
      bodies.push(Buffer.from(reply.buffer, at, size));
      at += size;
    }
    w.resolve(bodies);
  }

  /** Nothing waiting: let the process exit, and stop the thread if nothing comes for a while. */
  private idle(): void {
    this.worker?.unref();
    this.idleTimer = setTimeout(() => void this.stop(null), this.idleMs);
    this.idleTimer.unref();
  }

  /** Terminates the thread; waiting reads fail with `reason` (there are none when it is null). */
  private async stop(reason: Error | null): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(reason ?? new Error('the message body reader stopped'));
    if (worker) await worker.terminate();
  }
}
