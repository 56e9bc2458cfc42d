/**
 * The one batch reader of whole blob files, behind `MailStore.readBlobs`:
 * POP3's read-ahead (the next ~32 small messages of a download) and IMAP
 * SEARCH BODY/TEXT (64 messages at a time over a whole mailbox) both read
 * many small files one after the other, and both need the bytes exactly,
 * within a memory bound, without holding up other sessions.
 *
 * Two ways to read, chosen per file:
 * - On the event loop, synchronously, while the files come from the page
 *   cache: an open/fstat/read/close of a cached file costs ~13 µs in all,
 *   where four asynchronous fs calls cost ~100 µs of event-loop time and a
 *   trip to the reader thread ~120 µs plus ~30 ms to start it. Reads go in
 *   slices of at most `SLICE_MS` with a yield in between, so other sessions
 *   are served during a long scan.
 * - In the reader thread (`blob-reader.ts`) when the disk is slow or the body
 *   is large: one read that took longer than `SLOW_MS` (the file came from
 *   the SD card) sends the rest of the batch, and every batch for the next
 *   `SLOW_SPELL_MS`, to the thread, so a cold or busy card blocks the event
 *   loop for at most one read per spell, never for a whole batch.
 *
 * Memory: a body is allocated only after its size (fstat) is known to fit in
 * what is left of `maxBytes`; the thread checks its share the same way before
 * reading anything. So the bodies held never exceed `maxBytes`.
 */
import fs from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { MailError } from '../errors.js';
import { BlobReadThread } from './blob-reader.js';

/** Event-loop time one slice of synchronous reads may take. */
const SLICE_MS = 4;
/** A single read slower than this came from the disk, not the page cache. */
const SLOW_MS = 2;
/** After a slow read, how long every batch goes to the reader thread. */
const SLOW_SPELL_MS = 30_000;
/** Bodies above this size are read in the thread (one read of them could take milliseconds). */
const SYNC_MAX_BYTES = 256 * 1024;

/** What one synchronous read gave: the bytes, null (no such file), or 'thread' (too big to read here). */
type SyncResult = Buffer | null | 'thread';

function tooBig(maxBytes: number): MailError {
  return new MailError('tooBig', `the bodies exceed ${maxBytes} bytes`);
}

/** Reads one whole file if it fits in `room` bytes; fails `tooBig` before allocating when it does not. */
function readOneSync(path: string, room: number, maxBytes: number): SyncResult {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // deleted since the caller learned its id
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > SYNC_MAX_BYTES) return 'thread';
    if (size > room) throw tooBig(maxBytes);
    const buf = Buffer.allocUnsafe(size);
    // Bodies are immutable, so the size from fstat holds; a short read would mean a damaged file.
    for (let got = 0; got < size; ) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) throw new Error(`short read of ${path}`);
      got += n;
    }
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whole-file batch reads for the file backend; `close()` stops the reader thread for good. */
export class BlobBatchReader {
  private readonly thread: BlobReadThread;
  /** Until this time (performance.now()), batches go to the thread: the disk was slow. */
  private slowUntil = 0;
  private closed = false;

  constructor(idleMs?: number) {
    this.thread = new BlobReadThread(idleMs);
  }

  /**
   * Reads the files at `paths` whole, in order; null for a file that does
   * not exist. `inThread` sends the whole batch to the reader thread. Fails `tooBig` when they hold more than `maxBytes` together
   * (never holding more than that), `temporary` after `close()`, and with the
   * underlying error (code kept) for any other failure.
   */
  async read(paths: readonly string[], maxBytes: number, inThread = false): Promise<(Buffer | null)[]> {
    if (this.closed) throw new MailError('temporary', 'the mail store is closed');
    if (inThread || performance.now() < this.slowUntil) return this.thread.read([...paths], maxBytes);
    const out = new Array<Buffer | null>(paths.length).fill(null);
    const later: number[] = [];
    let held = 0;
    let slice = performance.now();
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i] as string;
      if (performance.now() < this.slowUntil) {
        later.push(i);
        continue;
      }
      const t = performance.now();
      const got = readOneSync(path, maxBytes - held, maxBytes);
      const now = performance.now();
      if (got === 'thread') later.push(i);
      else if (got) {
        out[i] = got;
        held += got.length;
      }
      if (now - t > SLOW_MS) this.slowUntil = now + SLOW_SPELL_MS;
      if (now - slice > SLICE_MS && i + 1 < paths.length) {
        await yieldToLoop();
        if (this.closed) throw new MailError('temporary', 'the mail store is closed');
        slice = performance.now();
      }
    }
    if (later.length > 0) {
      // What is left of the budget is the thread's bound for the rest.
      const rest = await this.thread.read(
        later.map((i) => paths[i] as string),
        maxBytes - held,
      ).catch((err: unknown) => {
        throw err instanceof MailError && err.kind === 'tooBig' ? tooBig(maxBytes) : err;
      });
      later.forEach((i, k) => (out[i] = rest[k] ?? null));
    }
    return out;
  }

  /** Whether the reader thread is running (for tests and status). */
  get threadRunning(): boolean {
    return this.thread.running;
  }

  /** Stops the reader thread; reads still waiting on it fail `temporary`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread.close();
  }
}
