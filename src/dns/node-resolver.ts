import { promises as dnsp } from 'node:dns';
import { isIPv6 } from 'node:net';
import { dnsblQueryName } from './ip-address.js';
import { RCODE, RR_TYPES, type DnsMessage } from './packet.js';
import { DnsTimeoutError, parseServer, rawQuery, type DnsServer } from './raw-query.js';
import type { AuthenticOutcome, CaaRecord, DnsFailure, DnsResolver, Lookup, MxRecord, SrvRecord, TlsaRecord } from './types.js';

/** Options of `createDnsResolver`. */
export interface DnsResolverOptions {
  /** Servers as `host` or `host:port` (`[v6]:port`); default: the system's resolvers (/etc/resolv.conf). */
  servers?: readonly string[];
  /** Time per attempt; default 5000 ms (MIAB and YunoHost use 5 s in total). */
  timeoutMs?: number;
  /** Attempts per server; default 2. */
  tries?: number;
}

/**
 * The production resolver: Node's `dns.promises.Resolver` (c-ares, never
 * getaddrinfo, so /etc/hosts and search domains cannot hide mistakes) for
 * the common types, and our own raw client (`raw-query.ts`) for TLSA and the
 * AD bit, asking the same servers. Never rejects: error codes become
 * `Lookup` outcomes. Holds no open sockets between calls; nothing to close.
 */
export function createDnsResolver(options: DnsResolverOptions = {}): DnsResolver {
  const timeoutMs = options.timeoutMs ?? 5000;
  const tries = options.tries ?? 2;
  const resolver = new dnsp.Resolver({ timeout: timeoutMs, tries });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  const servers = (): DnsServer[] => resolver.getServers().map(parseServer);

  const wrap = async <T>(run: () => Promise<T[]>): Promise<Lookup<T>> => {
    try {
      const records = await run();
      return records.length === 0 ? { kind: 'nodata' } : { kind: 'found', records };
    } catch (err) {
      return fromNodeError(err);
    }
  };
  const raw = async (name: string, type: number): Promise<DnsMessage | { failure: DnsFailure; detail: string }> => {
    let last: { failure: DnsFailure; detail: string } = { failure: 'ERROR', detail: 'no DNS server configured' };
    for (const server of servers()) {
      for (let attempt = 0; attempt < tries; attempt++) {
        try {
          return await rawQuery(server, name, type, timeoutMs);
        } catch (err) {
          last = err instanceof DnsTimeoutError ? { failure: 'TIMEOUT', detail: err.message } : { failure: 'ERROR', detail: (err as Error).message };
        }
      }
    }
    return last;
  };

  return {
    a: (name) => wrap(() => resolver.resolve4(name)),
    aaaa: (name) => wrap(() => resolver.resolve6(name)),
    cname: (name) => wrap(() => resolver.resolveCname(name)),
    mx: (name) => wrap<MxRecord>(() => resolver.resolveMx(name)),
    txt: (name) => wrap(async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    // Not resolver.reverse(): c-ares' gethostbyaddr reports SERVFAIL and REFUSED as ENOTFOUND, which
    // would turn a broken server into "no PTR". resolvePtr on the arpa name keeps the real error.
    ptr: (ip) => wrap(() => resolver.resolvePtr(reverseName(ip))),
    srv: (name) => wrap<SrvRecord>(async () => (await resolver.resolveSrv(name)).map((r) => ({ priority: r.priority, weight: r.weight, port: r.port, target: r.name }))),
    caa: (name) =>
      wrap<CaaRecord>(async () =>
        (await resolver.resolveCaa(name)).map((r) => {
          const { critical, ...rest } = r as unknown as Record<string, unknown> & { critical: number };
          const [tag, value] = Object.entries(rest)[0] ?? ['', ''];
          return { critical, tag, value: String(value) };
        }),
      ),
    tlsa: async (name) => {
      const msg = await raw(name, RR_TYPES.TLSA);
      if (!('flags' in msg)) return { kind: 'failed', ...msg };
      const outcome = fromRcode(msg);
      if (outcome) return outcome;
      const records = msg.answers.filter((r) => r.type === RR_TYPES.TLSA).map((r) => r.data as TlsaRecord);
      return records.length === 0 ? { kind: 'nodata' } : { kind: 'found', records };
    },
    authentic: async (name, type): Promise<AuthenticOutcome> => {
      const msg = await raw(name, RR_TYPES[type]);
      if (!('flags' in msg)) return { kind: 'failed', ...msg };
      const outcome = fromRcode(msg);
      if (outcome && outcome.kind === 'failed') return outcome;
      return { kind: 'answered', authentic: msg.flags.ad, rcode: msg.flags.rcode };
    },
  };
}

/** The in-addr.arpa / ip6.arpa name of an address (RFC 1035 §3.5, RFC 3596 §2.5). */
function reverseName(ip: string): string {
  return dnsblQueryName(ip, isIPv6(ip) ? 'ip6.arpa' : 'in-addr.arpa');
}

/** Maps a raw answer's RCODE to an outcome, or null for NOERROR. */
function fromRcode(msg: DnsMessage): Lookup<never> | null {
  switch (msg.flags.rcode) {
    case RCODE.NOERROR:
      return null;
    case RCODE.NXDOMAIN:
      return { kind: 'nxdomain' };
    case RCODE.SERVFAIL:
      return { kind: 'failed', failure: 'SERVFAIL', detail: 'server failure' };
    case RCODE.REFUSED:
      return { kind: 'failed', failure: 'REFUSED', detail: 'query refused' };
    default:
      return { kind: 'failed', failure: 'ERROR', detail: `response code ${msg.flags.rcode}` };
  }
}

/**
 * c-ares error codes → outcomes. ENOTFOUND is NXDOMAIN and ENODATA is NODATA
 * (verified against NSD); everything else means "could not determine".
 */
export function fromNodeError(err: unknown): Lookup<never> {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const detail = `${code}${err instanceof Error && err.message ? ` (${err.message})` : ''}`;
  switch (code) {
    case 'ENOTFOUND':
      return { kind: 'nxdomain' };
    case 'ENODATA':
      return { kind: 'nodata' };
    case 'ESERVFAIL':
      return { kind: 'failed', failure: 'SERVFAIL', detail };
    case 'EREFUSED':
      return { kind: 'failed', failure: 'REFUSED', detail };
    case 'ETIMEOUT':
      return { kind: 'failed', failure: 'TIMEOUT', detail };
    default:
      return { kind: 'failed', failure: 'ERROR', detail };
  }
}
