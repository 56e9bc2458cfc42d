/**
 * POP3 limits with Pi-sized defaults (security-cases appendix 1: "POP3 line 255;
 * bad commands 3"; RFC 1939 §3 autologout of at least 10 minutes).
 *
 * The lead wires these into the boot config schema; until then the service
 * takes them as an option and fills gaps from `DEFAULT_POP3_LIMITS`.
 */
export interface Pop3Limits {
  /**
   * Longest ordinary command line in octets, CRLF included (RFC 2449 §4: 255).
   * Longer lines are answered `-ERR` and counted as bad commands.
   */
  maxLineLength: number;
  /**
   * Longest line that carries credentials: `AUTH <mech> <initial-response>`,
   * `PASS <password>` and SASL continuation lines. RFC 5034 §4 keeps the
   * initial response inside 255 octets, but clients differ (some send long
   * addresses and passwords inline anyway) and our passwords may be up to
   * 1024 characters, so these lines get a larger, still bounded, budget.
   */
  maxAuthLineLength: number;
  /** Unknown, malformed or out-of-state commands before login; one more closes the connection (Dovecot: 3). */
  maxBadCommandsPreAuth: number;
  /** The same after login, where clients are known and mistakes are likelier to be ours (Dovecot: 20). */
  maxBadCommandsPostAuth: number;
  /** Failed logins on one connection before it is closed (the shared per-IP throttle delays them too). */
  maxAuthFailures: number;
  /** Inactivity before the session is dropped without entering UPDATE (RFC 1939 §3: at least 10 minutes). */
  idleTimeoutMs: number;
  /** Open POP3 connections on this listener, and from one client address. */
  maxClients: number;
  maxClientsPerIp: number;
  /** Deadline for the TLS handshake after STLS or on the implicit-TLS port. */
  tlsHandshakeTimeoutMs: number;
}

/** Defaults for the appliance. */
export const DEFAULT_POP3_LIMITS: Readonly<Pop3Limits> = Object.freeze({
  maxLineLength: 255,
  maxAuthLineLength: 2048,
  maxBadCommandsPreAuth: 3,
  maxBadCommandsPostAuth: 20,
  maxAuthFailures: 3,
  idleTimeoutMs: 10 * 60_000,
  maxClients: 50,
  maxClientsPerIp: 10,
  tlsHandshakeTimeoutMs: 10_000,
});
