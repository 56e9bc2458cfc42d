/**
 * SPF, DKIM, ARC and DMARC of one received message, with mailauth's parts.
 *
 * mailauth's `authenticate()` does the same steps, but its module also loads
 * BIMI with its certificate and SVG checks (an HTTP client, ASN.1 and XML
 * parsers: several MB that a mail box without BIMI never uses), and it reads
 * the whole message even when nothing in it is signed. Here only the four
 * checks are loaded, and an unsigned message's body is never read: without a
 * DKIM-Signature or ARC-Message-Signature no body hash is computed, so the
 * header block alone gives the same results. The header fields written are
 * mailauth's own (`Received-SPF`, one `Authentication-Results`).
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import type { DMARCResult, DNSResolver } from 'mailauth';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { spf } from 'mailauth/lib/spf/index.js';
import { arc } from 'mailauth/lib/arc/index.js';
import { dmarc } from 'mailauth/lib/dmarc/index.js';
import { parseHeaderFields } from '../mime/index.js';

/** libmime as mailauth itself resolves it, so the folding is exactly mailauth's. */
const libmime = createRequire(createRequire(import.meta.url).resolve('mailauth'))('libmime') as {
  foldLines(text: string, lineLength: number): string;
};

export interface AuthenticateInput {
  /** The message: whole bytes when held in memory, else a stream of it. */
  message: Buffer | (() => Readable);
  /** The client's IP address. */
  ip: string;
  /** EHLO/HELO name ('' when none was given). */
  helo: string;
  /** Envelope sender ('' for the null sender). */
  sender: string;
  /** Our host name: the authserv-id. */
  mta: string;
  resolver?: DNSResolver;
}

export interface AuthenticateResult {
  /** `Received-SPF` and `Authentication-Results`, CRLF-terminated. */
  headers: string;
  /** The DMARC evaluation, or false when the message has no usable From domain. */
  dmarc: DMARCResult | false;
}

/** Header fields whose presence means the body must be hashed. */
const SIGNATURE_FIELDS = new Set(['dkim-signature', 'arc-message-signature']);

/**
 * The part of a message held in memory that the checks need: the header
 * block and an empty body when nothing is signed, else all of it.
 */
export function authInput(bytes: Buffer): Buffer {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return bytes;
  const head = bytes.subarray(0, end + 2);
  if (parseHeaderFields(head).some((f) => SIGNATURE_FIELDS.has(f.name))) return bytes;
  return bytes.subarray(0, end + 4);
}

/**
 * Runs DKIM (RFC 6376), SPF (RFC 7208), ARC (RFC 8617) and DMARC (RFC 7489)
 * in mailauth's order and builds its header fields. DNS failures become
 * temperror results inside mailauth; other errors reject.
 */
export async function authenticateMessage(input: AuthenticateInput): Promise<AuthenticateResult> {
  const message = Buffer.isBuffer(input.message) ? authInput(input.message) : input.message();
  const dkimResult = await dkimVerify(message, { resolver: input.resolver, sender: input.sender });

  // RFC 7208 §2.3: without a HELO name the client's address stands in, in brackets.
  let helo = input.helo || input.ip;
  if (helo && isIP(helo)) helo = `[${helo}]`;
  const spfResult = await spf({ ip: input.ip, helo, sender: input.sender, mta: input.mta, resolver: input.resolver });
  const arcResult = await arc((dkimResult as { arc?: unknown }).arc as Parameters<typeof arc>[0], { resolver: input.resolver });

  const fold = (text: string): string => libmime.foldLines(text, 160);
  const results: string[] = [];
  const headers: string[] = [];
  for (const row of dkimResult.results ?? []) results.push(fold((row as { info: string }).info));
  if (spfResult) {
    results.push(fold(spfResult.info));
    headers.push(spfResult.header);
  }
  if (arcResult?.info) results.push(fold(arcResult.info));

  let dmarcResult: DMARCResult | false = false;
  if (dkimResult.headerFrom) {
    dmarcResult = await dmarc({
      headerFrom: dkimResult.headerFrom,
      spfDomains: spfResult?.status.result === 'pass' && spfResult.domain ? [spfResult.domain] : [],
      dkimDomains: (dkimResult.results ?? [])
        .filter((r) => r.status.result === 'pass')
        .map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned, underSized: r.status.underSized })),
      arcResult,
      resolver: input.resolver,
    } as Parameters<typeof dmarc>[0]);
    if (dmarcResult && dmarcResult.info) results.push(fold(dmarcResult.info));
  }
  headers.push(`Authentication-Results: ${input.mta};\r\n ${results.join(';\r\n ')}`);
  return { headers: `${headers.join('\r\n')}\r\n`, dmarc: dmarcResult };
}
