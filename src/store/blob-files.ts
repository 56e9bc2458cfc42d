/**
 * Blobs as files: `blobs/<first 2 hex>/<sha256 hex>`, written through
 * `blobs/tmp/` and renamed into place. A body file is written once and never
 * modified; deleting the last message that references it deletes the file.
 */
import fs, { constants as fsc, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MailError } from '../errors.js';
import type { BlobBackend, BlobSink } from './blob-backend.js';
import { BlobReadThread } from './blob-reader.js';

const READ_CHUNK = 64 * 1024;
/** Ranges up to this size are read without a stat (see `readRange`). */
const SMALL_READ = 1024 * 1024;

/** Reads up to `length` bytes at `position` with the callback API; fewer when the file ends first. */
function readSmall(path: string, position: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (err, fd) => {
      if (err) return reject(isNotFound(err) ? new MailError('notFound', 'no such message body') : err);
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

/**
 * Temporary names: a random prefix per process and a counter. Unique without
 * asking the random source once per message; `wx` still refuses to reuse a
 * name left by another process.
 */
const TMP_PREFIX = randomBytes(6).toString('hex');
let tmpCounter = 0;

/**
 * Open handles of the blob directories (the root, `tmp` and at most 256
 * fan-out directories), kept for fsync: every stored message makes its name
 * durable with a directory fsync, and keeping the handle saves an open and a
 * close per message. A handle whose fsync failed is closed and forgotten, so
 * the next attempt (after the store's reopen) starts from a fresh open.
 */
class DirHandles {
  private readonly handles = new Map<string, Promise<fsp.FileHandle>>();
  private closed = false;

  /** fsyncs a directory so that a rename or unlink inside it survives a power cut. */
  async sync(path: string): Promise<void> {
    if (this.closed) return this.syncOnce(path);
    let handle = this.handles.get(path);
    if (!handle) {
      handle = fsp.open(path, fsc.O_RDONLY | fsc.O_DIRECTORY);
      this.handles.set(path, handle);
      handle.catch(() => this.handles.get(path) === handle && this.handles.delete(path));
    }
    const fh = await handle;
    try {
      await fh.sync();
    } catch (err) {
      if (this.handles.get(path) === handle) this.handles.delete(path);
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Closes every kept handle; later syncs open and close their own. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const handle of all) await (await handle.catch(() => null))?.close().catch(() => undefined);
  }

  private async syncOnce(path: string): Promise<void> {
    const fh = await fsp.open(path, fsc.O_RDONLY | fsc.O_DIRECTORY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

class FileSink implements BlobSink {
  private fh: fsp.FileHandle | null = null;
  /** Whether the temporary file was created (only then is there anything to unlink). */
  private created = false;
  private readonly tmpPath: string;

  constructor(private readonly files: FileBlobs) {
    this.tmpPath = join(files.tmpDir, `${TMP_PREFIX}${(tmpCounter++).toString(16).padStart(8, '0')}.part`);
  }

  private async open(): Promise<fsp.FileHandle> {
    const fh = await fsp.open(this.tmpPath, 'wx', 0o600);
    this.created = true;
    return fh;
  }

  async write(chunk: Buffer): Promise<void> {
    this.fh ??= await this.open();
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
  }

  async sync(): Promise<void> {
    this.fh ??= await this.open();
    await this.fh.sync();
    await this.fh.close();
    this.fh = null;
  }

  async place(blobId: string): Promise<void> {
    const dir = this.files.dirOf(blobId);
    if (!this.files.knownDirs.has(dir)) {
      const created = await fsp.mkdir(dir, { recursive: true });
      if (created !== undefined) await this.files.dirs.sync(this.files.root);
      this.files.knownDirs.add(dir);
    }
    // If identical content is already stored, renaming over it swaps one
    // durable copy of the same bytes for another: readers keep their open
    // file, and it saves a lookup on the delivery path.
    await fsp.rename(this.tmpPath, join(dir, blobId));
    // The new name must survive a power cut; a stale temp name would only be swept at open.
    await this.files.dirs.sync(dir);
  }

  async discard(): Promise<void> {
    try {
      await this.fh?.close();
    } catch {
      // already closed or failed: nothing more to release
    }
    this.fh = null;
    if (this.created) await fsp.unlink(this.tmpPath).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.access(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Blob files under `root` (normally `<data dir>/blobs`). */
export class FileBlobs implements BlobBackend {
  readonly tmpDir: string;
  /** Fan-out directories known to exist (at most 256), so placing a blob skips the mkdir. */
  readonly knownDirs = new Set<string>();
  /** Kept directory handles for fsync. */
  readonly dirs = new DirHandles();
  /** Batched small reads (`readMany`) go through one thread that starts when first needed. */
  private readonly reader = new BlobReadThread();

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  /** Creates the directories. */
  async init(): Promise<void> {
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }

  dirOf(blobId: string): string {
    return join(this.root, blobId.slice(0, 2));
  }

  pathOf(blobId: string): string {
    return join(this.dirOf(blobId), blobId);
  }

  newSink(): BlobSink {
    return new FileSink(this);
  }

  exists(blobId: string): Promise<boolean> {
    return exists(this.pathOf(blobId));
  }

  async size(blobId: string): Promise<number | null> {
    try {
      return (await fsp.stat(this.pathOf(blobId))).size;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  read(blobId: string): Readable {
    const path = this.pathOf(blobId);
    async function* chunks(): AsyncGenerator<Buffer> {
      let fh: fsp.FileHandle;
      try {
        fh = await fsp.open(path, 'r');
      } catch (err) {
        throw isNotFound(err) ? new MailError('notFound', 'no such message body') : err;
      }
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

  async readRange(blobId: string, start: number, end: number): Promise<Buffer> {
    const path = this.pathOf(blobId);
    const want = Math.max(0, end - start);
    // Small ranges (a whole message for SEARCH, a header, a FETCH section) take three callback
    // fs calls and no stat: bytes past the end of the file are simply not read. The promise
    // API's FileHandle costs several times more per file, which showed in SEARCH BODY over
    // 10,000 messages. Large ranges are clipped to the file size first, so the buffer fits.
    if (want <= SMALL_READ) return readSmall(path, Math.max(0, start), want);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, 'r');
    } catch (err) {
      throw isNotFound(err) ? new MailError('notFound', 'no such message body') : err;
    }
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

  readMany(blobIds: readonly string[], maxBytes: number): Promise<(Buffer | null)[]> {
    if (blobIds.length === 0) return Promise.resolve([]);
    return this.reader.read(blobIds.map((id) => this.pathOf(id)), maxBytes);
  }

  async remove(blobId: string): Promise<void> {
    try {
      await fsp.unlink(this.pathOf(blobId));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await this.dirs.sync(this.dirOf(blobId));
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const sub of await fsp.readdir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await fsp.readdir(join(this.root, sub))) {
        if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(sub)) out.push(name);
      }
    }
    return out;
  }

  async cleanTemp(): Promise<void> {
    for (const name of await fsp.readdir(this.tmpDir)) {
      await fsp.unlink(join(this.tmpDir, name)).catch(() => undefined);
    }
  }

  /** Closes the kept directory handles and stops the reader thread (the store is closing). */
  async close(): Promise<void> {
    await Promise.all([this.dirs.close(), this.reader.close()]);
  }

  async probe(): Promise<void> {
    const path = join(this.tmpDir, `probe-${randomBytes(6).toString('hex')}`);
    const fh = await fsp.open(path, 'w', 0o600);
    try {
      await fh.write(Buffer.alloc(512, 0x2e));
      await fh.sync();
    } finally {
      await fh.close();
      await fsp.unlink(path).catch(() => undefined);
    }
  }

}
