/**
 * Blobs in memory, for tests: the same writer, hooks and reference counting
 * as the file backend, without touching the disk.
 */
import { Readable } from 'node:stream';
import { MailError } from '../errors.js';
import type { BlobBackend, BlobSink } from './blob-backend.js';

class MemorySink implements BlobSink {
  private chunks: Buffer[] = [];

  constructor(private readonly blobs: Map<string, Buffer>) {}

  async write(chunk: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(chunk));
  }

  async sync(): Promise<void> {}

  async place(blobId: string): Promise<void> {
    if (!this.blobs.has(blobId)) this.blobs.set(blobId, Buffer.concat(this.chunks));
    this.chunks = [];
  }

  async discard(): Promise<void> {
    this.chunks = [];
  }
}

/** Blobs kept in a Map; lost when the process ends. */
export class MemoryBlobs implements BlobBackend {
  private readonly blobs = new Map<string, Buffer>();

  newSink(): BlobSink {
    return new MemorySink(this.blobs);
  }

  async exists(blobId: string): Promise<boolean> {
    return this.blobs.has(blobId);
  }

  async size(blobId: string): Promise<number | null> {
    return this.blobs.get(blobId)?.length ?? null;
  }

  read(blobId: string): Readable {
    const blobs = this.blobs;
    async function* chunks(): AsyncGenerator<Buffer> {
      const buf = blobs.get(blobId);
      if (!buf) throw new MailError('notFound', 'no such message body');
      yield buf;
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async readRange(blobId: string, start: number, end: number): Promise<Buffer> {
    const buf = this.blobs.get(blobId);
    if (!buf) throw new MailError('notFound', 'no such message body');
    const from = Math.max(0, Math.min(start, buf.length));
    const to = Math.max(from, Math.min(end, buf.length));
    return Buffer.from(buf.subarray(from, to));
  }

  async readMany(blobIds: readonly string[], maxBytes: number): Promise<(Buffer | null)[]> {
    const found = blobIds.map((id) => this.blobs.get(id) ?? null);
    const total = found.reduce((sum, b) => sum + (b?.length ?? 0), 0);
    if (total > maxBytes) throw new MailError('tooBig', `the bodies exceed ${maxBytes} bytes`);
    return found.map((b) => (b ? Buffer.from(b) : null));
  }

  async remove(blobId: string): Promise<void> {
    this.blobs.delete(blobId);
  }

  async list(): Promise<string[]> {
    return [...this.blobs.keys()];
  }

  async cleanTemp(): Promise<void> {}

  async probe(): Promise<void> {}

  async close(): Promise<void> {}
}
