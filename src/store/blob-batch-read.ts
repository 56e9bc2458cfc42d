/**
 * Whole bodies of many messages for a scan (IMAP SEARCH BODY/TEXT over a
 * mailbox). A search reads thousands of small files one after the other; the
 * asynchronous fs calls cost ~40 µs of event-loop time each (three per file),
 * a synchronous open/read/close of a file in the page cache ~13 µs in all.
 * So files are read synchronously, in slices of at most `SLICE_MS` of
 * event-loop time with a yield in between, which keeps other sessions
 * served. When one read is slow (the file came from the SD card, not the
 * cache) the rest of the batch is read asynchronously instead, so a cold
 * disk never holds the event loop for long.
 */
import fs from 'node:fs';
import { MailError } from '../errors.js';
import type { BlobBackend } from './blob-backend.js';
import { FileBlobs } from './blob-files.js';

/** Event-loop time one slice of synchronous reads may take. */
const SLICE_MS = 4;
/** A read slower than this came from the disk: switch to asynchronous reads. */
const SLOW_MS = 2;
/** Bodies above this size are read asynchronously. */
const SYNC_MAX_BYTES = 256 * 1024;
/** Asynchronous reads in flight at once. */
const PARALLEL = 8;

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' || (err instanceof MailError && err.kind === 'notFound');
}

function readSync(path: string, size: number): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `items` (whole bodies of known size) in order; null for a body that is gone. */
export async function readWholeBlobs(blobs: BlobBackend, items: readonly { blobId: string; size: number }[]): Promise<(Buffer | null)[]> {
  const out: (Buffer | null)[] = new Array<Buffer | null>(items.length).fill(null);
  const later: number[] = [];
  if (blobs instanceof FileBlobs) {
    let slice = performance.now();
    let slow = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as { blobId: string; size: number };
      if (slow || item.size > SYNC_MAX_BYTES) {
        later.push(i);
        continue;
      }
      const t = performance.now();
      try {
        out[i] = readSync(blobs.pathOf(item.blobId), item.size);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const now = performance.now();
      if (now - t > SLOW_MS) slow = true;
      if (now - slice > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
  } else for (let i = 0; i < items.length; i++) later.push(i);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < later.length) {
      const i = later[next++] as number;
      const item = items[i] as { blobId: string; size: number };
      try {
        out[i] = await blobs.readRange(item.blobId, 0, item.size);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, later.length) }, worker));
  return out;
}
