/**
 * Reading one body file: streamed whole (`readBlob`) or a byte range
 * (`readBlobRange`: FETCH sections, headers). Batches of whole small bodies
 * are read by `blob-batch-read.ts`.
 */
import fs, { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { MailError } from '../errors.js';

const READ_CHUNK = 64 * 1024;
/** Ranges up to this size are read without a stat (see `readFileRange`). */
const SMALL_READ = 1024 * 1024;

/** Whether an fs error means the file does not exist. */
export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function notFoundOr(err: unknown): unknown {
  return isNotFound(err) ? new MailError('notFound', 'no such message body') : err;
}

/** Opens a body file for reading; fails `notFound` when it is missing. */
async function openBody(path: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(path, 'r');
  } catch (err) {
    throw notFoundOr(err);
  }
}

/** Reads up to `length` bytes at `position` with the callback API; fewer when the file ends first. */
function readSmall(path: string, position: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (err, fd) => {
      if (err) return reject(notFoundOr(err));
      const buf = Buffer.allocUnsafe(length);
      let off = 0;
      const finish = (failure: unknown): void => fs.close(fd, () => (failure ? reject(failure) : resolve(buf.subarray(0, off))));
      const next = (): void => {
        if (off >= length) return finish(null);
        fs.read(fd, buf, off, length - off, position + off, (readErr, n) => {
          if (readErr) return finish(readErr);
          if (n === 0) return finish(null);
          off += n;
          next();
        });
      };
      next();
    });
  });
}

/** Streams a whole file in 64 KiB chunks; the stream errors `notFound` when it is missing. */
export function readFileStream(path: string): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    const fh = await openBody(path);
    try {
      for (;;) {
        const buf = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) return;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** Bytes [start, end) of a file, clamped to its size. Fails `notFound`. */
export async function readFileRange(path: string, start: number, end: number): Promise<Buffer> {
  const want = Math.max(0, end - start);
  // Small ranges (a header, a FETCH section) take three callback fs calls and
  // no stat: bytes past the end of the file are simply not read. The promise
  // API's FileHandle costs several times more per file, which showed in SEARCH
  // over 10,000 messages. Large ranges are clipped to the file size first, so the buffer fits.
  if (want <= SMALL_READ) return readSmall(path, Math.max(0, start), want);
  const fh = await openBody(path);
  try {
    const size = (await fh.stat()).size;
    const from = Math.max(0, Math.min(start, size));
    const to = Math.max(from, Math.min(end, size));
    const buf = Buffer.alloc(to - from);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, from + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
