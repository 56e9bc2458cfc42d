import type { Logger } from 'pino';
import type { AuthThrottle } from '../auth/throttle.js';
import type { ListenAddress, ServiceName } from '../config/types.js';
import type { DnsCheckConfig, StoredDnsCheck } from '../dns/index.js';
import type { MailStore } from '../store/types.js';
import type { HealthHistory } from '../system/health-sampler.js';
import type { AcmeControl } from './acme-types.js';
import type { LogRing } from './log-ring.js';
import type { MailCounters } from './mail-counters.js';

/**
 * Admin listener settings (ARCHITECTURE rule 11: boot config). The lead wires
 * them into the boot schema as `admin`; every field has a default in
 * `DEFAULT_ADMIN_SETTINGS`.
 */
export interface AdminSettings {
  /** `lan`: only loopback, private and link-local clients reach the admin pages; `any`: everyone (owner's choice). */
  allowedClients: 'lan' | 'any';
  /** Extra names the admin page is reached by (besides hostname, `.local` names, device IPs, localhost). */
  extraHostnames: string[];
  /** Sessions end after this long without a request. */
  sessionIdleMs: number;
  /** Sessions end this long after login whatever happens. */
  sessionMaxMs: number;
  /** The setup page works this long after start; then only a restart reopens it (T71). */
  setupWindowMs: number;
  /** Optional plain-HTTP listener (port 80): redirects to HTTPS, serves public routes and ACME challenges. */
  httpListen: ListenAddress;
  /** Directory of the built admin page (default `web-admin/dist` of the installation). */
  staticDir: string | null;
}

export const DEFAULT_ADMIN_SETTINGS: AdminSettings = {
  allowedClients: 'lan',
  extraHostnames: [],
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 3_600_000,
  setupWindowMs: 30 * 60_000,
  httpListen: false,
  staticDir: null,
};

/** What the admin app needs of the boot configuration. */
export interface AdminConfig {
  hostname: string;
  listen: Partial<Record<ServiceName, ListenAddress>>;
  admin?: Partial<AdminSettings>;
  /** The box's own IP addresses, allowed as Host; default: the interface addresses. */
  addresses?: string[];
}

/** The certificate operations the admin uses (`LocalCertificateStore` provides them). */
export interface AdminCertificates {
  caPem(): string;
  serverPem(): { cert: string; key: string };
  /**
   * Serves an externally issued certificate (ACME or imported) instead of our
   * own leaf. Fails `invalid` when the key does not match or the chain is unusable.
   */
  installExternal?(certPem: string, keyPem: string, source: 'acme' | 'imported'): Promise<void>;
  /** Goes back to the box's own CA-issued certificate. */
  useLocal?(): Promise<void>;
  /** Where the served certificate comes from. */
  source?(): 'local' | 'acme' | 'imported';
}

/** The DNS self-check as the admin API drives it. */
export interface AdminDnsCheck {
  /** Runs the check now (or joins a run in progress) and stores it. */
  runNow(): Promise<StoredDnsCheck>;
  /** The last stored result, or null. */
  readLast(): Promise<StoredDnsCheck | null>;
  /** The self-check's configuration (for "records to create" of one domain). */
  checkConfig(): DnsCheckConfig;
}

/** The outbound queue runner as far as the admin needs it (`OutboundQueue` fits). */
export interface AdminQueue {
  /** Starts a queue run now. */
  kick(): Promise<void>;
}

/** Live numbers for the dashboard. */
export interface AdminStats {
  health: HealthHistory;
  mail: MailCounters;
}

/** The store as the admin uses it. */
export type AdminStore = MailStore & { setQuota?(address: string, quotaBytes: number): Promise<void> };

/** Everything `buildAdmin` takes. The caller owns and closes each service; `buildAdmin` closes none of them. */
export interface AdminOptions {
  /** The mail store; `setQuota` (which `LetterboxStore` has) enables quota changes. */
  store: AdminStore;
  certs: AdminCertificates;
  dnsCheck: AdminDnsCheck;
  queue?: AdminQueue;
  stats: AdminStats;
  log: Logger;
  dataDir: string;
  config: AdminConfig;
  /** The one failure throttle shared with SMTP, IMAP and POP3. */
  throttle: AuthThrottle;
  /** Where each service listens (`host:port`), or null when it is down. Default: nothing known. */
  services?: () => Partial<Record<string, string | null>>;
  /** Recent log lines for the Logs page (`createLogRing()`). */
  logRing?: LogRing;
  acme?: AcmeControl;
  /**
   * True when the firmware applies remote-login (SSH) requests written to
   * `DATA/system/ssh-request`. Default: the appliance image's marker exists.
   */
  sshSupported?: boolean;
  /** Clock (ms); tests move it. */
  now?: () => number;
}
