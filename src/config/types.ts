import type { ImapLimits } from '../imap/limits.js';
import type { Pop3Limits } from '../pop3/limits.js';
import type { AdminSettings } from '../admin/types.js';

/** Names of the network services the appliance can run. */
export const SERVICE_NAMES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'admin'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A listen address: host and port, or disabled. */
export type ListenAddress = { host: string; port: number } | false;

/** Limits with Pi-sized defaults (security-cases appendix 1). */
export interface SmtpLimits {
  maxMessageBytes: number;
  maxRecipients: number;
  maxClients: number;
  maxClientsPerIp: number;
  /** Pause before the greeting; clients that talk during it get 421 (early-talker spam defence). */
  greetingDelayMs: number;
  maxCommandLength: number;
  idleTimeoutMs: number;
  sessionTimeoutMs: number;
  maxUnknownCommands: number;
  /** RCPT errors after which every further error is delayed by `rcptErrorDelayMs`. */
  rcptErrorsBeforeDelay: number;
  rcptErrorDelayMs: number;
  /** RCPT errors after which the connection is closed with 421. */
  maxRcptErrors: number;
}

/** DNS settings of the boot file. */
export interface DnsSettings {
  /** Resolvers as "ip" or "ip:port"; empty means the system's (/etc/resolv.conf). */
  servers: string[];
  /** The box's public address when the owner knows it (otherwise the self-check asks `echoUrl`, if set). */
  publicIp: string | null;
  /** An owner-chosen URL that answers with the caller's public address in plain text. */
  echoUrl: string | null;
  /** Run the DNS self-check once a day (first run a few minutes after start). */
  dailyCheck: boolean;
}

/** The boot configuration in `DIR/letterbox.json`, after defaults and validation. */
export interface BootConfig {
  hostname: string;
  listen: Record<ServiceName, ListenAddress>;
  smtp: SmtpLimits;
  /** IMAP limits; defaults in `src/imap/limits.ts`. */
  imap: ImapLimits;
  /** POP3 limits; defaults in `src/pop3/limits.ts`. */
  pop3: Pop3Limits;
  /** The admin page; defaults in `src/admin/types.ts` (`DEFAULT_ADMIN_SETTINGS`). */
  admin: AdminSettings;
  /** Outbound delivery: the local address connections to other servers come from (null: the system's choice). */
  outbound: {
    localAddress: string | null;
    /** Port of other servers' MX (25; another value only makes sense on a test network). */
    mxPort: number;
  };
  /** DNS: the resolvers the box asks (MX lookups, SPF/DKIM/DMARC checks, the self-check) and what the self-check needs. */
  dns: DnsSettings;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}
