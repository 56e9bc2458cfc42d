import { Resolver } from 'node:dns/promises';

/**
 * DNS for outbound delivery, injected (tests use a fake; the appliance can
 * point it at configured servers). Methods reject with Node's DNS error codes
 * (`ENOTFOUND` = NXDOMAIN, `ENODATA` = no records of that type, others =
 * temporary trouble).
 */
export interface OutboundResolver {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

/** Node's resolver, optionally with explicit servers (`"127.0.0.1:5353"`). */
export function systemResolver(servers?: string[]): OutboundResolver {
  const r = new Resolver({ timeout: 5000, tries: 2 });
  if (servers && servers.length > 0) r.setServers(servers);
  return {
    resolveMx: (d) => r.resolveMx(d),
    resolve4: (h) => r.resolve4(h),
    resolve6: (h) => r.resolve6(h),
  };
}

/** One host to try, with its addresses (IPv4 first). */
export interface MxHost {
  name: string;
  addresses: string[];
}

/** Where mail for a domain goes, or why it cannot go anywhere. */
export type Route =
  | { kind: 'hosts'; hosts: MxHost[] }
  /** Permanent: the domain does not exist or says it takes no mail (RFC 7505 null MX). */
  | { kind: 'permanent'; status: string; reason: string }
  | { kind: 'temporary'; status: string; reason: string };

function code(err: unknown): string {
  return (err as { code?: string })?.code ?? '';
}

async function addressesOf(resolver: OutboundResolver, host: string): Promise<{ addresses: string[]; temporary: boolean }> {
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  const temporary = [v4, v6].some((r) => r.status === 'rejected' && !['ENODATA', 'ENOTFOUND'].includes(code(r.reason)));
  return { addresses, temporary };
}

/**
 * RFC 5321 §5.1: the MX records of `domain` by preference (equal preferences
 * shuffled), each with its addresses; without MX records the domain's own
 * A/AAAA ("implicit MX"). A single MX of "." is a null MX (RFC 7505 §3): the
 * domain accepts no mail, so the message bounces at once with 5.1.10. An MX
 * pointing to a name without addresses is skipped. NXDOMAIN is permanent;
 * resolver trouble is temporary. Never rejects.
 */
export async function routeFor(resolver: OutboundResolver, domain: string): Promise<Route> {
  let mx: { exchange: string; priority: number }[];
  try {
    mx = await resolver.resolveMx(domain);
  } catch (err) {
    const c = code(err);
    if (c === 'ENOTFOUND') return { kind: 'permanent', status: '5.1.2', reason: `domain ${domain} does not exist` };
    if (c !== 'ENODATA') return { kind: 'temporary', status: '4.4.3', reason: `DNS lookup of ${domain} failed (${c || 'error'})` };
    mx = [];
  }
  if (mx.some((m) => m.exchange === '' || m.exchange === '.')) {
    return { kind: 'permanent', status: '5.1.10', reason: `domain ${domain} accepts no mail (null MX)` };
  }
  const names =
    mx.length > 0
      ? [...mx].map((m) => ({ m, r: Math.random() })).sort((a, b) => a.m.priority - b.m.priority || a.r - b.r).map((x) => x.m.exchange.replace(/\.$/, ''))
      : [domain];
  const hosts: MxHost[] = [];
  let temporary = false;
  for (const name of names) {
    const found = await addressesOf(resolver, name);
    temporary ||= found.temporary;
    if (found.addresses.length > 0) hosts.push({ name, addresses: found.addresses });
  }
  if (hosts.length > 0) return { kind: 'hosts', hosts };
  if (temporary) return { kind: 'temporary', status: '4.4.3', reason: `no address found for the mail servers of ${domain} (DNS trouble)` };
  if (mx.length === 0) return { kind: 'permanent', status: '5.1.2', reason: `domain ${domain} has no mail server (no MX, A or AAAA)` };
  return { kind: 'temporary', status: '4.4.4', reason: `the mail servers of ${domain} have no addresses` };
}
