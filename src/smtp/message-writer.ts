import type { Readable } from 'node:stream';
import type { BlobWriter, MailStore } from '../store/types.js';
import type { MessageIndex } from '../mime/types.js';
import { createMimeIndexer } from '../mime/index.js';
import { DataScanner } from './data-scanner.js';
import { replies, type SmtpReply } from './replies.js';

/** What became of one DATA stream. */
export type WriteOutcome =
  | { kind: 'stored'; blobId: string; size: number; index: MessageIndex }
  /** Small enough to keep in memory (`holdUpTo`): nothing is on disk yet; the caller writes it once, after its checks. */
  | { kind: 'held'; bytes: Buffer }
  | { kind: 'rejected'; reply: SmtpReply }
  /** Over the SIZE limit: smtp-server answers 552 5.3.4 itself. */
  | { kind: 'oversized' };

export interface WriteOptions {
  store: MailStore;
  /** Trace headers to put in front of the message bytes. */
  prefix: string;
  /** More Received headers than this is a loop (Postfix's hopcount_limit is 50). */
  maxReceived: number;
  /**
   * Keep a message of at most this many bytes in memory instead of writing it:
   * when checks will add header fields, a small message is then written to disk
   * once, with them, instead of twice. Larger messages stream to disk as usual.
   */
  holdUpTo?: number;
}

/** smtp-server's data stream sets this once the message passed the SIZE limit. */
type DataStream = Readable & { sizeExceeded?: boolean };

/** Writes a complete message held in memory to a blob (one write, one fsync) with its MIME index. */
export async function storeHeldMessage(store: MailStore, bytes: Buffer): Promise<{ blobId: string; size: number; index: MessageIndex }> {
  const blob = store.createBlob();
  try {
    const indexer = createMimeIndexer();
    indexer.push(bytes);
    await blob.write(bytes);
    const index = indexer.end();
    const { blobId, size } = await blob.commit();
    return { blobId, size, index };
  } catch (err) {
    await blob.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * Streams a message from DATA to a blob on disk while the MIME indexer and the
 * framing scanner look at the same bytes: the body is never held whole in
 * memory, and bytes past the size limit are drained, not stored.
 * Resolves once the blob is committed (fsynced) or discarded; the caller then
 * delivers it. Rejects only on storage failure (the blob is discarded).
 */
export async function writeMessage(stream: DataStream, opts: WriteOptions): Promise<WriteOutcome> {
  // Created at the first byte that goes to disk: a message held in memory never opens one.
  let writer: BlobWriter | null = null;
  const blob = (): BlobWriter => (writer ??= opts.store.createBlob());
  const discard = async (): Promise<void> => {
    await writer?.abort();
  };
  const indexer = createMimeIndexer();
  const scanner = new DataScanner();
  let storing = true;
  const prefix = Buffer.from(opts.prefix, 'latin1');
  // While holding, bytes wait in memory; past `holdUpTo` they go to disk and streaming continues.
  let held: Buffer[] | null = opts.holdUpTo ? [prefix] : null;
  let heldBytes = prefix.length;
  const put = async (chunk: Buffer): Promise<void> => {
    if (held) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= (opts.holdUpTo ?? 0)) return;
      const spill = held;
      held = null;
      for (const c of spill) {
        indexer.push(c);
        await blob().write(c);
      }
      return;
    }
    indexer.push(chunk);
    await blob().write(chunk);
  };
  try {
    if (!held) await put(prefix);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!storing) continue; // drain what the client still sends
      if (stream.sizeExceeded) {
        storing = false;
        continue;
      }
      scanner.push(chunk);
      if (scanner.bareLineEnding) {
        storing = false;
        continue;
      }
      await put(chunk);
    }
    scanner.end();
    if (stream.sizeExceeded) {
      await discard();
      return { kind: 'oversized' };
    }
    if (scanner.bareLineEnding) {
      await discard();
      return { kind: 'rejected', reply: replies.bareLineEnding() };
    }
    if (scanner.receivedHeaders > opts.maxReceived) {
      await discard();
      return { kind: 'rejected', reply: replies.loopDetected() };
    }
    if (held) {
      await discard();
      return { kind: 'held', bytes: Buffer.concat(held, heldBytes) };
    }
    const index = indexer.end();
    const { blobId, size } = await blob().commit();
    return { kind: 'stored', blobId, size, index };
  } catch (err) {
    await discard().catch(() => undefined);
    held = null;
    // Keep reading so smtp-server sees the end of DATA and can answer.
    stream.resume();
    throw err;
  }
}
