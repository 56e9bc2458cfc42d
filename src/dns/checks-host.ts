import { isNonPublicIp, looksLikeIpLiteral, sameIp } from './ip-address.js';
import { evaluateSpf } from './spf-evaluate.js';
import { isSpfRecord } from './spf-parse.js';
import { fail, ipOrPlaceholder, line, lookupFailed, ok, recordsOf, unknown, warn, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult } from './types.js';

const PROPAGATION = 'changes can take as long as the old record\'s TTL (often an hour, sometimes a day) to be seen';

/** Host-wide identity checks (spec table A): address records, not a CNAME, PTR with forward confirmation, EHLO name, HELO SPF. */
export async function hostChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const h = ctx.hostname;
  const head = (id: string, title: string, importance: CheckResult['importance'] = 'required'): { id: string; subject: string; title: string; importance: CheckResult['importance'] } => ({ id, subject: h, title, importance });
  const [address, cname, helo, heloSpf, ptr4, ptr6] = await Promise.all([
    hostAddress(ctx),
    hostNotCname(ctx),
    Promise.resolve(heloName(ctx)),
    heloSpfCheck(ctx),
    ptrCheck(ctx, 4),
    ptrCheck(ctx, 6),
  ]);
  const out = [
    line(head('host-address', 'Mail host address (A/AAAA)'), address),
    line(head('host-cname', 'Mail host is not an alias (CNAME)'), cname),
    line(head('helo-name', 'Name the box greets with (EHLO)'), helo),
    line(head('helo-spf', 'SPF of the EHLO name', 'recommended'), heloSpf),
    line({ ...head('ptr-v4', 'Reverse DNS (PTR) of the IPv4 address'), subject: ctx.ipv4 ?? 'IPv4' }, ptr4),
  ];
  if (ctx.ipv6) out.push(line({ ...head('ptr-v6', 'Reverse DNS (PTR) of the IPv6 address', 'recommended'), subject: ctx.ipv6 }, ptr6));
  return out;
}

async function hostAddress(ctx: CheckContext): Promise<Outcome> {
  const h = ctx.hostname;
  const [a, aaaa] = await Promise.all([ctx.resolver.a(h), ctx.resolver.aaaa(h)]);
  const v4 = recordsOf(a);
  const v6 = recordsOf(aaaa);
  if (v4 === null) return lookupFailed(`A ${h}`, a);
  if (v6 === null) return lookupFailed(`AAAA ${h}`, aaaa);
  const current = [...v4, ...v6].join(', ') || 'none';
  const createFix = `Create "${h}. A ${ipOrPlaceholder(ctx.ipv4, 4)}" at your DNS host; ${PROPAGATION}`;
  if (v4.length === 0 && v6.length === 0) return fail(`${h} has no address record, so no one can reach the box by name`, createFix, { current });
  const lan = [...v4, ...v6].filter(isNonPublicIp);
  if (lan.length > 0) return fail(`${h} points to ${lan.join(', ')}, an address the internet cannot reach`, `Replace it with the public address: "${h}. A ${ipOrPlaceholder(ctx.ipv4, 4)}" at your DNS host (use your router's local DNS for LAN names)`, { current });
  if (ctx.publicIps.length === 0) return unknown(`${h} has ${current}, but this box's public address is unknown (${ctx.publicIpNote})`, 'Set the public IP address or an echo URL in the settings so the check can compare', { current });
  if (ctx.ipv4 && !v4.some((ip) => sameIp(ip, ctx.ipv4 as string))) {
    return fail(`${h} has A ${v4.join(', ') || 'none'}, but this box's public IPv4 is ${ctx.ipv4}`, `Set "${h}. A ${ctx.ipv4}" at your DNS host (and remove the old value); ${PROPAGATION}`, { current, expected: ctx.ipv4 });
  }
  if (v6.length > 0 && ctx.ipv6 && !v6.some((ip) => sameIp(ip, ctx.ipv6 as string))) {
    return fail(`${h} has AAAA ${v6.join(', ')}, but this box's public IPv6 is ${ctx.ipv6}: senders using IPv6 reach the wrong machine`, `Set "${h}. AAAA ${ctx.ipv6}" at your DNS host`, { current, expected: ctx.ipv6 });
  }
  if (v6.length > 0 && !ctx.ipv6) return warn(`${h} has AAAA ${v6.join(', ')}, but this box has no known public IPv6`, `Remove the AAAA record of ${h}, or configure the box's IPv6 address`, { current });
  if (v4.length === 0 && ctx.ipv4) return fail(`${h} has no A record`, createFix, { current, expected: ctx.ipv4 });
  return ok(`${h} points to this box (${current})`, { current });
}

async function hostNotCname(ctx: CheckContext): Promise<Outcome> {
  const lookup = await ctx.resolver.cname(ctx.hostname);
  const targets = recordsOf(lookup);
  if (targets === null) return lookupFailed(`CNAME ${ctx.hostname}`, lookup);
  if (targets.length > 0) {
    return fail(`${ctx.hostname} is an alias (CNAME) of ${targets[0]}; an MX target must not be an alias (RFC 2181 §10.3)`, `Replace the CNAME with "${ctx.hostname}. A ${ipOrPlaceholder(ctx.ipv4, 4)}" at your DNS host`, { current: `CNAME ${targets[0]}` });
  }
  return ok(`${ctx.hostname} is not an alias`);
}

const SPECIAL_TLDS = new Set(['local', 'lan', 'home', 'internal', 'localdomain', 'localhost', 'invalid', 'corp', 'arpa']);

function heloName(ctx: CheckContext): Outcome {
  const h = ctx.hostname;
  const labels = h.split('.');
  const tld = labels[labels.length - 1] ?? '';
  const fix = 'Set the host name in the settings to the public name the MX record points to, e.g. mail.<your domain>';
  if (looksLikeIpLiteral(h)) return fail(`the box greets other servers as ${h}, an address, not a name`, fix);
  if (labels.length < 2 || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(h)) return fail(`the box greets other servers as "${h}", which is not a fully qualified name (RFC 5321 §4.1.1.1)`, fix);
  if (SPECIAL_TLDS.has(tld)) return fail(`the box greets other servers as ${h}, a name only your LAN knows`, fix);
  return ok(`the box greets other servers as ${h}`);
}

async function heloSpfCheck(ctx: CheckContext): Promise<Outcome> {
  const h = ctx.hostname;
  if (ctx.smarthost) return ok(`not needed: outgoing mail leaves through ${ctx.smarthost.host}, which greets with its own name`);
  const expectedRecord = `${h}. TXT "v=spf1 a -all"`;
  const txt = await ctx.resolver.txt(h);
  const records = recordsOf(txt);
  if (records === null) return lookupFailed(`TXT ${h}`, txt);
  const spf = records.filter(isSpfRecord);
  if (spf.length === 0) return warn(`${h} has no SPF record; receivers checking the EHLO name get "none"`, `Add ${expectedRecord} at your DNS host`, { expected: expectedRecord });
  const ips = ctx.publicIps;
  if (ips.length === 0) return unknown(`${h} has SPF "${spf[0]}", but the public address is unknown (${ctx.publicIpNote})`, 'Set the public IP address or an echo URL in the settings', { current: spf.join(' | ') });
  for (const ip of ips) {
    const r = await evaluateSpf(ctx.resolver, h, ip);
    if (r.result === 'pass') continue;
    if (r.result === 'temperror') return unknown(`could not evaluate the SPF of ${h}: ${r.reason}`, 'Run the check again later', { current: spf.join(' | ') });
    return fail(`the SPF of ${h} gives "${r.result}" for ${ip} (${r.reason})`, `Replace it with ${expectedRecord} at your DNS host`, { current: spf.join(' | '), expected: expectedRecord });
  }
  return ok(`the SPF of ${h} authorises ${ips.join(', ')}`, { current: spf.join(' | ') });
}

async function ptrCheck(ctx: CheckContext, family: 4 | 6): Promise<Outcome> {
  const ip = family === 4 ? ctx.ipv4 : ctx.ipv6;
  const h = ctx.hostname;
  if (ctx.smarthost) return ok(`not needed for sending: outgoing mail leaves through ${ctx.smarthost.host}, whose operator sets its reverse DNS`);
  if (!ip) return unknown(`this box's public IPv${family} is unknown (${ctx.publicIpNote})`, 'Set the public IP address or an echo URL in the settings');
  const where = 'in your router or ISP portal (many ISPs need a support ticket); if your ISP cannot do it, send through a smarthost (relay) instead';
  const lookup = await ctx.resolver.ptr(ip);
  const names = recordsOf(lookup);
  if (names === null) return lookupFailed(`PTR ${ip}`, lookup);
  if (names.length === 0) {
    if (family === 6 && ctx.config.ipv6Sending === false) return ok(`${ip} has no reverse DNS, and the box sends over IPv4 only`);
    const v6Hint = family === 6 ? '; or send over IPv4 only (large providers reject IPv6 mail without PTR)' : '';
    return fail(`${ip} has no reverse DNS (PTR); many receivers reject or junk mail from it`, `Ask for reverse DNS of ${ip} set to ${h} ${where}${v6Hint}`, { expected: h });
  }
  const canonical = names.map((n) => n.toLowerCase().replace(/\.$/, ''));
  const confirms = async (name: string): Promise<boolean | null> => {
    const fwd = family === 4 ? await ctx.resolver.a(name) : await ctx.resolver.aaaa(name);
    const addrs = recordsOf(fwd);
    return addrs === null ? null : addrs.some((a) => sameIp(a, ip));
  };
  const current = canonical.join(', ');
  if (canonical.includes(h)) {
    const fc = await confirms(h);
    if (fc === null) return unknown(`${ip} points to ${h}, but the forward lookup of ${h} did not answer`, 'Run the check again later', { current });
    if (fc) return ok(`${ip} points to ${h}, which points back`, { current });
    return fail(`${ip} points to ${h}, but ${h} does not point back to ${ip}`, `Set "${h}. ${family === 4 ? 'A' : 'AAAA'} ${ip}" at your DNS host`, { current });
  }
  const fc = await confirms(canonical[0] as string);
  if (fc) return warn(`${ip} points to ${current}, which points back, but it is not the box's name ${h}`, `Ask for reverse DNS of ${ip} set to ${h} ${where}, or set the box's host name to ${canonical[0]}`, { current, expected: h });
  return fail(`${ip} points to ${current}, not to ${h} (receivers see a generic or foreign name)`, `Ask for reverse DNS of ${ip} set to ${h} ${where}`, { current, expected: h });
}
