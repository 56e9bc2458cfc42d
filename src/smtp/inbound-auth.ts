import type { Readable } from 'node:stream';
import type { DNSResolver } from 'mailauth';
import { authenticateMessage } from './mail-authenticate.js';
import { createMimeIndexer, parseHeaderFields, type HeaderField } from '../mime/index.js';
import type { MessageIndex } from '../mime/types.js';
import type { MailStore } from '../store/types.js';
import { SmtpReply } from './replies.js';

/**
 * Checks of a whole received message, after its bytes are safely stored and
 * before it is delivered (ARCHITECTURE rule 7): each check returns a verdict,
 * runs under a timeout, and an exception or a timeout is a tempfail (the
 * sender retries), never a crash and never a silent accept.
 */
export type CheckVerdict =
  /** Go on; optionally add header lines (CRLF-terminated) and drop incoming fields. */
  | { action: 'continue'; headers?: string; drop?: (field: HeaderField) => boolean }
  /** Deliver now, skipping later checks. */
  | { action: 'accept' }
  | { action: 'reject'; reply: SmtpReply }
  | { action: 'tempfail'; reply: SmtpReply };

/** What a check sees of one message. */
export interface MessageCheckContext {
  /** Envelope sender ('' for the null sender). */
  sender: string;
  recipients: string[];
  remoteAddress: string;
  helo: string;
  /** The stored message bytes (our trace headers first); a fresh stream per call. */
  readMessage(): Readable;
  /** The same bytes when the message is held in memory (small messages), so a check can skip the stream. */
  held?: Buffer;
}

export interface MessageCheck {
  name: string;
  timeoutMs: number;
  run(ctx: MessageCheckContext): Promise<CheckVerdict>;
}

/** What the checks together decided. */
export type ChecksOutcome = { kind: 'deliver'; headers: string; drops: ((f: HeaderField) => boolean)[] } | { kind: 'refuse'; reply: SmtpReply };

const tempfail = (): SmtpReply => new SmtpReply(451, '4.7.0', 'Temporary failure checking the message, try again later');

/** Runs `checks` in order (see `CheckVerdict`). Never rejects. */
export async function runMessageChecks(checks: readonly MessageCheck[], ctx: MessageCheckContext, onError?: (check: string, err: unknown) => void): Promise<ChecksOutcome> {
  let headers = '';
  const drops: ((f: HeaderField) => boolean)[] = [];
  for (const check of checks) {
    let timer: NodeJS.Timeout | undefined;
    let verdict: CheckVerdict;
    try {
      verdict = await Promise.race([
        check.run(ctx),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`check ${check.name} timed out`)), check.timeoutMs);
        }),
      ]);
    } catch (err) {
      onError?.(check.name, err);
      return { kind: 'refuse', reply: tempfail() };
    } finally {
      clearTimeout(timer);
    }
    if (verdict.action === 'reject' || verdict.action === 'tempfail') return { kind: 'refuse', reply: verdict.reply };
    if (verdict.action === 'accept') break;
    headers += verdict.headers ?? '';
    if (verdict.drop) drops.push(verdict.drop);
  }
  return { kind: 'deliver', headers, drops };
}

export interface InboundAuthOptions {
  /** Our host name: the authserv-id of the Authentication-Results we write (RFC 8601 §2.5). */
  hostname: string;
  /** DNS for SPF/DKIM/DMARC/ARC lookups (mailauth's resolver shape); default: the system's. */
  resolver?: DNSResolver;
  /** Refuse at DATA when DMARC fails under a `p=reject` policy (default true). */
  rejectOnDmarcReject?: boolean;
  timeoutMs?: number;
}

/**
 * SPF (RFC 7208), DKIM (RFC 6376, RFC 8463), DMARC (RFC 7489) and ARC
 * (RFC 8617) for mail arriving on port 25, with mailauth. The results become
 * one `Authentication-Results` field with our host name (plus `Received-SPF`);
 * every incoming Authentication-Results field that claims our host name is
 * removed first (RFC 8601 §5: a forged one could make a client trust a fake
 * "pass"). A DMARC failure under `p=reject` is refused with 550 5.7.1 when
 * configured; `pct` is honoured.
 */
export function inboundAuthCheck(opts: InboundAuthOptions): MessageCheck {
  const ours = opts.hostname.toLowerCase();
  // The authserv-id is the first token of the value, before any version and ";".
  const claimsOurs = (f: HeaderField): boolean => f.name === 'authentication-results' && (f.value.split(';')[0] ?? '').trim().split(/\s+/)[0]?.toLowerCase() === ours;
  return {
    name: 'spf-dkim-dmarc',
    timeoutMs: opts.timeoutMs ?? 30_000,
    async run(ctx) {
      const result = await authenticateMessage({
        message: ctx.held ?? (() => ctx.readMessage()),
        ip: ctx.remoteAddress,
        helo: ctx.helo,
        sender: ctx.sender,
        mta: opts.hostname,
        ...(opts.resolver ? { resolver: opts.resolver } : {}),
      });
      const dmarc = result.dmarc;
      if ((opts.rejectOnDmarcReject ?? true) && dmarc && dmarc.status?.result === 'fail' && dmarc.policy === 'reject') {
        const pct = typeof dmarc.pct === 'number' ? dmarc.pct : 100;
        if (pct >= 100 || Math.random() * 100 < pct) {
          return { action: 'reject', reply: new SmtpReply(550, '5.7.1', `Rejected by the DMARC policy of ${dmarc.domain}`) };
        }
      }
      return { action: 'continue', headers: result.headers, drop: claimsOurs };
    },
  };
}

/**
 * Writes the stored message again with `headers` inserted after its first
 * line (our Return-Path) and the header fields `drop` selects removed; returns
 * the new blob (committed) and its index. The old blob is left to the caller
 * (it is unreferenced and removed at the next start). Fails like `createBlob`.
 */
export async function rewriteStoredMessage(store: MailStore, blobId: string, headers: string, drops: ((f: HeaderField) => boolean)[]): Promise<{ blobId: string; size: number; index: MessageIndex }> {
  const writer = store.createBlob();
  const indexer = createMimeIndexer();
  const put = async (b: Buffer): Promise<void> => {
    indexer.push(b);
    await writer.write(b);
  };
  try {
    let head: Buffer | null = Buffer.alloc(0);
    for await (const chunk of store.readBlob(blobId) as AsyncIterable<Buffer>) {
      if (head === null) {
        await put(chunk);
        continue;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < 256 * 1024) continue;
      const cut = end < 0 ? head.length : end + 2;
      await put(rewriteHeaderBlock(head.subarray(0, cut), headers, drops));
      await put(head.subarray(cut));
      head = null;
    }
    if (head !== null) await put(rewriteHeaderBlock(head, headers, drops));
    const { blobId: id, size } = await writer.commit();
    return { blobId: id, size, index: indexer.end() };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/**
 * Rewrites a header block: inserts `insert` after the first field (our
 * Return-Path) and leaves out the fields a check asked to drop. Pure.
 */
export function rewriteHeaderBlock(block: Buffer, insert: string, drops: ((f: HeaderField) => boolean)[]): Buffer {
  const out: Buffer[] = [];
  let start = 0;
  let first = true;
  while (start < block.length) {
    // One field = a line plus its continuation lines.
    let end = block.indexOf('\n', start);
    while (end >= 0 && (block[end + 1] === 0x20 || block[end + 1] === 0x09)) end = block.indexOf('\n', end + 1);
    const next = end < 0 ? block.length : end + 1;
    const raw = block.subarray(start, next);
    const [field] = parseHeaderFields(raw);
    if (!(field && drops.some((d) => d(field)))) out.push(raw);
    if (first) out.push(Buffer.from(insert, 'latin1'));
    first = false;
    start = next;
  }
  return Buffer.concat(out);
}
