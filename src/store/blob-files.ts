/**
 * Blobs as files: `blobs/<first 2 hex>/<sha256 hex>`, written through
 * `blobs/tmp/` and renamed into place (blob-file-sink.ts). A body file is
 * written once and never modified; deleting the last message that references
 * it deletes the file. Reading one body is blob-file-read.ts, a batch of
 * whole bodies blob-batch-read.ts.
 */
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobBackend, BlobSink } from './blob-backend.js';
import { BlobBatchReader } from './blob-batch-read.js';
import { isNotFound, readFileRange, readFileStream } from './blob-file-read.js';
import { DirHandles, FileSink, type SinkPlaces } from './blob-file-sink.js';

/** Blob files under `root` (normally `<data dir>/blobs`). */
export class FileBlobs implements BlobBackend, SinkPlaces {
  readonly tmpDir: string;
  /** Fan-out directories known to exist (at most 256), so placing a blob skips the mkdir. */
  readonly knownDirs = new Set<string>();
  /** Kept directory handles for fsync. */
  readonly dirs = new DirHandles();
  /** Batches of whole bodies (`readMany`): synchronous from the page cache, the reader thread when the disk is slow. */
  private readonly reader = new BlobBatchReader();

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

  async exists(blobId: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(blobId));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
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
    return readFileStream(this.pathOf(blobId));
  }

  readRange(blobId: string, start: number, end: number): Promise<Buffer> {
    return readFileRange(this.pathOf(blobId), start, end);
  }

  readMany(blobIds: readonly string[], maxBytes: number, inThread = false): Promise<(Buffer | null)[]> {
    if (blobIds.length === 0) return Promise.resolve([]);
    return this.reader.read(blobIds.map((id) => this.pathOf(id)), maxBytes, inThread);
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
