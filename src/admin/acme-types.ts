/**
 * What the admin API needs of the ACME client (`src/admin/acme/`): its
 * status for the Certificates page and the owner's switches.
 */

export type AcmeState = 'off' | 'idle' | 'running' | 'valid' | 'failed';

export interface AcmeStatus {
  enabled: boolean;
  state: AcmeState;
  directoryUrl: string;
  email: string | null;
  lastAttemptAt: number | null;
  /** Why the last attempt failed; the box serves its own certificate meanwhile. */
  lastError: string | null;
  notAfter: number | null;
  nextRenewalAt: number | null;
}

export interface AcmeSettingsInput {
  enabled: boolean;
  email?: string;
  directoryUrl?: string;
  agreeTos: boolean;
}

export interface AcmeControl {
  status(): Promise<AcmeStatus>;
  /** Stores the settings (one synced write). Fails `invalid`. */
  configure(input: AcmeSettingsInput): Promise<AcmeStatus>;
  /** Starts obtaining/renewing in the background; resolves with the status once started. */
  renewNow(): Promise<AcmeStatus>;
  /** The key authorization for an HTTP-01 token, or null (RFC 8555 §8.3). */
  challengeResponse(token: string): string | null;
}
