import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseAddressList, parseHeaderFields } from '../mime/index.js';
import { rfc5322Date } from './trace-headers.js';

/**
 * What submission does to a message's header section (RFC 6409 §8):
 * adds Date and Message-ID when missing, removes Bcc (its recipients are in
 * the envelope; the header would tell every recipient who else got a copy),
 * and reports the From and Sender addresses for the ownership check.
 * Everything else passes byte for byte.
 */
export interface RewrittenHeader {
  header: Buffer;
  /** Addresses of every From mailbox (lower-cased), empty when there is no From. */
  from: string[];
  /** Addresses of the Sender field, if any. */
  sender: string[];
}

/** Longest header section we look at before the body starts. */
export const MAX_HEADER_BYTES = 256 * 1024;

function addresses(value: string): string[] {
  return (parseAddressList(value) ?? []).filter((a) => a.mailbox !== null && a.host !== null).map((a) => `${a.mailbox}@${a.host}`.toLowerCase());
}

/** Splits a header block into raw fields (each with its continuation lines and line ending). */
function rawFields(block: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let start = 0;
  let pos = 0;
  while (pos < block.length) {
    const lf = block.indexOf(0x0a, pos);
    const next = lf < 0 ? block.length : lf + 1;
    const following = block[next];
    // A line starting with SP or HT continues the field (RFC 5322 §2.2.3).
    if (next >= block.length || (following !== 0x20 && following !== 0x09)) {
      fields.push(block.subarray(start, next));
      start = next;
    }
    pos = next;
  }
  return fields;
}

/** Pure: rewrites one header block (without the empty line that ends it). */
export function rewriteHeader(block: Buffer, opts: { hostname: string; now: Date }): RewrittenHeader {
  const kept: Buffer[] = [];
  let hasDate = false;
  let hasMessageId = false;
  const from: string[] = [];
  const sender: string[] = [];
  for (const raw of rawFields(block)) {
    const [field] = parseHeaderFields(raw);
    if (!field) {
      kept.push(raw);
      continue;
    }
    if (field.name === 'bcc') continue;
    if (field.name === 'date') hasDate = true;
    if (field.name === 'message-id') hasMessageId = true;
    if (field.name === 'from') from.push(...addresses(field.value));
    if (field.name === 'sender') sender.push(...addresses(field.value));
    kept.push(raw);
  }
  const last = kept[kept.length - 1];
  if (last && last[last.length - 1] !== 0x0a) kept.push(Buffer.from('\r\n'));
  if (!hasDate) kept.push(Buffer.from(`Date: ${rfc5322Date(opts.now)}\r\n`));
  if (!hasMessageId) kept.push(Buffer.from(`Message-ID: <${randomBytes(12).toString('hex')}@${opts.hostname}>\r\n`));
  return { header: Buffer.concat(kept), from, sender };
}

/** The header section read off a DATA stream, and the rest of the stream. */
export interface SplitMessage {
  /** Header fields, without the empty line. */
  header: Buffer;
  /** The empty line and whatever followed it in the chunks read so far. */
  rest: Buffer;
  /** The remaining chunks. */
  tail: AsyncIterator<Buffer>;
  /** True when the header section did not end within `MAX_HEADER_BYTES`. */
  tooLarge: boolean;
}

/** Reads a stream until the end of the header section (or EOF, or the size cap). */
export async function splitHeader(source: AsyncIterable<Buffer>): Promise<SplitMessage> {
  const tail = source[Symbol.asyncIterator]();
  let buf = Buffer.alloc(0);
  for (;;) {
    const end = headerEnd(buf);
    if (end >= 0) return { header: buf.subarray(0, end), rest: buf.subarray(end), tail, tooLarge: false };
    if (buf.length > MAX_HEADER_BYTES) return { header: buf, rest: Buffer.alloc(0), tail, tooLarge: true };
    const next = await tail.next();
    if (next.done) return { header: buf, rest: Buffer.alloc(0), tail, tooLarge: false };
    buf = Buffer.concat([buf, next.value]);
  }
}

/** Offset just after the last header line (where the empty line starts), or -1. */
function headerEnd(buf: Buffer): number {
  if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) return 0;
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return -1;
  if (crlf < 0) return lf + 1;
  if (lf < 0) return crlf + 2;
  return Math.min(crlf + 2, lf + 1);
}

/** Drains what is left of a split stream (so smtp-server sees the end of DATA). */
export async function drain(tail: AsyncIterator<Buffer>): Promise<void> {
  for (;;) {
    const next = await tail.next();
    if (next.done) return;
  }
}

/**
 * The message as a stream again: new header, then the rest. `sizeExceeded`
 * reads through to smtp-server's stream, which sets it when the client sends
 * more than the SIZE limit (the message writer checks it).
 */
export function reassemble(header: Buffer, split: SplitMessage, original: { sizeExceeded?: boolean }): Readable & { sizeExceeded?: boolean } {
  async function* chunks(): AsyncGenerator<Buffer> {
    yield header;
    if (split.rest.length > 0) yield split.rest;
    for (;;) {
      const next = await split.tail.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false }) as Readable & { sizeExceeded?: boolean };
  Object.defineProperty(stream, 'sizeExceeded', { get: () => original.sizeExceeded });
  return stream;
}
