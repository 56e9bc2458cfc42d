/**
 * Writing one body file: the bytes go to a temporary file in `blobs/tmp/`,
 * are fsync'd, then renamed to `blobs/<first 2 hex>/<sha256 hex>` and the
 * directory is fsync'd (the order `HashingBlobWriter.commit` relies on).
 * Also the kept directory handles those fsyncs (and a deletion's) go through.
 */
import { constants as fsc, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BlobSink } from './blob-backend.js';

/**
 * Open handles of the blob directories (the root, `tmp` and at most 256
 * fan-out directories), kept for fsync: every stored message makes its name
 * durable with a directory fsync, and keeping the handle saves an open and a
 * close per message. A handle whose fsync failed is closed and forgotten, so
 * the next attempt (after the store's reopen) starts from a fresh open.
 */
export class DirHandles {
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

/** What a sink needs of the blob directory it writes into. */
export interface SinkPlaces {
  readonly root: string;
  readonly tmpDir: string;
  /** Fan-out directories known to exist; a sink adds the one it creates. */
  readonly knownDirs: Set<string>;
  readonly dirs: DirHandles;
  dirOf(blobId: string): string;
}

/**
 * Temporary names: a random prefix per process and a counter. Unique without
 * asking the random source once per message; `wx` still refuses to reuse a
 * name left by another process.
 */
const TMP_PREFIX = randomBytes(6).toString('hex');
let tmpCounter = 0;

/** One body being written to a temporary file, then placed under its content address. */
export class FileSink implements BlobSink {
  private fh: fsp.FileHandle | null = null;
  /** Whether the temporary file was created (only then is there anything to unlink). */
  private created = false;
  private readonly tmpPath: string;

  constructor(private readonly places: SinkPlaces) {
    this.tmpPath = join(places.tmpDir, `${TMP_PREFIX}${(tmpCounter++).toString(16).padStart(8, '0')}.part`);
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
    const dir = this.places.dirOf(blobId);
    if (!this.places.knownDirs.has(dir)) {
      const created = await fsp.mkdir(dir, { recursive: true });
      if (created !== undefined) await this.places.dirs.sync(this.places.root);
      this.places.knownDirs.add(dir);
    }
    // If identical content is already stored, renaming over it swaps one
    // durable copy of the same bytes for another: readers keep their open
    // file, and it saves a lookup on the delivery path.
    await fsp.rename(this.tmpPath, join(dir, blobId));
    // The new name must survive a power cut; a stale temp name would only be swept at open.
    await this.places.dirs.sync(dir);
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
