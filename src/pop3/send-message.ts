import type { MailStore } from '../store/types.js';
import { MailError } from '../errors.js';
import { ok } from './protocol.js';
import { DotStuffer, TopCutter } from './message-stream.js';
import type { MaildropEntry } from './maildrop.js';

/** Where a session writes. Both methods reject (or return a rejected promise) once the connection is closed. */
export interface Pop3Output {
  /** Writes; resolves when the connection can take more (back-pressure). */
  write(data: string | Buffer): Promise<void>;
  /**
   * Writes, for callers that avoid a promise when they can: undefined when
   * the connection can take more at once, else a promise to wait for.
   */
  writeNow(data: Buffer): Promise<void> | undefined;
}

/** Bytes gathered before one socket write: small messages go out in a single write with their +OK and terminator. */
const BATCH_BYTES = 64 * 1024;

/**
 * Sends one message as a RETR (RFC 1939 §7) or TOP (`topLines` set) response:
 * "+OK", the byte-stuffed message streamed from the blob, and ".".
 *
 * The blob is opened and its first chunk read before "+OK" is written, so a
 * body that vanished (another session expunged the message and it was the
 * last reference) is answered with a clean `-ERR` — resolves false, nothing
 * written. Once "+OK" is out, a read error cannot be reported in-band:
 * the promise rejects and the caller must close the connection. Memory use is
 * one chunk plus one batch whatever the message size, and each batch waits
 * for the socket to drain. The blob stream is always destroyed. Small
 * messages usually skip this: `ReadAhead` has their whole response ready.
 */
export async function sendMessage(store: MailStore, out: Pop3Output, entry: MaildropEntry, topLines: number | null): Promise<boolean> {
  const stream = store.readBlob(entry.blobId);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch (error) {
      if (error instanceof MailError && error.kind === 'notFound') return false;
      throw error;
    }
    const stuffer = new DotStuffer();
    const cutter = topLines === null ? null : new TopCutter(topLines);
    const head = topLines === null ? `${entry.size} octets` : 'top of message follows';
    let batch: Buffer[] = [Buffer.from(ok(head), 'latin1')];
    let batched = batch[0]!.length;
    const flush = async (): Promise<void> => {
      if (batched === 0) return;
      const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      await out.write(data);
    };

    while (!next.done) {
      let piece = next.value;
      if (cutter) piece = cutter.push(piece);
      piece = stuffer.push(piece);
      if (piece.length > 0) {
        batch.push(piece);
        batched += piece.length;
        if (batched >= BATCH_BYTES) await flush();
      }
      if (cutter?.done) break;
      next = await chunks.next();
    }
    const end = stuffer.finish();
    batch.push(end);
    batched += end.length;
    await flush();
    return true;
  } finally {
    stream.destroy();
  }
}
