import { isNonPublicIp, looksLikeIpLiteral, sameIp } from './ip-address.js';
import { canonicalName, fail, line, lookupFailed, ok, recordsOf, unknown, warn, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult, MxRecord } from './types.js';

/**
 * MX checks of one domain (spec table B): `mx` (exists, null-MX rules of
 * RFC 7505, targets are host names with public addresses of this box) and
 * `mx-cname` (no target is an alias, RFC 2181 §10.3 / RFC 5321 §5.1).
 */
export async function mxChecks(ctx: CheckContext, domain: string): Promise<CheckResult[]> {
  const head = (id: string, title: string): { id: string; subject: string; domain: string; title: string; importance: 'required' } => ({ id, subject: domain, domain, title, importance: 'required' });
  const lookup = await ctx.resolver.mx(domain);
  const records = recordsOf(lookup);
  if (records === null) return [line(head('mx', 'Mail exchanger (MX)'), lookupFailed(`MX ${domain}`, lookup))];
  const [mx, cname] = await Promise.all([mxOutcome(ctx, domain, records, lookup.kind === 'nxdomain'), cnameOutcome(ctx, records)]);
  const out = [line(head('mx', 'Mail exchanger (MX)'), mx)];
  if (cname) out.push(line(head('mx-cname', 'MX target is not an alias (CNAME)'), cname));
  return out;
}

function expectedMx(ctx: CheckContext, domain: string): string {
  return `${domain}. MX 10 ${ctx.hostname}.`;
}

async function mxOutcome(ctx: CheckContext, domain: string, records: MxRecord[], nxdomain: boolean): Promise<Outcome> {
  const want = expectedMx(ctx, domain);
  const addFix = `Create "${want}" at your DNS host (note the trailing dot; without it many DNS panels append your domain)`;
  if (nxdomain) return fail(`${domain} does not exist in DNS`, `Check at your registrar that ${domain} is registered and delegated to your DNS host, then create "${want}" there`, { expected: want });
  const current = records.map((r) => `${r.priority} ${r.exchange || '.'}`).join(', ') || 'none';
  if (records.length === 0) {
    const [domainA, hostA] = await Promise.all([ctx.resolver.a(domain), ctx.resolver.a(ctx.hostname)]);
    const d = recordsOf(domainA) ?? [];
    const hA = recordsOf(hostA) ?? [];
    if (d.length > 0 && d.some((ip) => hA.some((x) => sameIp(x, ip)))) {
      return warn(`${domain} has no MX record; senders fall back to its A record, which is this box (RFC 5321 §5.1)`, addFix, { current, expected: want });
    }
    return fail(`${domain} has no MX record, so other servers do not know where to deliver its mail`, addFix, { current, expected: want });
  }
  const nulls = records.filter((r) => r.exchange === '' || r.exchange === '.');
  if (nulls.length > 0 && nulls.length === records.length) {
    return fail(`${domain} publishes a null MX ("0 ."): it declares that the domain accepts no mail (RFC 7505), and receivers may refuse mail from it`, `Remove "${domain}. MX 0 ." and create "${want}" at your DNS host`, { current, expected: want });
  }
  if (nulls.length > 0) return fail(`${domain} has a null MX ("0 .") together with other MX records: a conflicting setup (RFC 7505 §3)`, `Remove "${domain}. MX 0 ." at your DNS host`, { current, expected: want });
  const verdicts = await Promise.all(records.map((r) => targetVerdict(ctx, canonicalName(r.exchange))));
  const bad = verdicts.find((v) => v.kind === 'bad');
  if (bad && bad.kind === 'bad') return fail(bad.finding, bad.fix, { current, expected: want });
  const failed = verdicts.find((v) => v.kind === 'failed');
  const ours = verdicts.filter((v) => v.kind === 'ours').length;
  if (ours === 0) {
    if (failed && failed.kind === 'failed') return unknown(failed.finding, 'Run the check again later', { current, expected: want });
    if (ctx.publicIps.length === 0) return unknown(`MX is ${current}; this box's public address is unknown (${ctx.publicIpNote}), so it cannot tell whether that is this box`, `Set the public IP address in the settings, or point the MX at ${ctx.hostname}`, { current, expected: want });
    return fail(`MX is ${current}, which is not this box (${ctx.hostname}): mail for ${domain} goes elsewhere`, `Replace the MX record with "${want}" at your DNS host`, { current, expected: want });
  }
  if (ours < records.length) return warn(`MX ${current} also names servers that are not this box; fine for a backup MX you run, otherwise mail may go astray`, `Remove MX records of servers you do not run, at your DNS host`, { current, expected: want });
  return ok(`MX ${current} points to this box`, { current });
}

type Verdict = { kind: 'ours' } | { kind: 'other' } | { kind: 'bad'; finding: string; fix: string } | { kind: 'failed'; finding: string };

async function targetVerdict(ctx: CheckContext, target: string): Promise<Verdict> {
  if (looksLikeIpLiteral(target)) return { kind: 'bad', finding: `the MX target ${target} is an IP address; MX must name a host (RFC 7505 §3, RFC 5321 §5.1)`, fix: `Replace it with "MX 10 ${ctx.hostname}." and give ${ctx.hostname} an A record` };
  const [a, aaaa] = await Promise.all([ctx.resolver.a(target), ctx.resolver.aaaa(target)]);
  const v4 = recordsOf(a);
  const v6 = recordsOf(aaaa);
  if (v4 === null || v6 === null) return { kind: 'failed', finding: `could not determine the address of the MX target ${target}` };
  const addrs = [...v4, ...v6];
  if (addrs.length === 0) return { kind: 'bad', finding: `the MX target ${target} has no address record`, fix: `Create "${target}. A <your public IPv4>" or point the MX to ${ctx.hostname}.` };
  const lan = addrs.filter(isNonPublicIp);
  if (lan.length > 0) return { kind: 'bad', finding: `the MX target ${target} points to ${lan.join(', ')}, an address the internet cannot reach`, fix: `Point ${target} to your public address at your DNS host (and forward TCP port 25 to this box in your router)` };
  if (target === ctx.hostname) return { kind: 'ours' };
  if (ctx.publicIps.some((ip) => addrs.some((x) => sameIp(x, ip)))) return { kind: 'ours' };
  return { kind: 'other' };
}

async function cnameOutcome(ctx: CheckContext, records: MxRecord[]): Promise<Outcome | null> {
  const targets = records.map((r) => canonicalName(r.exchange)).filter((t) => t !== '' && !looksLikeIpLiteral(t));
  if (targets.length === 0) return null;
  const lookups = await Promise.all(targets.map(async (t) => [t, await ctx.resolver.cname(t)] as const));
  for (const [target, lookup] of lookups) {
    const aliases = recordsOf(lookup);
    if (aliases === null) return lookupFailed(`CNAME ${target}`, lookup);
    if (aliases.length > 0) {
      return fail(`the MX target ${target} is an alias (CNAME) of ${aliases[0]}; MX must point to a name with its own A/AAAA record (RFC 2181 §10.3)`, `Point the MX directly to ${aliases[0]}., or replace the CNAME of ${target} with A/AAAA records, at your DNS host`, { current: `${target} CNAME ${aliases[0]}` });
    }
  }
  return ok('no MX target is an alias');
}
