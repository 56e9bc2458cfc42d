import { autoconfigCheck, caaCheck, mtaStsCheck, srvCheck, tlsRptCheck } from './checks-client.js';
import { dkimCheck, dmarcChecks } from './checks-dkim-dmarc.js';
import { hostChecks } from './checks-host.js';
import { mxChecks } from './checks-mx.js';
import { daneCheck, dnsblChecks, dnssecCheck } from './checks-reputation.js';
import { spfChecks } from './checks-spf.js';
import { buildExpectedRecords } from './expected-records.js';
import { ipFamily, isNonPublicIp, ipInNetwork } from './ip-address.js';
import { fetchPublicIp, type PublicIpFetcher } from './public-ip.js';
import { canonicalName, line, makeContext, worstStatus, type Outcome } from './check-context.js';
import type { CheckResult, DnsCheckConfig, DnsCheckReport, DnsResolver, DomainRecords } from './types.js';

/** Inputs of `runDnsCheck`. */
export interface RunDnsCheckOptions {
  /** Where the local domains come from (the mail store). */
  store: { listDomains(): Promise<string[]> };
  config: DnsCheckConfig;
  resolver: DnsResolver;
  /** Time stamp of the report; default now. */
  now?: Date;
  /** Check only this domain (it need not be local yet: owners check before adding it). */
  domain?: string;
  /** Replaces the HTTP echo fetch (tests). */
  fetchPublicIp?: PublicIpFetcher;
  /** The DKIM key the box signs a domain's mail with, when keys differ per domain; overrides `config.dkim` for that domain. */
  dkimFor?: (domain: string) => Promise<DnsCheckConfig['dkim'] | undefined>;
  /** A domain's new DKIM key that waits for its record before it signs (checked so the owner knows when to switch). */
  dkimPendingFor?: (domain: string) => Promise<DnsCheckConfig['dkim'] | undefined>;
}

type DkimLookup = (domain: string) => Promise<DnsCheckConfig['dkim'] | undefined>;

/** Asks `lookup` once per domain (the checks and the expected records both need the key); a failure counts as no key. */
function perDomainOnce(lookup: DkimLookup | undefined): DkimLookup {
  const seen = new Map<string, Promise<DnsCheckConfig['dkim'] | undefined>>();
  return (d) => {
    let p = seen.get(d);
    if (!p) {
      p = lookup ? lookup(d).catch(() => undefined) : Promise.resolve(undefined);
      seen.set(d, p);
    }
    return p;
  };
}

/**
 * Runs the whole DNS self-check: host-wide checks once (public address,
 * host A/AAAA, CNAME, PTR, EHLO name, blocklists, DANE), then for every local
 * domain (or `domain`) MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, SRV,
 * autoconfig, CAA and DNSSEC, plus the "records to create" for each domain.
 *
 * Never rejects for DNS trouble: a timeout, SERVFAIL or refusal becomes an
 * UNKNOWN line. Rejects only if the store cannot list domains or the resolver
 * throws (a broken resolver implementation). Changes nothing; the caller
 * stores the report (see `daily-run.ts`).
 */
export async function runDnsCheck(options: RunDnsCheckOptions): Promise<DnsCheckReport> {
  const { config, resolver } = options;
  const checkedAt = (options.now ?? new Date()).toISOString();
  const domains = options.domain !== undefined ? [canonicalName(options.domain)] : [...new Set((await options.store.listDomains()).map(canonicalName))].sort();
  const ip = await findPublicIps(config, options.fetchPublicIp ?? ((url) => fetchPublicIp(url)));
  const domainDkim = perDomainOnce(options.dkimFor);
  const domainPending = perDomainOnce(options.dkimPendingFor);
  const ctx = makeContext(resolver, config, ip.usable, ip.note);
  const hostLines = [line({ id: 'public-ip', subject: canonicalName(config.hostname), title: 'Public address of the box', importance: 'required' }, ip.outcome)];
  const [host, dnsbl, dane, perDomain] = await Promise.all([
    hostChecks(ctx),
    dnsblChecks(ctx),
    daneCheck(ctx),
    Promise.all(
      domains.map(async (d) => {
        const dkim = await domainDkim(d);
        const pending = await domainPending(d);
        const dctx = dkim ? { ...ctx, config: { ...ctx.config, dkim } } : ctx;
        const groups = await Promise.all([mxChecks(dctx, d), spfChecks(dctx, d), dkimCheck(dctx, d), dmarcChecks(dctx, d), mtaStsCheck(dctx, d), tlsRptCheck(dctx, d), srvCheck(dctx, d), autoconfigCheck(dctx, d), caaCheck(dctx, d), dnssecCheck(dctx, d)]);
        if (pending) groups.splice(3, 0, await dkimCheck({ ...ctx, config: { ...ctx.config, dkim: pending } }, d, 'pending'));
        return groups.flat();
      }),
    ),
  ]);
  const results: CheckResult[] = [...hostLines, ...host, ...dnsbl, dane, ...perDomain.flat()];
  const expected: DomainRecords[] = [];
  for (const d of domains) {
    const dkim = await domainDkim(d);
    const pending = await domainPending(d);
    const dconfig: DnsCheckConfig = { ...config, ...(dkim ? { dkim } : {}), ...(pending ? { dkimPending: pending } : {}) };
    try {
      expected.push(buildExpectedRecords(dconfig, d, ip.usable));
    } catch {
      // An unreadable DKIM key is already reported by the dkim check; show the rest without it.
      const { dkim: _dkim, ...rest } = dconfig;
      expected.push(buildExpectedRecords(rest, d, ip.usable));
    }
  }
  return {
    checkedAt,
    hostname: ctx.hostname,
    domains,
    publicIps: ip.usable,
    publicIpSource: ip.source,
    worst: worstStatus(results.map((r) => r.status)),
    results,
    expected,
  };
}

interface PublicIpFinding {
  usable: string[];
  source: DnsCheckReport['publicIpSource'];
  note: string;
  outcome: Outcome;
}

const SETTINGS_FIX = 'Set the box\'s public IP address, or an echo URL that tells it, in the settings';

async function findPublicIps(config: DnsCheckConfig, fetcher: PublicIpFetcher): Promise<PublicIpFinding> {
  const configured = config.publicIp === undefined ? [] : typeof config.publicIp === 'string' ? [config.publicIp] : [...config.publicIp];
  if (configured.length > 0) {
    const bad = configured.find((ip) => ipFamily(ip) === 0);
    if (bad !== undefined) return { usable: [], source: 'config', note: 'the configured address is invalid', outcome: { status: 'FAIL', finding: `the configured public address "${bad}" is not an IP address`, fix: SETTINGS_FIX } };
    const lan = configured.find(isNonPublicIp);
    if (lan !== undefined) {
      const cgnat = ipInNetwork(lan, '100.64.0.0', 10);
      const finding = cgnat
        ? `the configured address ${lan} is in the range ISPs share among customers (CGNAT): the internet cannot reach the box on it`
        : `the configured address ${lan} is a LAN address, not the public one`;
      const fix = cgnat ? 'Ask your ISP for a public IPv4 address, or receive mail through a relay on a rented server (VPS) with a tunnel' : 'Enter the address your router has on the internet side (an echo URL finds it)';
      return { usable: [], source: 'config', note: 'the configured address is not public', outcome: { status: 'FAIL', finding, fix } };
    }
    return { usable: sortIps(configured), source: 'config', note: '', outcome: describe(sortIps(configured), 'configured') };
  }
  if (config.echoUrl) {
    try {
      const found = await fetcher(config.echoUrl);
      return { usable: [found], source: 'echo', note: '', outcome: describe([found], 'reported by the echo URL') };
    } catch (err) {
      return { usable: [], source: 'none', note: 'the echo URL did not answer', outcome: { status: 'UNKNOWN', finding: `could not determine the public address: ${(err as Error).message}`, fix: 'Check the internet connection and the echo URL, or set the public IP address in the settings' } };
    }
  }
  return { usable: [], source: 'none', note: 'no public address or echo URL is configured', outcome: { status: 'UNKNOWN', finding: 'the public address is unknown: neither it nor an echo URL is configured', fix: SETTINGS_FIX } };
}

function sortIps(ips: string[]): string[] {
  return [...ips].sort((a, b) => ipFamily(a) - ipFamily(b));
}

function describe(ips: string[], how: string): Outcome {
  if (!ips.some((ip) => ipFamily(ip) === 4)) return { status: 'WARN', finding: `only IPv6 (${ips.join(', ')}) ${how}: most mail servers still need IPv4`, fix: 'Add the public IPv4 address in the settings, or ask your ISP for one' };
  return { status: 'OK', finding: `public address ${ips.join(', ')} (${how})` };
}
