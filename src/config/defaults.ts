import { DEFAULT_ADMIN_SETTINGS } from '../admin/types.js';
import { DEFAULT_IMAP_LIMITS } from '../imap/limits.js';
import { DEFAULT_POP3_LIMITS } from '../pop3/limits.js';
import type { BootConfig, ListenAddress, ServiceName, SmtpLimits } from './types.js';
import type { BootEnvironment } from './environment.js';

/**
 * Standard ports, used when the process may bind privileged ports. The admin
 * page uses 8443 rather than 443 everywhere: it is not a public web site, it
 * keeps 443 free for anything else the owner runs, and it is the same URL on
 * the device and in a checkout.
 */
export const STANDARD_PORTS: Readonly<Record<ServiceName, number>> = {
  smtp: 25,
  submission: 587,
  submissions: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  admin: 8443,
};

/**
 * The documented unprivileged mapping (2000 + the standard port, admin stays
 * 8443), used when the process cannot bind ports below 1024, e.g. a developer
 * running a checkout as an ordinary user.
 */
export const UNPRIVILEGED_PORTS: Readonly<Record<ServiceName, number>> = {
  smtp: 2525,
  submission: 2587,
  submissions: 2465,
  imap: 2143,
  imaps: 2993,
  pop3: 2110,
  pop3s: 2995,
  admin: 8443,
};

/**
 * Pi-sized SMTP limits from security-cases appendix 1: 25 MiB messages, 100
 * recipients (the RFC 5321 §4.5.3.1.8 minimum), 50 clients / 10 per IP
 * (Postfix / Dovecot), 4096-byte command lines, 120 s idle (RFC 5321 §4.5.3.2),
 * 10 min per session, 10 unknown commands, RCPT errors delayed from the 10th
 * and the connection closed at the 20th.
 */
export const DEFAULT_SMTP_LIMITS: Readonly<SmtpLimits> = {
  maxMessageBytes: 25 * 1024 * 1024,
  maxRecipients: 100,
  maxClients: 50,
  maxClientsPerIp: 10,
  greetingDelayMs: 20,
  maxCommandLength: 4096,
  idleTimeoutMs: 120_000,
  sessionTimeoutMs: 600_000,
  maxUnknownCommands: 10,
  rcptErrorsBeforeDelay: 10,
  rcptErrorDelayMs: 1000,
  maxRcptErrors: 20,
};

/**
 * The bind host when the boot file names none. On the device every IPv4
 * address (`0.0.0.0`): a mail server the LAN and the internet cannot reach is
 * useless. In a checkout only loopback (`127.0.0.1`), whoever runs it: a
 * development build must not become an open service on the developer's
 * network by accident; write `"0.0.0.0:2525"` in the boot file to expose it.
 */
export function defaultHost(env: BootEnvironment): string {
  return env.device ? '0.0.0.0' : '127.0.0.1';
}

/** The complete configuration used when `letterbox.json` is missing or empty. */
export function defaultBootConfig(env: BootEnvironment): BootConfig {
  const ports = env.privilegedPorts ? STANDARD_PORTS : UNPRIVILEGED_PORTS;
  const host = defaultHost(env);
  const listen = {} as Record<ServiceName, ListenAddress>;
  for (const [service, port] of Object.entries(ports) as [ServiceName, number][]) {
    listen[service] = { host, port };
  }
  return {
    hostname: env.hostname,
    listen,
    smtp: { ...DEFAULT_SMTP_LIMITS },
    imap: { ...DEFAULT_IMAP_LIMITS },
    pop3: { ...DEFAULT_POP3_LIMITS },
    dns: { servers: [], publicIp: null, echoUrl: null, dailyCheck: true },
    outbound: { localAddress: null, mxPort: 25 },
    // On the device port 80 redirects to the admin page and answers ACME challenges.
    admin: { ...DEFAULT_ADMIN_SETTINGS, extraHostnames: [], httpListen: env.device ? { host, port: 80 } : false },
    log: { level: 'info' },
  };
}
