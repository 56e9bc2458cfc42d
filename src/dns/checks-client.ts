import { sameIp } from './ip-address.js';
import { expectedTlsRpt, parseTagList } from './record-values.js';
import { canonicalName, fail, line, lookupFailed, ok, recordsOf, unknown, warn, worstStatus, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult, CheckStatus, ClientServicePorts } from './types.js';

/** MTA-STS announcement (RFC 8461 §3.1): optional; when present it must be valid and its policy host must exist. */
export async function mtaStsCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const name = `_mta-sts.${domain}`;
  const head = { id: 'mta-sts', subject: name, domain, title: 'MTA-STS', importance: 'optional' as const };
  const lookup = await ctx.resolver.txt(name);
  const records = recordsOf(lookup);
  if (records === null) return line(head, lookupFailed(`TXT ${name}`, lookup));
  const sts = records.filter((r) => /^v=STSv1\s*(;|$)/.test(r));
  if (sts.length === 0) return line(head, warn('no MTA-STS record: senders cannot insist on encrypted delivery to this domain', `Optional: serve the policy at https://mta-sts.${domain}/.well-known/mta-sts.txt first, then add: ${name}. TXT "v=STSv1; id=<date, e.g. 20250101>"`));
  const current = sts.join(' | ');
  if (sts.length > 1) return line(head, fail(`${sts.length} MTA-STS records: senders then ignore MTA-STS (RFC 8461 §3.1)`, 'Keep one record at your DNS host', { current }));
  const { tags, bad, duplicate } = parseTagList(sts[0] as string);
  const id = tags.get('id');
  if (bad !== undefined || duplicate !== undefined || !id || !/^[A-Za-z0-9]{1,32}$/.test(id)) {
    return line(head, fail('the MTA-STS record is malformed: it needs "id=" with 1 to 32 letters and digits', `Replace it with: ${name}. TXT "v=STSv1; id=20250101" (change the id whenever the policy changes)`, { current }));
  }
  const policyHost = `mta-sts.${domain}`;
  const [a, cname] = await Promise.all([ctx.resolver.a(policyHost), ctx.resolver.cname(policyHost)]);
  const addrs = recordsOf(a);
  const alias = recordsOf(cname);
  if (addrs === null || alias === null) return line(head, unknown(`could not look up the policy host ${policyHost}`, 'Run the check again later', { current }));
  if (addrs.length === 0 && alias.length === 0) {
    return line(head, fail(`MTA-STS is announced, but ${policyHost} does not exist, so senders cannot fetch the policy`, `Add "${policyHost}. CNAME ${ctx.hostname}." and serve the policy file there, or remove the ${name} record`, { current }));
  }
  return line(head, ok(`MTA-STS is announced (id=${id}); the policy file itself is not fetched by this check`, { current }));
}

/** TLS reporting (RFC 8460 §3): optional; when present it must name a mailto: or https: receiver. */
export async function tlsRptCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const name = `_smtp._tls.${domain}`;
  const head = { id: 'tls-rpt', subject: name, domain, title: 'TLS reporting (TLS-RPT)', importance: 'optional' as const };
  const want = `${name}. TXT "${expectedTlsRpt(domain)}"`;
  const lookup = await ctx.resolver.txt(name);
  const records = recordsOf(lookup);
  if (records === null) return line(head, lookupFailed(`TXT ${name}`, lookup));
  const rpt = records.filter((r) => /^v=TLSRPTv1\s*(;|$)/.test(r));
  if (rpt.length === 0) return line(head, warn('no TLS-RPT record: you will not hear about senders that fail to reach the box securely', `Optional: add ${want}`, { expected: want }));
  const current = rpt.join(' | ');
  if (rpt.length > 1) return line(head, fail(`${rpt.length} TLS-RPT records: senders then send no reports (RFC 8460 §3)`, `Keep one: ${want}`, { current, expected: want }));
  const { tags, bad, duplicate } = parseTagList(rpt[0] as string);
  const rua = tags.get('rua');
  const valid = bad === undefined && duplicate === undefined && rua !== undefined && rua.split(',').every((u) => /^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/i.test(u.trim()));
  if (!valid) return line(head, fail('the TLS-RPT record is malformed: it needs rua= with mailto: or https: addresses', `Replace it with ${want}`, { current, expected: want }));
  return line(head, ok(`TLS reports go to ${rua}`, { current }));
}

const SRV_NAMES: (keyof ClientServicePorts)[] = ['submissions', 'submission', 'imaps', 'imap', 'pop3s', 'pop3'];

/** Client SRV records (RFC 6186 §3, RFC 8314 §5.1): each offered service points to the host and port; others say "0 0 0 .". */
export async function srvCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const head = { id: 'srv', subject: domain, domain, title: 'Client setup records (SRV)', importance: 'optional' as const };
  const results = await Promise.all(SRV_NAMES.map(async (service) => srvOne(ctx, domain, service)));
  const failed = results.find((r) => r.status === 'UNKNOWN');
  if (failed) return line(head, unknown(failed.text, 'Run the check again later'));
  const problems = results.filter((r) => r.status !== 'OK');
  const current = results.map((r) => r.current).join('; ');
  if (problems.length === 0) return line(head, ok('mail programs can find every service by SRV record', { current }));
  const status = worstStatus(problems.map((p) => p.status));
  const outcome: Outcome = { status, finding: problems.map((p) => p.text).join('; '), fix: `At your DNS host: ${problems.map((p) => p.fix).join('; ')}`, current };
  return line(head, outcome);
}

interface SrvVerdict {
  status: CheckStatus;
  text: string;
  fix: string;
  current: string;
}

async function srvOne(ctx: CheckContext, domain: string, service: keyof ClientServicePorts): Promise<SrvVerdict> {
  const name = `_${service}._tcp.${domain}`;
  const port = ctx.services[service];
  const want = port === false ? `${name}. SRV 0 0 0 .` : `${name}. SRV 0 1 ${port} ${ctx.hostname}.`;
  const lookup = await ctx.resolver.srv(name);
  const records = recordsOf(lookup);
  if (records === null) return { status: 'UNKNOWN', text: `could not determine: SRV ${name} got ${(lookup as { failure: string }).failure}`, fix: '', current: '' };
  const current = `${name}: ${records.map((r) => `${r.priority} ${r.weight} ${r.port} ${r.target || '.'}`).join(', ') || 'none'}`;
  const isNull = (r: { target: string }): boolean => r.target === '' || r.target === '.';
  if (port === false) {
    if (records.every(isNull)) return { status: 'OK', text: '', fix: '', current };
    return { status: 'FAIL', text: `${name} advertises a service this box does not offer`, fix: `replace it with "${want}"`, current };
  }
  if (records.length === 0) return { status: 'WARN', text: `${name} is missing`, fix: `add "${want}"`, current };
  if (records.some((r) => canonicalName(r.target) === ctx.hostname && r.port === port)) return { status: 'OK', text: '', fix: '', current };
  if (records.every(isNull)) return { status: 'WARN', text: `${name} says the service is not offered, but the box offers it on port ${port}`, fix: `replace it with "${want}"`, current };
  return { status: 'FAIL', text: `${name} points mail programs to the wrong host or port`, fix: `replace it with "${want}"`, current };
}

/** `autoconfig.D` (Thunderbird-style autoconfiguration) resolves to this box: optional. */
export async function autoconfigCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const name = `autoconfig.${domain}`;
  const head = { id: 'autoconfig', subject: name, domain, title: 'Mail program autoconfiguration name', importance: 'optional' as const };
  const want = `${name}. CNAME ${ctx.hostname}.`;
  const cname = await ctx.resolver.cname(name);
  const alias = recordsOf(cname);
  if (alias === null) return line(head, lookupFailed(`CNAME ${name}`, cname));
  if (alias.length > 0) {
    const target = canonicalName(alias[0] as string);
    if (target === ctx.hostname) return line(head, ok(`${name} is an alias of ${ctx.hostname}`, { current: `CNAME ${target}` }));
  }
  const a = await ctx.resolver.a(name);
  const addrs = recordsOf(a);
  if (addrs === null) return line(head, lookupFailed(`A ${name}`, a));
  const current = alias.length > 0 ? `CNAME ${alias[0]}` : addrs.join(', ') || undefined;
  if (addrs.length === 0) return line(head, warn(`${name} does not exist, so mail programs cannot configure themselves`, `Optional: add "${want}" at your DNS host`, { expected: want }));
  if (ctx.publicIps.length === 0) return line(head, unknown(`${name} has ${addrs.join(', ')}; this box's public address is unknown (${ctx.publicIpNote})`, 'Set the public IP address in the settings', { current, expected: want }));
  if (addrs.some((x) => ctx.publicIps.some((ip) => sameIp(ip, x)))) return line(head, ok(`${name} points to this box`, { current: current ?? '' }));
  return line(head, fail(`${name} points to ${current}, not to this box: mail programs get someone else's settings`, `Replace it with "${want}" at your DNS host`, { current: current ?? '', expected: want }));
}

/** CAA (RFC 8659 §3): the closest CAA set above the domain must allow the CA that issues our certificates. */
export async function caaCheck(ctx: CheckContext, domain: string): Promise<CheckResult> {
  const head = { id: 'caa', subject: domain, domain, title: 'Certificate authority authorisation (CAA)', importance: 'optional' as const };
  const issuer = ctx.config.caaIssuer?.toLowerCase();
  const labels = domain.split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const name = labels.slice(i).join('.');
    const lookup = await ctx.resolver.caa(name);
    const records = recordsOf(lookup);
    if (records === null) return line(head, lookupFailed(`CAA ${name}`, lookup));
    if (records.length === 0) continue;
    const current = records.map((r) => `${r.critical} ${r.tag} "${r.value}"`).join(', ');
    const issuers = records.filter((r) => r.tag.toLowerCase() === 'issue').map((r) => (r.value.split(';')[0] ?? '').trim().toLowerCase());
    if (issuers.length === 0) return line(head, ok(`CAA at ${name} does not restrict which CA may issue`, { current }));
    if (!issuer) return line(head, ok(`CAA at ${name} allows ${issuers.filter((x) => x !== '').join(', ') || 'no CA'}`, { current }));
    if (issuers.includes(issuer)) return line(head, ok(`CAA at ${name} allows ${issuer}, which issues the box's certificates`, { current }));
    return line(head, fail(`CAA at ${name} allows only ${issuers.filter((x) => x !== '').join(', ') || 'no CA'}, so ${issuer} will refuse to renew the box's certificate`, `Add at your DNS host: ${name}. CAA 0 issue "${issuer}"`, { current, expected: `0 issue "${issuer}"` }));
  }
  if (issuer) return line(head, warn('no CAA record: any certificate authority may issue certificates for the domain', `Recommended: add at your DNS host: ${domain}. CAA 0 issue "${issuer}"`, { expected: `0 issue "${issuer}"` }));
  return line(head, ok('no CAA record; no public certificate authority is configured, so none is needed'));
}
