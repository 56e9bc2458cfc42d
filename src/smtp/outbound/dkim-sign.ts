import type { Logger } from 'pino';
// The signer alone: mailauth's index also loads BIMI's HTTP client and certificate parsers.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { parseAddressList, parseHeaderFields } from '../../mime/index.js';
import type { MailStore } from '../../store/types.js';
import { ensureDkimKeys } from './dkim-keys.js';
import { headerSection } from './dsn-builder.js';
import { wireMessage } from './message-source.js';
import type { OutboundSettings } from './settings.js';

/**
 * The DKIM-Signature fields (RFC 6376 §3.5, relaxed/relaxed) for a queued
 * message, or undefined when it is not ours to sign. The signing domain is
 * the domain of the From header (so DMARC alignment holds, RFC 7489 §3.1.1)
 * when it is one of our domains; its keys are generated on first use.
 * The signature covers exactly the bytes `wireMessage` produces.
 *
 * Signing failures are logged and the message goes unsigned: it may then be
 * treated as spam, but it is not held back because of a key problem.
 */
export async function dkimPrefix(store: MailStore, blobId: string, settings: OutboundSettings, log: Logger): Promise<Buffer | undefined> {
  const domain = await fromDomain(store, blobId);
  if (!domain || !store.isLocalDomain(domain)) return undefined;
  try {
    const keys = await ensureDkimKeys(store, domain, settings.dkim);
    if (keys.length === 0) return undefined;
    const result = await dkimSign(wireMessage(store, blobId), {
      canonicalization: 'relaxed/relaxed',
      signingDomain: domain,
      selector: keys[0]!.selector,
      privateKey: keys[0]!.privateKey,
      signatureData: keys.map((k) => ({ signingDomain: domain, selector: k.selector, privateKey: k.privateKey, canonicalization: 'relaxed/relaxed' })),
    });
    if (result.errors?.length) log.warn({ domain, errors: result.errors.length }, 'DKIM signing reported errors');
    return result.signatures.trim() ? Buffer.from(result.signatures, 'latin1') : undefined;
  } catch (err) {
    log.error({ err, domain }, 'DKIM signing failed; sending unsigned');
    return undefined;
  }
}

/** Domain of the (first) From address of a stored message, lower-cased. */
export async function fromDomain(store: MailStore, blobId: string): Promise<string | null> {
  const head = headerSection(await store.readBlobRange(blobId, 0, 64 * 1024));
  const from = parseHeaderFields(head).find((f) => f.name === 'from');
  const host = from ? parseAddressList(from.value)?.find((a) => a.host)?.host : null;
  return host ? host.toLowerCase() : null;
}
