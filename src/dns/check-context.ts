import { DEFAULT_CLIENT_SERVICES, DEFAULT_DNSBL_ZONE, type CheckResult, type CheckStatus, type ClientServicePorts, type DnsCheckConfig, type DnsResolver, type Importance, type Lookup, type SmarthostInput } from './types.js';

/** What every check reads: the resolver and the normalised configuration. */
export interface CheckContext {
  resolver: DnsResolver;
  /** Lower-case host name without trailing dot. */
  hostname: string;
  /** The public addresses in use ([] when unknown), IPv4 first. */
  publicIps: string[];
  ipv4?: string;
  ipv6?: string;
  /** Why the addresses are unknown, for UNKNOWN findings. */
  publicIpNote: string;
  services: ClientServicePorts;
  dnsblZone: string;
  smarthost?: SmarthostInput;
  config: DnsCheckConfig;
}

/** Builds the context; `publicIps` comes from config or the echo service (see engine.ts). */
export function makeContext(resolver: DnsResolver, config: DnsCheckConfig, publicIps: string[], publicIpNote: string): CheckContext {
  const ipv4 = publicIps.find((ip) => ip.includes('.'));
  const ipv6 = publicIps.find((ip) => ip.includes(':'));
  const ctx: CheckContext = {
    resolver,
    hostname: canonicalName(config.hostname),
    publicIps,
    publicIpNote,
    services: { ...DEFAULT_CLIENT_SERVICES, ...config.services },
    dnsblZone: canonicalName(config.dnsblZone ?? DEFAULT_DNSBL_ZONE),
    config,
  };
  if (ipv4) ctx.ipv4 = ipv4;
  if (ipv6) ctx.ipv6 = ipv6;
  if (config.smarthost) ctx.smarthost = config.smarthost;
  return ctx;
}

/** Lower case, no trailing dot: the form names are compared in. */
export function canonicalName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Fields of a result besides id/subject/title/importance. */
export interface Outcome {
  status: CheckStatus;
  finding: string;
  fix?: string;
  current?: string;
  expected?: string;
}

/** Identity of a check line. */
export interface CheckHead {
  id: string;
  subject: string;
  domain?: string;
  title: string;
  importance: Importance;
}

/** Joins a head and an outcome into a result line (drops undefined fields so JSON stays tidy). */
export function line(head: CheckHead, outcome: Outcome): CheckResult {
  const out: CheckResult = { ...head, status: outcome.status, finding: outcome.finding };
  if (outcome.fix !== undefined) out.fix = outcome.fix;
  if (outcome.current !== undefined) out.current = outcome.current;
  if (outcome.expected !== undefined) out.expected = outcome.expected;
  if (out.domain === undefined) delete out.domain;
  return out;
}

export const ok = (finding: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'OK', finding, ...extra });
export const warn = (finding: string, fix: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'WARN', finding, fix, ...extra });
export const fail = (finding: string, fix: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'FAIL', finding, fix, ...extra });
export const unknown = (finding: string, fix: string, extra: Partial<Outcome> = {}): Outcome => ({ status: 'UNKNOWN', finding, fix, ...extra });

/** The UNKNOWN outcome for a lookup that did not answer (timeout, SERVFAIL, refused). */
export function lookupFailed(question: string, lookup: Lookup<unknown> | { failure: string }): Outcome {
  const failure = 'failure' in lookup ? lookup.failure : 'no answer';
  return unknown(
    `could not determine: ${question} got ${failure}`,
    'Run the check again later; if it keeps failing, your DNS host or the resolver this box uses has a problem',
  );
}

/** Records of a lookup, [] for NXDOMAIN/NODATA; null for a failed lookup. */
export function recordsOf<T>(lookup: Lookup<T>): T[] | null {
  if (lookup.kind === 'failed') return null;
  return lookup.kind === 'found' ? lookup.records : [];
}

const RANK: Record<CheckStatus, number> = { OK: 0, WARN: 1, UNKNOWN: 2, FAIL: 3 };

/** The worst of some statuses: FAIL > UNKNOWN > WARN > OK (OK for none). */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'OK';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** A name relative to a zone apex, for showing records: `@`, `mail`, or absolute with a dot. */
export function relativeName(name: string, zone: string): string {
  if (name === zone) return '@';
  if (name.endsWith(`.${zone}`)) return name.slice(0, -(zone.length + 1));
  return `${name}.`;
}

/** The text a fix should say for "your public IPv4" when it is unknown. */
export function ipOrPlaceholder(ip: string | undefined, family: 4 | 6): string {
  return ip ?? (family === 4 ? '<your public IPv4>' : '<your public IPv6>');
}
