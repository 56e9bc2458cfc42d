/**
 * Checks on certificates read back from disk. Parsing uses Node's
 * `X509Certificate` (OpenSSL), never node-forge: forge only ever writes.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type forge from 'node-forge';
import { sanKeys, sanKeysFromText, sameKeys, type CertificateNames } from './cert-names.js';
import { CLOCK_FLOOR_MS, notBeforeFor } from './cert-issue.js';

const DAY_MS = 86_400_000;

/** A certificate as read from disk, with its key and parsed form. */
export interface LoadedPair {
  certPem: string;
  keyPem: string;
  x509: X509Certificate;
  notBeforeMs: number;
  notAfterMs: number;
}

/**
 * Parses a certificate and checks the private key belongs to it. Returns the
 * problem as text instead of throwing, so the caller decides whether to
 * reissue or refuse.
 */
export function loadPair(certPem: string, keyPem: string): LoadedPair | string {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch {
    return 'certificate is unreadable';
  }
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCert = x509.publicKey.export({ type: 'spki', format: 'der' });
    if (!fromKey.equals(fromCert)) return 'private key does not match the certificate';
  } catch {
    return 'private key is unreadable';
  }
  return {
    certPem,
    keyPem,
    x509,
    notBeforeMs: Date.parse(x509.validFrom),
    notAfterMs: Date.parse(x509.validTo),
  };
}

/** True when the pair expires within `days` of `nowMs`. */
export function expiresWithin(pair: LoadedPair, nowMs: number, days: number): boolean {
  return pair.notAfterMs - nowMs < days * DAY_MS;
}

/**
 * True when the certificate was dated from the clock floor (issued while the
 * board's clock was unset) and the clock has since moved far enough that a
 * reissue would carry the real time.
 */
export function issuedBeforeClockSync(pair: LoadedPair, nowMs: number): boolean {
  return pair.notBeforeMs === CLOCK_FLOOR_MS && notBeforeFor(nowMs) > CLOCK_FLOOR_MS;
}

/** Why a loaded CA cannot sign, or undefined when it can. */
export function caProblem(ca: LoadedPair): string | undefined {
  if (!ca.x509.ca) return 'ca.crt is not a CA certificate';
  if (!ca.x509.checkIssued(ca.x509) || !ca.x509.verify(ca.x509.publicKey)) return 'ca.crt is not self-signed';
  return undefined;
}

/**
 * Why the server certificate must be reissued, or undefined when it may be
 * served as is: it must be signed by `ca`, carry exactly the expected names,
 * not expire within `days`, and not date from an unset clock.
 */
export function leafProblem(
  leaf: LoadedPair,
  ca: LoadedPair,
  names: CertificateNames,
  nowMs: number,
  days: number,
): string | undefined {
  if (!leaf.x509.checkIssued(ca.x509) || !leaf.x509.verify(ca.x509.publicKey)) return 'not signed by our CA';
  if (leaf.x509.ca) return 'is a CA certificate';
  if (!sameKeys(sanKeysFromText(leaf.x509.subjectAltName), sanKeys(names))) return 'names or addresses changed';
  if (expiresWithin(leaf, nowMs, days)) return 'expires soon';
  if (issuedBeforeClockSync(leaf, nowMs)) return 'was issued before the clock was set';
  if (!hasAuthorityKeyId(leaf.x509)) return 'lacks the Authority Key Identifier that strict clients (Python 3.13+) require';
  return undefined;
}

/** DER of the extension OID 2.5.29.35 (authorityKeyIdentifier, RFC 5280 §4.2.1.1). */
const AKI_OID_DER = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]);

/**
 * True when the certificate carries an Authority Key Identifier. Leaves issued
 * by early versions lack it; they are reissued once instead of waiting for
 * their renewal. A byte search, not a DER walk: our leaves' names hold only
 * host names and addresses, so the OID's five bytes can otherwise only turn
 * up by chance inside random data (serial, key, key identifier, signature),
 * with odds of about 1 in 10^9 per certificate. Such a chance match would
 * keep an old leaf until its normal renewal; it can never cause a reissue.
 */
function hasAuthorityKeyId(x509: X509Certificate): boolean {
  return x509.raw.includes(AKI_OID_DER);
}

/**
 * The CA's subject as forge attributes, read from Node's one-per-line
 * rendering. Our CA subjects hold only CN and O with plain characters, so no
 * escaping is involved; anything else is refused.
 */
export function subjectAttributes(x509: X509Certificate): forge.pki.CertificateField[] | undefined {
  const out: forge.pki.CertificateField[] = [];
  for (const line of x509.subject.split('\n')) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (eq < 1 || !['CN', 'O', 'OU'].includes(key) || !/^[A-Za-z0-9 .-]+$/.test(value)) return undefined;
    out.push({ shortName: key, value });
  }
  return out.length > 0 ? out : undefined;
}
