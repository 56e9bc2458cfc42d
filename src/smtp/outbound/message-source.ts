import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { MailStore } from '../../store/types.js';

/**
 * The bytes of a queued message as they go on the wire, streamed from the
 * store (never whole in memory):
 *
 * - the `Return-Path:` line that local delivery put first is dropped — it is
 *   added by the final delivery server, not by a relay (RFC 5321 §4.4);
 * - every line ending becomes CRLF: a bare LF or a bare CR is turned into one
 *   (RFC 5321 §2.3.8). Together with the SMTP client's dot-stuffing this means
 *   no byte sequence in a message can end DATA early at the remote and
 *   smuggle a second message (security-cases T10), including a "." that
 *   follows a converted bare CR;
 * - an optional prefix (DKIM-Signature fields) goes in front.
 *
 * DKIM is computed over exactly these bytes, so the signature verifies at the
 * receiver.
 */
export class CrlfNormalizer extends Transform {
  private lastWasCr = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    const parts: Buffer[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === 0x0d) {
        parts.push(chunk.subarray(start, i), CRLF);
        start = i + 1;
        this.lastWasCr = true;
        continue;
      }
      if (b === 0x0a) {
        // The LF of a CRLF was already written with its CR.
        parts.push(chunk.subarray(start, i));
        if (!this.lastWasCr) parts.push(CRLF);
        start = i + 1;
      }
      this.lastWasCr = false;
    }
    parts.push(chunk.subarray(start));
    done(null, Buffer.concat(parts));
  }
}

const CRLF = Buffer.from('\r\n');

/** Strips a first `Return-Path:` line from the stream. */
class DropReturnPath extends Transform {
  private head: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.head === null) return done(null, chunk);
    this.head = Buffer.concat([this.head, chunk]);
    const lf = this.head.indexOf(0x0a);
    if (lf < 0 && this.head.length < 1024) return done();
    const head = this.head;
    this.head = null;
    if (/^return-path:/i.test(head.subarray(0, 12).toString('latin1')) && lf >= 0) return done(null, head.subarray(lf + 1));
    done(null, head);
  }

  override _flush(done: TransformCallback): void {
    if (this.head && this.head.length > 0) this.push(this.head);
    done();
  }
}

/** The normalised message body of a queued blob, as a fresh stream (call again for a second pass). */
export function wireMessage(store: MailStore, blobId: string, prefix?: Buffer): Readable {
  // pipeline() destroys the whole chain on a read error, so the consumer sees it.
  const body = pipeline(store.readBlob(blobId), new DropReturnPath(), new CrlfNormalizer(), () => undefined);
  if (!prefix || prefix.length === 0) return body;
  async function* withPrefix(): AsyncGenerator<Buffer> {
    yield prefix as Buffer;
    for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
  }
  return Readable.from(withPrefix(), { objectMode: false });
}
