import { MailError } from '../errors.js';
import { defaultBootConfig } from './defaults.js';
import type { BootEnvironment } from './environment.js';
import { describeValue, parseListenAddress } from './listen-address.js';
import { SERVICE_NAMES, type BootConfig, type ServiceName, type SmtpLimits } from './types.js';
import { isIP as isIp } from 'node:net';
import { DEFAULT_IMAP_LIMITS } from '../imap/limits.js';
import { DEFAULT_POP3_LIMITS } from '../pop3/limits.js';

/** Log levels accepted by `log.level` (pino's names). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const TOP_KEYS = ['hostname', 'listen', 'smtp', 'imap', 'pop3', 'admin', 'outbound', 'dns', 'log'] as const;
const DNS_KEYS = ['servers', 'publicIp', 'echoUrl', 'dailyCheck'] as const;
const ADMIN_KEYS = ['allowedClients', 'extraHostnames', 'sessionIdleMs', 'sessionMaxMs', 'setupWindowMs', 'httpListen', 'staticDir'] as const;
const LOG_KEYS = ['level'] as const;

/** Lower bound of each SMTP limit; every limit is an integer. Timers may be tiny so tests can use short ones. */
const SMTP_MINIMUMS: Readonly<Record<keyof SmtpLimits, number>> = {
  maxMessageBytes: 1024,
  maxRecipients: 1,
  maxClients: 1,
  maxClientsPerIp: 1,
  greetingDelayMs: 0,
  maxCommandLength: 512, // RFC 5321 §4.5.3.1.4: a command line may be 512 octets
  idleTimeoutMs: 1,
  sessionTimeoutMs: 1,
  maxUnknownCommands: 1,
  rcptErrorsBeforeDelay: 1,
  rcptErrorDelayMs: 0,
  maxRcptErrors: 1,
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Validates the parsed contents of the boot file and fills in defaults.
 *
 * Every key is optional; a missing key takes its default from
 * `defaultBootConfig(env)`, and `listen` may name only some services. Unknown
 * keys and wrong types are errors. All problems are reported at once: the
 * function throws one `MailError('invalid')` whose message has one line per
 * problem, each starting with `file` and naming the key path, e.g.
 * `letterbox.json: unknown key "listen.smpt" (expected one of smtp, …; did you mean "smtp"?)`.
 * Pure: reads nothing but its arguments.
 */
export function validateBootConfig(raw: unknown, env: BootEnvironment, file = 'letterbox.json'): BootConfig {
  const config = defaultBootConfig(env);
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(`${file}: ${text}`);
  };

  if (!isPlainObject(raw)) {
    problem(`must contain a JSON object (got ${describeValue(raw)})`);
    throw new MailError('invalid', problems.join('\n'));
  }
  checkKeys(raw, '', TOP_KEYS, problem);

  if (raw.hostname !== undefined) {
    const name = typeof raw.hostname === 'string' ? raw.hostname.trim().toLowerCase().replace(/\.$/, '') : null;
    if (name === null) problem(`"hostname" must be a string (got ${describeValue(raw.hostname)})`);
    else if (!HOST_NAME.test(name)) problem(`"hostname" must be a DNS name such as "mail.example.com" (got ${JSON.stringify(raw.hostname)})`);
    else config.hostname = name;
  }

  if (raw.listen !== undefined) {
    if (!isPlainObject(raw.listen)) {
      problem(`"listen" must be an object mapping services to "host:port" or false (got ${describeValue(raw.listen)})`);
    } else {
      checkKeys(raw.listen, 'listen.', SERVICE_NAMES, problem);
      for (const service of SERVICE_NAMES) {
        const value = raw.listen[service];
        if (value === undefined) continue;
        const parsed = parseListenAddress(value);
        if (typeof parsed === 'string') problem(`"listen.${service}" ${parsed}`);
        else config.listen[service as ServiceName] = parsed;
      }
    }
  }

  validateLimits(raw.smtp, 'smtp', config.smtp, SMTP_MINIMUMS, problem);
  if (raw.smtp !== undefined) {
    if (config.smtp.rcptErrorsBeforeDelay > config.smtp.maxRcptErrors) {
      problem(`"smtp.rcptErrorsBeforeDelay" (${config.smtp.rcptErrorsBeforeDelay}) must not exceed "smtp.maxRcptErrors" (${config.smtp.maxRcptErrors})`);
    }
    if (config.smtp.maxClientsPerIp > config.smtp.maxClients) {
      problem(`"smtp.maxClientsPerIp" (${config.smtp.maxClientsPerIp}) must not exceed "smtp.maxClients" (${config.smtp.maxClients})`);
    }
  }
  validateLimits(raw.imap, 'imap', config.imap, minimumsOf(DEFAULT_IMAP_LIMITS), problem);
  validateLimits(raw.pop3, 'pop3', config.pop3, minimumsOf(DEFAULT_POP3_LIMITS), problem);

  validateDns(raw.dns, config, problem);
  validateAdmin(raw.admin, config, problem);
  if (raw.outbound !== undefined) {
    if (!isPlainObject(raw.outbound)) problem(`"outbound" must be an object (got ${describeValue(raw.outbound)})`);
    else {
      checkKeys(raw.outbound, 'outbound.', ['localAddress', 'mxPort'], problem);
      const port = raw.outbound.mxPort;
      if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) config.outbound.mxPort = port;
      else if (port !== undefined) problem(`"outbound.mxPort" must be a port number (got ${describeValue(port)})`);
      const la = raw.outbound.localAddress;
      if (la === null || (typeof la === 'string' && isIp(la))) config.outbound.localAddress = la ?? null;
      else if (la !== undefined) problem(`"outbound.localAddress" must be an IP address of this box or null (got ${describeValue(la)})`);
    }
  }

  if (raw.log !== undefined) {
    if (!isPlainObject(raw.log)) {
      problem(`"log" must be an object (got ${describeValue(raw.log)})`);
    } else {
      checkKeys(raw.log, 'log.', LOG_KEYS, problem);
      const level = raw.log.level;
      if (level !== undefined) {
        if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)) {
          config.log.level = level as BootConfig['log']['level'];
        } else {
          problem(`"log.level" must be one of ${LOG_LEVELS.join(', ')} (got ${describeValue(level)})`);
        }
      }
    }
  }

  if (problems.length > 0) throw new MailError('invalid', problems.join('\n'));
  return config;
}

/** The `admin` section: who may reach the admin page, session lifetimes, the port-80 listener. */
function validateAdmin(raw: unknown, config: BootConfig, problem: (text: string) => void): void {
  if (raw === undefined) return;
  if (!isPlainObject(raw)) {
    problem(`"admin" must be an object (got ${describeValue(raw)})`);
    return;
  }
  checkKeys(raw, 'admin.', ADMIN_KEYS, problem);
  const a = config.admin;
  if (raw.allowedClients !== undefined) {
    if (raw.allowedClients === 'lan' || raw.allowedClients === 'any') a.allowedClients = raw.allowedClients;
    else problem(`"admin.allowedClients" must be "lan" or "any" (got ${describeValue(raw.allowedClients)})`);
  }
  if (raw.extraHostnames !== undefined) {
    const names = Array.isArray(raw.extraHostnames) ? raw.extraHostnames : null;
    if (names && names.every((n) => typeof n === 'string' && HOST_NAME.test(n.toLowerCase()))) a.extraHostnames = names.map((n) => (n as string).toLowerCase());
    else problem(`"admin.extraHostnames" must be a list of DNS names (got ${describeValue(raw.extraHostnames)})`);
  }
  for (const key of ['sessionIdleMs', 'sessionMaxMs', 'setupWindowMs'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1) a[key] = v;
    else problem(`"admin.${key}" must be an integer >= 1 (got ${describeValue(v)})`);
  }
  if (raw.httpListen !== undefined) {
    const parsed = parseListenAddress(raw.httpListen);
    if (typeof parsed === 'string') problem(`"admin.httpListen" ${parsed}`);
    else a.httpListen = parsed;
  }
  if (raw.staticDir !== undefined) {
    if (raw.staticDir === null || typeof raw.staticDir === 'string') a.staticDir = raw.staticDir;
    else problem(`"admin.staticDir" must be a directory path or null (got ${describeValue(raw.staticDir)})`);
  }
}

/** The `dns` section: resolver addresses, the public address, the echo URL, the daily check switch. */
function validateDns(raw: unknown, config: BootConfig, problem: (text: string) => void): void {
  if (raw === undefined) return;
  if (!isPlainObject(raw)) {
    problem(`"dns" must be an object (got ${describeValue(raw)})`);
    return;
  }
  checkKeys(raw, 'dns.', DNS_KEYS, problem);
  if (raw.servers !== undefined) {
    const ok = Array.isArray(raw.servers) && raw.servers.every((s) => typeof s === 'string' && isIp(s.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1')));
    if (ok) config.dns.servers = raw.servers as string[];
    else problem(`"dns.servers" must be a list of IP addresses such as ["192.168.1.1", "127.0.0.1:5353"] (got ${describeValue(raw.servers)})`);
  }
  if (raw.publicIp !== undefined) {
    if (raw.publicIp === null || (typeof raw.publicIp === 'string' && isIp(raw.publicIp))) config.dns.publicIp = raw.publicIp;
    else problem(`"dns.publicIp" must be an IP address or null (got ${describeValue(raw.publicIp)})`);
  }
  if (raw.echoUrl !== undefined) {
    if (raw.echoUrl === null || (typeof raw.echoUrl === 'string' && /^https?:\/\/\S+$/.test(raw.echoUrl))) config.dns.echoUrl = raw.echoUrl;
    else problem(`"dns.echoUrl" must be an http(s) URL or null (got ${describeValue(raw.echoUrl)})`);
  }
  if (raw.dailyCheck !== undefined) {
    if (typeof raw.dailyCheck === 'boolean') config.dns.dailyCheck = raw.dailyCheck;
    else problem(`"dns.dailyCheck" must be true or false (got ${describeValue(raw.dailyCheck)})`);
  }
}

/**
 * Validates one section of integer limits: unknown keys are errors, each value
 * must be an integer at or above its minimum; valid values replace the defaults
 * already in `target`.
 */
function validateLimits<T extends object>(
  raw: unknown,
  name: string,
  target: T,
  minimums: Readonly<Record<keyof T & string, number>>,
  problem: (text: string) => void,
): void {
  if (raw === undefined) return;
  if (!isPlainObject(raw)) {
    problem(`"${name}" must be an object of limits (got ${describeValue(raw)})`);
    return;
  }
  const keys = Object.keys(minimums) as (keyof T & string)[];
  checkKeys(raw, `${name}.`, keys, problem);
  for (const key of keys) {
    const value = raw[key];
    if (value === undefined) continue;
    const min = minimums[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      problem(`"${name}.${key}" must be an integer >= ${min} (got ${describeValue(value)})`);
    } else {
      (target as Record<string, number>)[key] = value;
    }
  }
}

/** Minimums for a section whose limits are all counts, sizes or times: 1, or 0 where the default is 0. */
function minimumsOf<T extends object>(defaults: Readonly<T>): Record<keyof T & string, number> {
  const out = {} as Record<string, number>;
  for (const [k, v] of Object.entries(defaults)) out[k] = typeof v === 'number' && v > 0 ? 1 : 0;
  return out as Record<keyof T & string, number>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(obj: Record<string, unknown>, prefix: string, allowed: readonly string[], problem: (text: string) => void): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const guess = closest(key, allowed);
    const hint = guess ? `; did you mean "${guess}"?` : '';
    problem(`unknown key "${prefix}${key}" (expected one of ${allowed.join(', ')}${hint})`);
  }
}

/** The allowed key within edit distance 2 of `key`, for typo hints. */
function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance with adjacent transposition counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}
