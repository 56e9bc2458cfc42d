/**
 * The TLS policy every Letterbox listener shares (ARCHITECTURE rule 10,
 * security cases T66): TLS 1.2 as the floor, and for TLS 1.2 only ECDHE key
 * exchange with AEAD ciphers, so every session has forward secrecy and no CBC
 * padding oracles. This matches Mozilla's "intermediate" profile, which every
 * mail client of the last decade speaks. TLS 1.3 keeps OpenSSL's default
 * suites (all AEAD, all forward-secret).
 */
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { constants as cryptoConstants } from 'node:crypto';

/** The logger shape the TLS code needs; a pino logger fits. */
export interface TlsLog {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

/** A logger that drops everything, for callers that pass none. */
export const silentLog: TlsLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** TLS 1.2 suites we accept, strongest-and-cheapest first (AES-GCM has hardware help on newer Pis, ChaCha20 on older ones). */
export const TLS12_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/**
 * OpenSSL's default TLS 1.3 suites. They must be listed explicitly: Node
 * disables TLS 1.3 altogether when the `ciphers` string names no `TLS_` suite.
 */
export const TLS13_SUITES: readonly string[] = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
];

/** The `ciphers` string handed to Node: TLS 1.3 suites, then the TLS 1.2 list. */
export const CIPHERS = [...TLS13_SUITES, ...TLS12_CIPHERS].join(':');

/** How long a client may take to finish the handshake before the connection is dropped. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Context options for our key and chain under the policy above. Client-side
 * renegotiation is refused (a cheap CPU-exhaustion lever on a small board,
 * and nothing a mail client needs).
 */
export function secureContextOptions(pem: { cert: string; key: string }): SecureContextOptions {
  return {
    key: pem.key,
    cert: pem.cert,
    minVersion: 'TLSv1.2',
    ciphers: CIPHERS,
    honorCipherOrder: true,
    secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
  };
}

/**
 * Builds a secure context for our key and chain. Throws when the key does
 * not match the certificate or the PEM is unreadable.
 */
export function buildSecureContext(pem: { cert: string; key: string }): SecureContext {
  return createSecureContext(secureContextOptions(pem));
}
