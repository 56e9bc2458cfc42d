/**
 * The box's TLS: certificates (local CA + server certificate, renewed and
 * hot-reloaded), the shared handshake policy, and hardening helpers for
 * implicit-TLS listeners and STARTTLS upgrades.
 */
export type { CertificateStore } from './types.js';
export { openCertificates, RENEW_DAYS, type LocalCertificateStore, type OpenCertificatesOptions } from './certificate-store.js';
export { hardenTlsServer, reloadOnRenewal, createHardenedTlsServer, upgradeToTls, type UpgradeOptions } from './tls-harden.js';
export { CIPHERS, TLS12_CIPHERS, TLS13_SUITES, DEFAULT_HANDSHAKE_TIMEOUT_MS, silentLog, type TlsLog } from './tls-policy.js';
export { CLOCK_FLOOR_MS, LEAF_VALIDITY_DAYS, CA_VALIDITY_DAYS } from './cert-issue.js';
