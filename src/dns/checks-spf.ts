import { countSpfLookups, evaluateSpf } from './spf-evaluate.js';
import { allQualifier, isSpfRecord, parseSpf } from './spf-parse.js';
import { expectedSpf } from './record-values.js';
import { fail, line, lookupFailed, ok, recordsOf, unknown, warn, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult } from './types.js';

/**
 * SPF of one mail domain (spec table C, RFC 7208): `spf` (exactly one
 * record, valid syntax), then — only when that holds — `spf-all` (ends in
 * ~all/-all), `spf-lookups` (≤10 DNS-querying terms on every path) and
 * `spf-authorizes` (our sending address, or the smarthost's, passes).
 */
export async function spfChecks(ctx: CheckContext, domain: string): Promise<CheckResult[]> {
  const head = (id: string, title: string): { id: string; subject: string; domain: string; title: string; importance: 'required' } => ({ id, subject: domain, domain, title, importance: 'required' });
  const want = `${domain}. TXT "${expectedSpf(ctx.config)}"`;
  const txt = await ctx.resolver.txt(domain);
  const records = recordsOf(txt);
  if (records === null) return [line(head('spf', 'SPF record'), lookupFailed(`TXT ${domain}`, txt))];
  const spf = records.filter(isSpfRecord);
  const current = spf.join(' | ') || undefined;
  if (spf.length === 0) {
    return [line(head('spf', 'SPF record'), fail(`${domain} has no SPF record; receivers cannot tell which servers may send its mail`, `Add ${want} at your DNS host`, { expected: want }))];
  }
  if (spf.length > 1) {
    return [line(head('spf', 'SPF record'), fail(`${domain} has ${spf.length} SPF records; receivers treat that as an error (permerror, RFC 7208 §4.5)`, `Merge them into one "v=spf1 …" record at your DNS host, e.g. ${want}`, { current, expected: want }))];
  }
  const record = spf[0] as string;
  const parsed = parseSpf(record);
  if (!parsed.ok) {
    return [line(head('spf', 'SPF record'), fail(`the SPF record of ${domain} has an error at "${parsed.term}": ${parsed.error}`, `Correct or remove "${parsed.term}" at your DNS host, e.g. use ${want}`, { current, expected: want }))];
  }
  const [lookups, authorizes] = await Promise.all([lookupsOutcome(ctx, domain, current), authorizesOutcome(ctx, domain, current, want)]);
  return [
    line(head('spf', 'SPF record'), ok(`${domain} has one valid SPF record`, { current })),
    line(head('spf-all', 'SPF ends with ~all or -all'), allOutcome(parsed.terms, current, want)),
    line(head('spf-lookups', 'SPF stays within 10 DNS lookups'), lookups),
    line(head('spf-authorizes', 'SPF authorises the sending server'), authorizes),
  ];
}

function allOutcome(terms: Parameters<typeof allQualifier>[0], current: string | undefined, want: string): Outcome {
  const q = allQualifier(terms);
  const hasRedirect = terms.some((t) => t.kind === 'modifier' && t.name === 'redirect');
  if (q === '-' || q === '~') return ok(`the record ends with ${q}all`, { current });
  if (q === null && hasRedirect) return ok('the record hands the decision to its redirect target', { current });
  if (q === '+') return fail('the record ends with +all: it authorises every server on the internet to send as this domain', `Replace "+all" with "~all" at your DNS host (${want})`, { current, expected: want });
  if (q === '?') return fail('the record ends with ?all, which authorises nothing and protects nothing', `Replace "?all" with "~all" at your DNS host`, { current, expected: want });
  return fail('the record has no "all" term, so forged mail gets "neutral" instead of failing', `End the record with "~all" at your DNS host (${want})`, { current, expected: want });
}

async function lookupsOutcome(ctx: CheckContext, domain: string, current: string | undefined): Promise<Outcome> {
  const count = await countSpfLookups(ctx.resolver, domain);
  if (count.failed && count.count <= 10) return unknown(`could not follow every include: ${count.failed}`, 'Run the check again later', { current });
  const fix = 'Replace some include: terms with ip4:/ip6: ranges, or drop senders you no longer use, at your DNS host';
  if (count.count > 10) return fail(`the record needs ${count.count} DNS lookups; more than 10 makes every check fail (permerror, RFC 7208 §4.6.4)`, fix, { current });
  if (count.count >= 8) return warn(`the record needs ${count.count} of the 10 allowed DNS lookups; one more include and it breaks`, fix, { current });
  return ok(`the record needs ${count.count} of 10 allowed DNS lookups`, { current });
}

async function sendingAddresses(ctx: CheckContext): Promise<{ ips: string[]; who: string } | Outcome> {
  if (!ctx.smarthost) {
    if (ctx.publicIps.length === 0) return unknown(`cannot tell whether SPF authorises this box: its public address is unknown (${ctx.publicIpNote})`, 'Set the public IP address or an echo URL in the settings');
    return { ips: ctx.publicIps, who: 'this box' };
  }
  const host = ctx.smarthost.host.toLowerCase();
  const [a, aaaa] = await Promise.all([ctx.resolver.a(host), ctx.resolver.aaaa(host)]);
  const v4 = recordsOf(a);
  const v6 = recordsOf(aaaa);
  if (v4 === null || v6 === null) return unknown(`could not look up the address of the smarthost ${host}`, 'Run the check again later');
  if (v4.length + v6.length === 0) return unknown(`the smarthost ${host} has no address in DNS`, 'Check the smarthost name in the settings');
  return { ips: [...v4, ...v6], who: `the smarthost ${host}` };
}

async function authorizesOutcome(ctx: CheckContext, domain: string, current: string | undefined, want: string): Promise<Outcome> {
  const senders = await sendingAddresses(ctx);
  if ('status' in senders) return { ...senders, current };
  const relayFix = ctx.smarthost?.spfInclude ? `add "include:${ctx.smarthost.spfInclude}"` : ctx.smarthost ? `add "a:${ctx.smarthost.host.toLowerCase()}" (or the include: your relay documents)` : `add "mx" or "ip4:${ctx.ipv4 ?? '<your IPv4>'}"`;
  for (const ip of senders.ips) {
    const r = await evaluateSpf(ctx.resolver, domain, ip);
    switch (r.result) {
      case 'pass':
        continue;
      case 'temperror':
        return unknown(`could not evaluate SPF for ${ip}: ${r.reason}`, 'Run the check again later', { current });
      case 'neutral':
      case 'unsupported':
        return warn(`SPF gives "${r.result}" for ${senders.who} (${ip}): ${r.reason}`, `In the SPF record, ${relayFix} at your DNS host, e.g. ${want}`, { current, expected: want });
      default:
        return fail(`SPF gives "${r.result}" for ${senders.who} (${ip}), so receivers may reject its mail: ${r.reason}`, `In the SPF record, ${relayFix} at your DNS host, e.g. ${want}`, { current, expected: want });
    }
  }
  return ok(`SPF authorises ${senders.who} (${senders.ips.join(', ')})`, { current });
}
