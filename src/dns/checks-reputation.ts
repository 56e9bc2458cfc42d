import { dnsblQueryName } from './ip-address.js';
import { fail, line, lookupFailed, ok, recordsOf, unknown, warn, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult } from './types.js';

/**
 * Blocklist check of each public address (spec table L), Spamhaus ZEN return
 * codes interpreted as MIAB does. A refused or unanswered query, and the
 * 127.255.255.x error codes, are UNKNOWN: never "listed", never "clean".
 */
export async function dnsblChecks(ctx: CheckContext): Promise<CheckResult[]> {
  if (ctx.publicIps.length === 0) {
    return [line({ id: 'dnsbl', subject: 'public address', title: 'Blocklist (DNSBL) listing', importance: 'required' }, unknown(`this box's public address is unknown (${ctx.publicIpNote})`, 'Set the public IP address or an echo URL in the settings'))];
  }
  return Promise.all(
    ctx.publicIps.map(async (ip) => line({ id: `dnsbl-v${ip.includes(':') ? 6 : 4}`, subject: ip, title: `Blocklist listing at ${ctx.dnsblZone}`, importance: 'required' }, await dnsblOne(ctx, ip))),
  );
}

async function dnsblOne(ctx: CheckContext, ip: string): Promise<Outcome> {
  const name = dnsblQueryName(ip, ctx.dnsblZone);
  const lookup = await ctx.resolver.a(name);
  const codes = recordsOf(lookup);
  if (codes === null) {
    return unknown(`could not ask ${ctx.dnsblZone} about ${ip} (${(lookup as { failure: string }).failure})`, 'Spamhaus refuses queries from public and many ISP resolvers: let the box use its own recursive resolver, then run the check again');
  }
  if (codes.length === 0) return ok(`${ip} is not listed at ${ctx.dnsblZone}`);
  const current = codes.join(', ');
  const lookupPage = `see https://check.spamhaus.org/ (query ${ip}) for the reason and removal`;
  if (codes.some((c) => c === '127.255.255.254')) return unknown(`${ctx.dnsblZone} refused to answer: the box's resolver is a public or shared one`, 'Let the box use its own recursive resolver (Spamhaus does not answer public resolvers), then run the check again', { current });
  if (codes.some((c) => c === '127.255.255.255')) return unknown(`${ctx.dnsblZone} reports too many queries from this resolver`, 'Run the check again later, from the box\'s own resolver', { current });
  if (codes.some((c) => c.startsWith('127.255.255.'))) return unknown(`${ctx.dnsblZone} answered with the error code ${current}`, 'Run the check again later', { current });
  if (!codes.every((c) => c.startsWith('127.'))) return unknown(`${ctx.dnsblZone} answered ${current}, which is not a blocklist code (the resolver may redirect unknown names)`, 'Use a resolver that does not rewrite answers', { current });
  const last = (c: string): number => Number(c.split('.')[3]);
  const abuse = codes.filter((c) => last(c) < 10 || last(c) > 11);
  const pbl = codes.filter((c) => last(c) === 10 || last(c) === 11);
  if (abuse.length > 0) {
    const text = `${ip} is listed at ${ctx.dnsblZone} for abuse (code ${abuse.join(', ')}: SBL/CSS/XBL/DROP)`;
    if (ctx.smarthost) return warn(`${text}; outgoing mail goes through ${ctx.smarthost.host}, but something on your network may be infected or abused`, `Find and stop the cause, then request removal: ${lookupPage}`, { current });
    return fail(`${text}; receivers reject mail from it`, `Find and stop the cause (an infected device, an open relay), then request removal: ${lookupPage}`, { current });
  }
  if (ctx.smarthost) return ok(`${ip} is on the policy list for home connections (PBL, code ${pbl.join(', ')}); no problem, because mail leaves through ${ctx.smarthost.host}`, { current });
  return fail(`${ip} is on the Spamhaus policy list for home connections (PBL, code ${pbl.join(', ')}): most receivers refuse direct mail from it`, `Send through a smarthost (your ISP's or a relay service on port 587/465); if this is a business line with a fixed address, ask your ISP or remove it: ${lookupPage}`, { current });
}

/**
 * DANE for inbound SMTP (RFC 7672): the TLSA record at `_25._tcp.H`, which
 * is only meaningful in a DNSSEC-signed zone. Optional: no record is OK.
 */
export async function daneCheck(ctx: CheckContext): Promise<CheckResult> {
  const name = `_25._tcp.${ctx.hostname}`;
  const head = { id: 'dane', subject: name, title: 'DANE (TLSA) for inbound SMTP', importance: 'optional' as const };
  const lookup = await ctx.resolver.tlsa(name);
  const records = recordsOf(lookup);
  if (records === null) return line(head, lookupFailed(`TLSA ${name}`, lookup));
  if (records.length === 0) return line(head, ok('no TLSA record (DANE is optional and needs DNSSEC)'));
  const current = records.map((r) => `${r.usage} ${r.selector} ${r.matchingType} ${r.data}`).join(', ');
  const auth = await ctx.resolver.authentic(name, 'TLSA');
  if (auth.kind === 'failed') return line(head, lookupFailed(`TLSA ${name} (DNSSEC)`, auth));
  if (!auth.authentic) {
    return line(head, warn('TLSA records are published, but the answer is not DNSSEC-validated (unsigned zone, or this box\'s resolver does not validate)', 'Sign the zone with DNSSEC at your DNS host (and publish the DS at your registrar), or remove the TLSA records', { current }));
  }
  const want = ctx.config.tlsaSpkiSha256?.toLowerCase();
  if (want && !records.some((r) => r.usage === 3 && r.selector === 1 && r.matchingType === 1 && r.data === want)) {
    return line(head, fail('no TLSA record matches the current certificate key: DANE senders will refuse to deliver', `Publish "${name}. TLSA 3 1 1 ${want}" at your DNS host before removing the old one; TLSA must change before the key changes`, { current, expected: `3 1 1 ${want}` }));
  }
  return line(head, ok('TLSA records are published and DNSSEC-validated', { current }));
}

/** Whether the domain's answers are DNSSEC-validated (AD bit from the resolver). Optional. */
export async function dnssecCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const head = { id: 'dnssec', subject: domain, domain, title: 'DNSSEC signing', importance: 'optional' as const };
  const auth = await ctx.resolver.authentic(domain, 'MX');
  if (auth.kind === 'failed') return line(head, lookupFailed(`MX ${domain} (DNSSEC)`, auth));
  if (auth.authentic) return line(head, ok(`answers for ${domain} are DNSSEC-validated`));
  return line(head, warn(`answers for ${domain} are not DNSSEC-validated (the zone is unsigned, or this box's resolver does not validate)`, 'Optional: enable DNSSEC at your DNS host and publish the DS record at your registrar; it protects MX and TLSA answers from forgery'));
}
