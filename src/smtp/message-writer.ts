import type { Readable } from 'node:stream';
import type { MailStore } from '../store/types.js';
import type { MessageIndex } from '../mime/types.js';
import { createMimeIndexer } from '../mime/index.js';
import { DataScanner } from './data-scanner.js';
import { replies, type SmtpReply } from './replies.js';

/** What became of one DATA stream. */
export type WriteOutcome =
  | { kind: 'stored'; blobId: string; size: number; index: MessageIndex }
  | { kind: 'rejected'; reply: SmtpReply }
  /** Over the SIZE limit: smtp-server answers 552 5.3.4 itself. */
  | { kind: 'oversized' };

export interface WriteOptions {
  store: MailStore;
  /** Trace headers to put in front of the message bytes. */
  prefix: string;
  /** More Received headers than this is a loop (Postfix's hopcount_limit is 50). */
  maxReceived: number;
}

/** smtp-server's data stream sets this once the message passed the SIZE limit. */
type DataStream = Readable & { sizeExceeded?: boolean };

/**
 * Streams a message from DATA to a blob on disk while the MIME indexer and the
 * framing scanner look at the same bytes: the body is never held whole in
 * memory, and bytes past the size limit are drained, not stored.
 * Resolves once the blob is committed (fsynced) or discarded; the caller then
 * delivers it. Rejects only on storage failure (the blob is discarded).
 */
export async function writeMessage(stream: DataStream, opts: WriteOptions): Promise<WriteOutcome> {
  const blob = opts.store.createBlob();
  const indexer = createMimeIndexer();
  const scanner = new DataScanner();
  let storing = true;
  const prefix = Buffer.from(opts.prefix, 'latin1');
  try {
    indexer.push(prefix);
    await blob.write(prefix);
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
      indexer.push(chunk);
      await blob.write(chunk);
    }
    scanner.end();
    if (stream.sizeExceeded) {
      await blob.abort();
      return { kind: 'oversized' };
    }
    if (scanner.bareLineEnding) {
      await blob.abort();
      return { kind: 'rejected', reply: replies.bareLineEnding() };
    }
    if (scanner.receivedHeaders > opts.maxReceived) {
      await blob.abort();
      return { kind: 'rejected', reply: replies.loopDetected() };
    }
    const index = indexer.end();
    const { blobId, size } = await blob.commit();
    return { kind: 'stored', blobId, size, index };
  } catch (err) {
    await blob.abort().catch(() => undefined);
    // Keep reading so smtp-server sees the end of DATA and can answer.
    stream.resume();
    throw err;
  }
}
