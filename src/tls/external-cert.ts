/**
 * A certificate from elsewhere (ACME or imported by the owner) served
 * instead of the box's own leaf. It lives beside the local files as
 * `external.crt` (leaf then chain), `external.key` (0600) and
 * `external.json` (where it came from), written atomically like the rest.
 * The local CA and leaf stay in place: they are the fallback whenever the
 * external certificate is removed, expires or cannot be read.
 */
import { X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { MailError } from '../errors.js';
import { loadPair } from './cert-check.js';
import { CERT_FILE_MODE, KEY_FILE_MODE, readIfExists, writeFileAtomic } from './cert-files.js';
import { buildSecureContext } from './tls-policy.js';

export type ExternalSource = 'acme' | 'imported';

/** A validated external certificate, ready to serve. */
export interface ExternalCertificate {
  pem: { cert: string; key: string };
  source: ExternalSource;
  notAfterMs: number;
  context: SecureContext;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function files(dir: string) {
  return { cert: join(dir, 'external.crt'), key: join(dir, 'external.key'), meta: join(dir, 'external.json') };
}

/**
 * Checks a chain (leaf first) and key and builds its TLS context. Fails
 * `MailError('invalid')` saying what is wrong: unreadable, key mismatch,
 * expired or not yet valid, a CA as leaf, or a chain out of order.
 */
export function prepareExternal(certPem: string, keyPem: string, source: ExternalSource, nowMs: number): ExternalCertificate {
  const pems = certPem.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new MailError('invalid', 'tls: the certificate is not PEM');
  const pair = loadPair(pems[0] as string, keyPem);
  if (typeof pair === 'string') throw new MailError('invalid', `tls: ${pair}`);
  if (pair.notAfterMs <= nowMs) throw new MailError('invalid', 'tls: the certificate has expired');
  if (pair.notBeforeMs > nowMs) throw new MailError('invalid', 'tls: the certificate is not valid yet');
  if (pair.x509.ca) throw new MailError('invalid', 'tls: the first certificate is a CA certificate');
  let chain: X509Certificate[];
  try {
    chain = pems.map((p) => new X509Certificate(p));
  } catch {
    throw new MailError('invalid', 'tls: a chain certificate is unreadable');
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!(chain[i] as X509Certificate).checkIssued(chain[i + 1] as X509Certificate)) throw new MailError('invalid', 'tls: the chain is not in order (each certificate must be followed by its issuer)');
  }
  const cert = `${pems.join('\n')}\n`;
  let context: SecureContext;
  try {
    context = buildSecureContext({ cert, key: keyPem });
  } catch (err) {
    throw new MailError('invalid', `tls: the certificate cannot be used: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { pem: { cert, key: keyPem }, source, notAfterMs: pair.notAfterMs, context };
}

/** Writes the external certificate (key first, then chain, then the note of its source). */
export async function saveExternal(dir: string, ext: ExternalCertificate): Promise<void> {
  const f = files(dir);
  await writeFileAtomic(f.key, ext.pem.key, KEY_FILE_MODE);
  await writeFileAtomic(f.cert, ext.pem.cert, CERT_FILE_MODE);
  await writeFileAtomic(f.meta, `${JSON.stringify({ source: ext.source })}\n`, CERT_FILE_MODE);
}

/** Removes the external certificate files (missing files are fine). */
export async function removeExternal(dir: string): Promise<void> {
  const f = files(dir);
  for (const p of [f.meta, f.cert, f.key]) await fsp.rm(p, { force: true });
}

/**
 * The stored external certificate, or null when there is none or it can no
 * longer be served (expired, damaged): the box then falls back to its own.
 * `problem` says why a stored one was skipped.
 */
export async function loadExternal(dir: string, nowMs: number): Promise<{ ext: ExternalCertificate | null; problem?: string }> {
  const f = files(dir);
  const [cert, key, meta] = await Promise.all([readIfExists(f.cert), readIfExists(f.key), readIfExists(f.meta)]);
  if (cert === undefined || key === undefined) return { ext: null };
  let source: ExternalSource = 'imported';
  try {
    if (meta && (JSON.parse(meta) as { source?: string }).source === 'acme') source = 'acme';
  } catch {
    // unreadable note: treat as imported
  }
  try {
    return { ext: prepareExternal(cert, key, source, nowMs) };
  } catch (err) {
    return { ext: null, problem: err instanceof Error ? err.message : String(err) };
  }
}
