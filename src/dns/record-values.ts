import { createPublicKey, type KeyObject } from 'node:crypto';
import type { DkimInput, DnsCheckConfig } from './types.js';

/**
 * The record values the box recommends, shared by the checks (as "expected")
 * and by "records to create", so that both always say the same thing.
 */

/** Where DMARC aggregate and TLS-RPT reports go: postmaster always exists (RFC 5321 §4.5.1). */
export function reportAddress(domain: string): string {
  return `postmaster@${domain}`;
}

/**
 * SPF for the mail domain: `mx` authorises the box itself (its MX host is
 * the sending host); a smarthost adds its SPF include, or its host name.
 * `~all` rather than `-all`, so that a receiver still weighs DKIM/DMARC
 * before rejecting (mox, internet.nl).
 */
export function expectedSpf(config: DnsCheckConfig): string {
  const relay = config.smarthost;
  if (!relay) return 'v=spf1 mx ~all';
  return relay.spfInclude ? `v=spf1 mx include:${relay.spfInclude} ~all` : `v=spf1 mx a:${relay.host.toLowerCase()} ~all`;
}

/** SPF for the EHLO name: only the host's own addresses may use it. */
export const HELO_SPF = 'v=spf1 a -all';

/** DMARC record: quarantine (the records we generate make our own mail align), with aggregate reports. */
export function expectedDmarc(domain: string): string {
  return `v=DMARC1; p=quarantine; rua=mailto:${reportAddress(domain)}`;
}

/** TLS-RPT record (RFC 8460 §3). */
export function expectedTlsRpt(domain: string): string {
  return `v=TLSRPTv1; rua=mailto:${reportAddress(domain)}`;
}

/** A parsed DKIM public key: its DNS form and strength. */
export interface DkimKeyInfo {
  /** `rsa` or `ed25519` (the DKIM `k=` tag, RFC 6376 §3.6.1, RFC 8463). */
  keyType: 'rsa' | 'ed25519';
  /** Base64 of what goes into `p=`: the SubjectPublicKeyInfo DER for RSA, the raw 32-byte key for Ed25519. */
  p: string;
  /** RSA modulus length in bits; 256 for Ed25519. */
  bits: number;
}

/** Reads our DKIM public key from PEM. Throws for a malformed key or an algorithm DKIM does not define. */
export function dkimKeyInfo(input: DkimInput): DkimKeyInfo {
  const key = createPublicKey(input.publicKeyPem);
  return keyInfo(key);
}

/** Same as `dkimKeyInfo` for the `p=` value found in DNS. Throws for undecodable data. */
export function dkimKeyFromDns(keyType: string, p: string): DkimKeyInfo {
  const der = Buffer.from(p, 'base64');
  if (keyType === 'ed25519') {
    if (der.length !== 32) throw new Error('an Ed25519 key must be 32 bytes');
    return { keyType: 'ed25519', p: der.toString('base64'), bits: 256 };
  }
  return keyInfo(createPublicKey({ key: der, format: 'der', type: 'spki' }));
}

function keyInfo(key: KeyObject): DkimKeyInfo {
  const der = key.export({ format: 'der', type: 'spki' });
  if (key.asymmetricKeyType === 'rsa') return { keyType: 'rsa', p: der.toString('base64'), bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
  // The raw Ed25519 key is the last 32 bytes of its SPKI (RFC 8410 §4).
  if (key.asymmetricKeyType === 'ed25519') return { keyType: 'ed25519', p: der.subarray(der.length - 32).toString('base64'), bits: 256 };
  throw new Error(`DKIM has no key type for ${key.asymmetricKeyType ?? 'this key'}`);
}

/** The TXT value of our DKIM record (RFC 6376 §3.6.1). */
export function expectedDkim(input: DkimInput): string {
  const info = dkimKeyInfo(input);
  return `v=DKIM1; k=${info.keyType}; p=${info.p}`;
}

/** Splits a TXT value into quoted character-strings of at most 255 bytes (RFC 1035 §3.3.14), joined by spaces. */
export function quoteTxt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  if (parts.length === 0) parts.push('');
  return parts.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
}

/** Parses `tag=value; tag=value` lists (DKIM RFC 6376 §3.2, DMARC RFC 7489 §6.4, MTA-STS, TLS-RPT). Later duplicates are reported. */
export function parseTagList(text: string): { tags: Map<string, string>; duplicate?: string; bad?: string } {
  const tags = new Map<string, string>();
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { tags, bad: part };
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (tags.has(name)) return { tags, duplicate: name };
    tags.set(name, value);
  }
  return { tags };
}
