/**
 * Issuing the box's own certificates.
 *
 * Keys come from Node's native `crypto.generateKeyPair` (OpenSSL's RNG and
 * prime search: fast on a Pi and well seeded); node-forge only assembles and
 * signs the X.509 structure, because forge's defaults are unsafe for mail
 * clients (SHA-1, serial 0, no SAN/EKU). Every field that matters is set
 * explicitly here. Nothing here ever falls back to a key bundled in a library.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import type forge from 'node-forge';

/**
 * node-forge is loaded only when a certificate is issued (first start, renewal):
 * it weighs about 10 MB of memory that a running appliance otherwise never needs.
 */
async function loadForge(): Promise<typeof forge> {
  return (await import('node-forge')).default;
}
import { ipToBytes } from './cert-names.js';

/** A PEM key pair (PKCS#8 private key, SPKI public key). */
export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

/** A certificate with its private key, both PEM. */
export interface IssuedPem {
  cert: string;
  key: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Leaf lifetime: Apple and the browsers refuse more than 398 days. */
export const LEAF_VALIDITY_DAYS = 397;
/** CA lifetime: long, because users install it by hand on every device. */
export const CA_VALIDITY_DAYS = 3650;

/**
 * The earliest moment the box accepts as "now" when issuing. A board without a
 * real-time clock boots at 1970 until NTP answers; certificates issued then
 * would be expired or absurd to every client. Below this floor we date the
 * certificate from the floor itself, and the store reissues the leaf once the
 * clock is sane (see `certificate-store.ts`).
 */
export const CLOCK_FLOOR_MS = Date.UTC(2026, 0, 1);

/** True when `nowMs` looks like a clock that has not been set yet. */
export function clockLooksUnset(nowMs: number): boolean {
  return nowMs < CLOCK_FLOOR_MS;
}

/** notBefore for a certificate issued at `nowMs`: one hour back for client clock skew, never below the floor. */
export function notBeforeFor(nowMs: number): number {
  return Math.max(nowMs - HOUR_MS, CLOCK_FLOOR_MS);
}

/** Generates an RSA-2048 key pair natively. Rejects when OpenSSL fails; there is no fallback key. */
export function generateRsaKey(): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicExponent: 0x10001,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKey, privateKey) => {
        if (err) reject(err);
        else resolve({ publicKey, privateKey });
      },
    );
  });
}

/**
 * A random serial of exactly 16 octets (RFC 5280 §4.1.2.2: positive, at most
 * 20 octets; CA/B BR: at least 64 random bits). The top bit is cleared so the
 * DER INTEGER stays positive, and the next bit is set so no leading zero octet
 * shortens it: 126 random bits, never 0 or 1.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/** Who the certificate is for: the names and addresses clients use to reach the box. */
export interface LeafSubject {
  hostname: string;
  dnsNames: string[];
  ipAddresses: string[];
}

/** A CA's identity as needed to sign with it. */
export interface SigningCa {
  /** Subject attributes of the CA, copied into the leaf's issuer field. */
  subject: forge.pki.CertificateField[];
  keyPem: string;
  /** The CA's notAfter; a leaf never outlives its CA. */
  notAfterMs: number;
}

/** The CA's subject attributes (kept to characters a PrintableString can hold). */
export function caSubject(hostname: string): forge.pki.CertificateField[] {
  return [
    { shortName: 'CN', value: `Letterbox local CA for ${hostname}` },
    { shortName: 'O', value: 'Letterbox' },
  ];
}

/**
 * Creates a new local CA: CA:TRUE with pathlen 0 (it may sign servers, never
 * other CAs), keyCertSign + cRLSign, SHA-256, ~10 years. Rejects when key
 * generation fails.
 */
export async function issueCa(hostname: string, nowMs: number): Promise<IssuedPem & { notAfterMs: number }> {
  const forge = await loadForge();
  const keys = await generateRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = randomSerialHex();
  const notBefore = notBeforeFor(nowMs);
  const notAfter = notBefore + CA_VALIDITY_DAYS * DAY_MS;
  cert.validity.notBefore = new Date(notBefore);
  cert.validity.notAfter = new Date(notAfter);
  const subject = caSubject(hostname);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    // Its own key id: strict verifiers (OpenSSL's X509_STRICT, Python 3.13's
    // default) want the key identifiers on every certificate of the chain.
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey, notAfterMs: notAfter };
}

/** The key identifier forge gives a certificate of this key: SHA-1 of the DER RSAPublicKey (RFC 5280 §4.2.1.2, method 1). */
function caKeyIdentifier(forgeLib: typeof forge, keyPem: string): string {
  const key = forgeLib.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const pub = forgeLib.pki.setRsaPublicKey(key.n, key.e);
  return forgeLib.pki.getPublicKeyFingerprint(pub, { type: 'RSAPublicKey' }).getBytes();
}

/**
 * Issues a fresh server certificate (with a fresh key) signed by `ca`:
 * CA:FALSE, digitalSignature + keyEncipherment, EKU serverAuth, SAN with every
 * name and address in `subject`, SHA-256, 397 days from one hour back (clamped
 * to the CA's own lifetime). Rejects when key generation fails.
 */
export async function issueLeaf(subject: LeafSubject, ca: SigningCa, nowMs: number): Promise<IssuedPem> {
  const forge = await loadForge();
  const keys = await generateRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = randomSerialHex();
  const notBefore = notBeforeFor(nowMs);
  const notAfter = Math.min(notBefore + LEAF_VALIDITY_DAYS * DAY_MS, ca.notAfterMs);
  cert.validity.notBefore = new Date(notBefore);
  cert.validity.notAfter = new Date(notAfter);
  cert.setSubject([{ shortName: 'CN', value: subject.hostname }]);
  cert.setIssuer(ca.subject);
  // IP entries go in as raw octets from our own parser: forge's parser
  // mangles IPv4-mapped IPv6 addresses.
  const altNames: Array<{ type: number; value: string }> = [
    ...subject.dnsNames.map((value) => ({ type: 2, value })),
    ...subject.ipAddresses.map((ip) => {
      const bytes = ipToBytes(ip);
      if (!bytes) throw new Error(`not an IP address: ${ip}`);
      return { type: 7, value: bytes.toString('binary') };
    }),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    // The CA's key id (what forge put in the CA's subjectKeyIdentifier): without
    // it Python 3.13 mail clients refuse the certificate ("Missing Authority Key Identifier").
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(forge, ca.keyPem) },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}
