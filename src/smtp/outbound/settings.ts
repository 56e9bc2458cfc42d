import { MailError } from '../../errors.js';
import type { MailStore } from '../../store/types.js';

/**
 * Runtime settings of sending mail (ARCHITECTURE rule 11): defaults here, the
 * owner's changes in the store as the settings document `outbound`, edited
 * with `letterbox relay …` / `letterbox dkim …` or the admin API. The queue
 * runner re-reads them before each run, so changes apply without a restart.
 */

/** How a smarthost connection is secured. */
export type SmarthostTls = 'starttls' | 'implicit';

/** A relay ("smarthost") that takes all our outbound mail, or a domain's. */
export interface SmarthostConfig {
  host: string;
  /** Default 587 for starttls, 465 for implicit. */
  port: number;
  /** TLS is always required towards a smarthost: credentials never travel in clear. */
  tls: SmarthostTls;
  /** SMTP AUTH credentials (PLAIN/LOGIN); absent for an IP-authorised relay. */
  username?: string;
  password?: string;
}

export interface RetrySettings {
  /** First retry after this long; each further one waits twice as long (RFC 5321 §4.5.4.1). */
  initialDelayMs: number;
  /** Longest wait between attempts. */
  maxDelayMs: number;
  /** A message still undelivered this long after submission bounces. */
  giveUpAfterMs: number;
  /** A delay-warning DSN goes to the sender once a message waited this long (0 = never). */
  delayWarningAfterMs: number;
}

export interface OutboundSettings {
  retry: RetrySettings;
  /** Per submitting user, over a sliding hour: exceeding either answers 4xx. */
  rateLimit: { messagesPerHour: number; recipientsPerHour: number };
  /** DKIM selector for newly generated keys (`<selector>._domainkey.<domain>`), and whether to add an Ed25519 signature. */
  dkim: { selector: string; ed25519: boolean };
  /** Smarthost for every destination (null: deliver to each domain's MX). */
  relay: SmarthostConfig | null;
  /** Smarthosts per destination domain; they win over `relay`. */
  relayDomains: Record<string, SmarthostConfig>;
  /** Simultaneous outbound connections. */
  maxConnections: number;
  /** Connect, greeting and per-command timeout. */
  commandTimeoutMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_OUTBOUND_SETTINGS: OutboundSettings = {
  retry: { initialDelayMs: 5 * MINUTE, maxDelayMs: 4 * HOUR, giveUpAfterMs: 5 * 24 * HOUR, delayWarningAfterMs: 4 * HOUR },
  rateLimit: { messagesPerHour: 200, recipientsPerHour: 1000 },
  dkim: { selector: 'letterbox', ed25519: false },
  relay: null,
  relayDomains: {},
  maxConnections: 4,
  commandTimeoutMs: 5 * MINUTE,
};

/** Name of the settings document in the store. */
export const OUTBOUND_SETTINGS_NAME = 'outbound';

/** A partial settings document as stored (any field may be missing). */
export type StoredOutboundSettings = Partial<Omit<OutboundSettings, 'retry' | 'rateLimit' | 'dkim'>> & {
  retry?: Partial<RetrySettings>;
  rateLimit?: Partial<OutboundSettings['rateLimit']>;
  dkim?: Partial<OutboundSettings['dkim']>;
};

/** `base` with `over`'s fields on top (one level deep). Pure. */
export function mergeSettings(base: OutboundSettings, over: StoredOutboundSettings | null | undefined): OutboundSettings {
  if (!over) return base;
  return {
    ...base,
    ...over,
    retry: { ...base.retry, ...over.retry },
    rateLimit: { ...base.rateLimit, ...over.rateLimit },
    dkim: { ...base.dkim, ...over.dkim },
    relayDomains: { ...base.relayDomains, ...over.relayDomains },
  } as OutboundSettings;
}

/**
 * The effective settings: defaults, then `base` (boot config or tests), then
 * what the owner stored. Fails only when the store cannot be read.
 */
export async function readOutboundSettings(store: MailStore, base?: StoredOutboundSettings): Promise<OutboundSettings> {
  const stored = (await store.getSetting(OUTBOUND_SETTINGS_NAME)) as StoredOutboundSettings | null;
  return mergeSettings(mergeSettings(DEFAULT_OUTBOUND_SETTINGS, base), stored);
}

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[?[0-9a-f:.]+\]?$/i;

/**
 * Checks a smarthost as the CLI or admin API hands it in and fills the port
 * default. Fails `MailError('invalid')` naming the bad field. Pure.
 */
export function validateSmarthost(input: { host: string; port?: number; tls?: string; username?: string; password?: string }): SmarthostConfig {
  const host = String(input.host ?? '').trim().toLowerCase();
  if (!host || host.length > 253 || !HOST.test(host)) throw new MailError('invalid', `relay host "${input.host}" is not a host name or IP address`);
  const tls = (input.tls ?? 'starttls') as SmarthostTls;
  if (tls !== 'starttls' && tls !== 'implicit') throw new MailError('invalid', 'relay tls must be "starttls" or "implicit"');
  const port = input.port ?? (tls === 'implicit' ? 465 : 587);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new MailError('invalid', `relay port ${String(input.port)} is not a TCP port`);
  if ((input.username === undefined) !== (input.password === undefined)) throw new MailError('invalid', 'relay username and password go together');
  const out: SmarthostConfig = { host, port, tls };
  if (input.username !== undefined && input.password !== undefined) {
    if (/[\r\n\0]/.test(input.username) || /[\r\n\0]/.test(input.password)) throw new MailError('invalid', 'relay credentials must not contain line breaks');
    out.username = input.username;
    out.password = input.password;
  }
  return out;
}

/** The smarthost for a destination domain, or null for direct MX delivery. */
export function smarthostFor(settings: OutboundSettings, domain: string): SmarthostConfig | null {
  return settings.relayDomains[domain.toLowerCase()] ?? settings.relay;
}

/** Wait before attempt number `attempts + 1` (attempts already made ≥ 1). Pure. */
export function retryDelay(retry: RetrySettings, attempts: number): number {
  const doublings = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** doublings);
}
