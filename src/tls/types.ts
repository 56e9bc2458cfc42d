import type { SecureContext, TlsOptions } from 'node:tls';

/**
 * The box's certificates (ARCHITECTURE rule 10). Created once by
 * `openCertificates`, shared by every TLS listener and STARTTLS upgrade.
 */
export interface CertificateStore {
  /** Our CA certificate in PEM (what `letterbox tls ca` prints). */
  caPem(): string;
  /** The current server certificate chain (leaf then CA) and key in PEM. */
  serverPem(): { cert: string; key: string };
  /**
   * Options for `tls.createServer` / `new TLSSocket(..., {isServer: true})`:
   * TLS 1.2 minimum, ECDHE + AEAD suites only, our key and chain, and an
   * SNICallback that always returns the current context, so a renewed
   * certificate reaches existing listeners without a restart.
   */
  tlsOptions(): TlsOptions;
  /** The current secure context (replaced on renewal). */
  context(): SecureContext;
  /** Renews the server certificate when it expires within `days`; returns true when it did. */
  renewIfNeeded(days?: number): Promise<boolean>;
  /**
   * Calls `listener` after every renewal. Servers whose default context serves
   * clients without SNI (smtp-server, tls.Server) rebuild it here. Returns the
   * unsubscribe function.
   */
  onRenewed(listener: () => void): () => void;
  /** Stops any renewal timer. */
  close(): void;
}
