/**
 * The JSON shapes the page reads from the admin API, as documented in
 * docs/admin-api.md. Times are epoch milliseconds unless named ISO.
 */

/** `GET /api/status` (public). */
export interface BoxStatus {
  claimed: boolean;
  setup: 'open' | 'closed' | 'claimed';
  hostname: string;
  authenticated: boolean;
}

/** What the page keeps about the session; the cookie itself is HttpOnly. */
export interface SessionInfo {
  claimed: boolean;
  setup?: BoxStatus['setup'];
  authenticated: boolean;
  user?: string;
  csrfToken?: string;
  hostname?: string;
  totpEnabled?: boolean;
}

/** `GET /api/session`. */
export interface SessionAnswer {
  username: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  idleExpiresAt: number;
  totpEnabled: boolean;
}

export interface ServiceStatus {
  name: string;
  address?: string;
  port: number | null;
  up: boolean;
}

/** One health sample (also the `system` part of the dashboard). */
export interface SystemSample {
  time: number;
  cpuPercent: number | null;
  loadAvg1?: number | null;
  memUsedBytes: number;
  memTotalBytes: number;
  diskUsedBytes: number;
  diskTotalBytes: number;
  temperatureC: number | null;
  uptimeSeconds: number;
}

export interface Dashboard {
  hostname: string;
  now: number;
  services: ServiceStatus[];
  mail: { receivedToday: number; sentToday: number };
  queue: { size: number; available: boolean };
  store: { writable: boolean; freeBytes: number | null };
  system: SystemSample | null;
}

export interface DomainInfo {
  name: string;
  accounts: number;
  aliases: number;
}

export interface DkimRecord {
  domain: string;
  selector: string;
  algorithm: string;
  active: boolean;
  state: 'active' | 'pending' | 'retired';
  name: string;
  txt: string[];
}

export interface ExpectedRecord {
  name: string;
  type: string;
  value: string;
  ttl: number;
  importance: 'required' | 'recommended' | 'optional';
  where: 'dns-host' | 'isp';
  comment: string;
  disabled?: boolean;
}

export interface DomainRecords {
  domain: string;
  records: ExpectedRecord[];
  zoneText: string;
}

export interface UserInfo {
  address: string;
  quotaBytes: number;
  usedBytes: number;
  createdAt: number;
}

export interface AliasInfo {
  source: string;
  targets: string[];
}

export interface QueueRecipient {
  address: string;
  state: string;
  lastResult?: string;
  status?: string;
}

export interface QueueEntry {
  id: string;
  sender: string;
  recipients: QueueRecipient[];
  createdAt: number;
  nextAttemptAt: number | null;
  attempts: number;
  lastError: string | null;
  size: number;
}

export type CheckStatus = 'OK' | 'WARN' | 'FAIL' | 'UNKNOWN';

export interface CheckResult {
  id: string;
  subject: string;
  domain?: string;
  title: string;
  importance: string;
  status: CheckStatus;
  finding: string;
  fix?: string;
  current?: string;
  expected?: string;
}

export interface DnsCheckChange {
  subject: string;
  id: string;
  title: string;
  before: CheckStatus | null;
  after: CheckStatus | null;
  finding: string;
}

export interface DnsCheckReport {
  checkedAt: string;
  hostname: string;
  domains: string[];
  publicIps: string[];
  worst: CheckStatus;
  results: CheckResult[];
  expected: DomainRecords[];
}

export interface StoredDnsCheck {
  report: DnsCheckReport;
  changes: DnsCheckChange[];
  publicIpChanged?: { before: string[]; after: string[] };
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  names: string[];
  notBefore: number | string;
  notAfter: number | string;
  fingerprint256: string;
  source: 'local' | 'acme' | 'imported';
}

export interface AcmeStatus {
  enabled: boolean;
  state: 'off' | 'idle' | 'running' | 'valid' | 'failed';
  directoryUrl: string;
  email: string | null;
  lastAttemptAt: number | null;
  lastError: string | null;
  notAfter: number | null;
  nextRenewalAt: number | null;
}

export interface Relay {
  domain: string;
  host: string;
  port: number;
  tls: 'starttls' | 'implicit';
  username?: string;
}

export interface Settings {
  hostname: string;
  relays: Relay[];
  limits: { messagesPerHour: number; recipientsPerHour: number; maxConnections: number };
  delivery: { giveUpAfterDays: number; delayWarningAfterHours: number; dkimEd25519: boolean; dkimSelector: string };
  admin: { allowedClients: 'lan' | 'any' };
}

export interface LogEntry {
  time: number;
  level: string;
  service: string | null;
  msg: string;
  cid?: string;
  remote?: string;
}

export interface ServerEndpoint {
  protocol: string;
  host: string;
  port: number;
  socket: 'SSL' | 'STARTTLS' | string;
}

export interface ClientSetup {
  address: string;
  username: string;
  incoming: ServerEndpoint[];
  outgoing: ServerEndpoint[];
  autoconfigUrl: string;
  mobileconfigUrl: string;
}

/** `GET /api/remote-login`: the SSH setting and what the firmware last applied. */
export interface RemoteLogin {
  supported: boolean;
  enabled: boolean;
  authorizedKeys: string[];
  pending: boolean;
  applied: { enabled: boolean; active: string; result: string; at: string | null; hostKey: string | null; authorizedKeys: string[] } | null;
}
