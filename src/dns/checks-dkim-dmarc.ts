import { dkimKeyFromDns, dkimKeyInfo, expectedDkim, expectedDmarc, parseTagList, quoteTxt, type DkimKeyInfo } from './record-values.js';
import { canonicalName, fail, line, lookupFailed, ok, recordsOf, warn, type CheckContext, type Outcome } from './check-context.js';
import type { CheckResult } from './types.js';

/**
 * DKIM of one domain (spec table D, RFC 6376 §3.6): our selector's record
 * exists, its key equals our signing key, the key is strong enough, no
 * testing flag or SHA-1-only restriction. With `role` `pending`, the same
 * for a new key made by rotation that does not sign yet: the owner lets it
 * sign once this check is green.
 */
export async function dkimCheck(ctx: CheckContext, domain: string, role: 'signing' | 'pending' = 'signing'): Promise<CheckResult> {
  const dkim = ctx.config.dkim;
  const head = role === 'signing'
    ? { id: 'dkim', subject: dkim ? `${dkim.selector}._domainkey.${domain}` : domain, domain, title: 'DKIM key', importance: 'required' as const }
    : { id: 'dkim-pending', subject: dkim ? `${dkim.selector}._domainkey.${domain}` : domain, domain, title: 'New DKIM key (waiting to sign)', importance: 'recommended' as const };
  if (!dkim) return line(head, warn('DKIM signing is not set up, so receivers cannot verify mail from this domain (and DMARC relies on SPF alone)', 'Turn on DKIM signing in the settings, then publish the record it shows'));
  let ours: DkimKeyInfo;
  try {
    ours = dkimKeyInfo(dkim);
  } catch (err) {
    return line(head, fail(`the configured DKIM key cannot be read: ${(err as Error).message}`, 'Generate a new DKIM key in the settings'));
  }
  return line(head, await dkimOutcome(ctx, head.subject, ours, `${head.subject}. TXT ${quoteTxt(expectedDkim(dkim))}`));
}

async function dkimOutcome(ctx: CheckContext, name: string, ours: DkimKeyInfo, want: string): Promise<Outcome> {
  const publish = `Add ${want} at your DNS host (one value: if your DNS panel has a single field, paste the parts joined without the quotes)`;
  const lookup = await ctx.resolver.txt(name);
  const records = recordsOf(lookup);
  if (records === null) return lookupFailed(`TXT ${name}`, lookup);
  const dkim = records.filter((r) => /^\s*v\s*=\s*DKIM1\s*(;|$)/i.test(r) || /(^|;)\s*p\s*=/i.test(r));
  if (dkim.length === 0) return fail(`no DKIM record at ${name}, so receivers cannot verify the box's signatures`, publish, { expected: want });
  const current = dkim.join(' | ');
  if (dkim.length > 1) return fail(`${dkim.length} DKIM records at ${name}; verifiers may pick the wrong one`, `Keep only ${want}`, { current, expected: want });
  const { tags, duplicate, bad } = parseTagList(dkim[0] as string);
  if (bad !== undefined || duplicate !== undefined) return fail(`the DKIM record is malformed at "${bad ?? duplicate}"`, `Replace it with ${want}`, { current, expected: want });
  const v = tags.get('v');
  if (v !== undefined && v !== 'DKIM1') return fail(`the DKIM record has v=${v}; it must be DKIM1`, `Replace it with ${want}`, { current, expected: want });
  const p = (tags.get('p') ?? '').replace(/\s+/g, '');
  if (p === '') return fail('the DKIM record has an empty key (p=): the key is revoked', `Replace it with ${want}`, { current, expected: want });
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  let theirs: DkimKeyInfo;
  try {
    theirs = dkimKeyFromDns(keyType, p);
  } catch {
    return fail('the key in the DKIM record cannot be decoded (a character lost when pasting?)', `Replace it with ${want}`, { current, expected: want });
  }
  if (theirs.keyType !== ours.keyType || theirs.p !== ours.p) {
    return fail('the DKIM record holds a different key than the one the box signs with (an old key?): signatures will not verify', `Replace the value with ${want}`, { current, expected: want });
  }
  const hashes = tags.get('h')?.split(':').map((h) => h.trim().toLowerCase());
  if (hashes && !hashes.includes('sha256')) return fail(`the DKIM record allows only ${hashes.join(', ')}; the box signs with SHA-256 (RFC 8301)`, `Remove the h= tag: ${want}`, { current, expected: want });
  if (ours.keyType === 'rsa' && ours.bits < 1024) return fail(`the DKIM key has ${ours.bits} bits; receivers ignore keys under 1024 bits (RFC 8301)`, 'Generate a 2048-bit key in the settings, publish its record under a new selector, then switch', { current });
  if (ours.keyType === 'rsa' && ours.bits < 2048) return warn(`the DKIM key has ${ours.bits} bits; 2048 is the current norm`, 'Generate a 2048-bit key in the settings, publish its record under a new selector, then switch', { current });
  const flags = tags.get('t')?.split(':').map((t) => t.trim().toLowerCase()) ?? [];
  if (flags.includes('y')) return warn('the DKIM record has t=y (testing): receivers treat signatures as unverified', `Remove "t=y" when you are done testing: ${want}`, { current, expected: want });
  return ok(`the DKIM record matches the signing key (${ours.keyType === 'rsa' ? `RSA ${ours.bits} bits` : 'Ed25519'})`, { current });
}

const DMARC_TAGS = new Set(['v', 'p', 'sp', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri', 'np', 'psd', 't']);
const POLICIES = new Set(['none', 'quarantine', 'reject']);

/**
 * DMARC of one domain (spec table E, RFC 7489 §6): `dmarc` (one valid
 * record, or inherited from the parent domain), `dmarc-policy` (quarantine
 * or reject), `dmarc-reports` (rua present; an external receiver has
 * authorised it, RFC 7489 §7.1).
 */
export async function dmarcChecks(ctx: CheckContext, domain: string): Promise<CheckResult[]> {
  const head = (id: string, title: string, importance: 'required' | 'recommended'): { id: string; subject: string; domain: string; title: string; importance: 'required' | 'recommended' } => ({ id, subject: `_dmarc.${domain}`, domain, title, importance });
  const want = `_dmarc.${domain}. TXT "${expectedDmarc(domain)}"`;
  const name = `_dmarc.${domain}`;
  const lookup = await ctx.resolver.txt(name);
  const records = recordsOf(lookup);
  if (records === null) return [line(head('dmarc', 'DMARC record', 'required'), lookupFailed(`TXT ${name}`, lookup))];
  const dmarc = records.filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(r));
  if (dmarc.length === 0) {
    const parent = domain.split('.').slice(1).join('.');
    if (parent.includes('.')) {
      const inherited = recordsOf(await ctx.resolver.txt(`_dmarc.${parent}`))?.filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(r)) ?? [];
      if (inherited.length === 1) return [line(head('dmarc', 'DMARC record', 'required'), warn(`${domain} has no DMARC record of its own and inherits the one of ${parent}`, `Add ${want} at your DNS host if ${domain} should have its own policy`, { current: inherited[0] as string, expected: want }))];
    }
    return [line(head('dmarc', 'DMARC record', 'required'), fail(`${domain} has no DMARC record; large providers expect one, and forged mail from the domain goes unchecked`, `Add ${want} at your DNS host (use p=none first if other services also send mail as ${domain})`, { expected: want }))];
  }
  const current = dmarc.join(' | ');
  if (dmarc.length > 1) return [line(head('dmarc', 'DMARC record', 'required'), fail(`${domain} has ${dmarc.length} DMARC records; receivers then ignore DMARC (RFC 7489 §6.6.3)`, `Keep only one, e.g. ${want}`, { current, expected: want }))];
  const { tags, duplicate, bad } = parseTagList(dmarc[0] as string);
  const unknownTag = [...tags.keys()].find((t) => !DMARC_TAGS.has(t));
  const p = tags.get('p')?.toLowerCase();
  const sp = tags.get('sp')?.toLowerCase();
  const pct = tags.get('pct');
  const syntax = bad !== undefined ? `"${bad}" is not a tag=value pair` : duplicate ? `the tag ${duplicate} appears twice` : unknownTag ? `unknown tag "${unknownTag}"` : p === undefined ? 'the required p= tag is missing' : !POLICIES.has(p) ? `p=${p} is not none, quarantine or reject` : sp !== undefined && !POLICIES.has(sp) ? `sp=${sp} is not none, quarantine or reject` : pct !== undefined && !/^(100|[1-9]?\d)$/.test(pct) ? `pct=${pct} is not 0-100` : null;
  if (syntax) return [line(head('dmarc', 'DMARC record', 'required'), fail(`the DMARC record is invalid: ${syntax}`, `Correct it at your DNS host, e.g. ${want}`, { current, expected: want }))];
  return [
    line(head('dmarc', 'DMARC record', 'required'), ok(`${domain} has one valid DMARC record`, { current })),
    line(head('dmarc-policy', 'DMARC policy strength', 'recommended'), policyOutcome(p as string, sp, pct, current, want)),
    line(head('dmarc-reports', 'DMARC reports', 'recommended'), await reportsOutcome(ctx, domain, tags.get('rua'), current, want)),
  ];
}

function policyOutcome(p: string, sp: string | undefined, pct: string | undefined, current: string, want: string): Outcome {
  if (p === 'none') return warn('the DMARC policy is p=none (monitoring only): forged mail from the domain is still delivered', `After a few weeks of clean reports, change to p=quarantine (${want})`, { current, expected: want });
  if (sp === 'none') return warn('subdomains have sp=none (monitoring only)', 'Remove "sp=none" or set sp=quarantine at your DNS host', { current });
  if (pct !== undefined && pct !== '100') return warn(`the policy applies to only ${pct}% of failing mail`, 'Remove pct= (or set pct=100) at your DNS host', { current });
  return ok(`the DMARC policy is p=${p}`, { current });
}

async function reportsOutcome(ctx: CheckContext, domain: string, rua: string | undefined, current: string, want: string): Promise<Outcome> {
  if (!rua) return warn('the DMARC record asks for no aggregate reports (rua=), so you will not learn who sends as your domain', `Add "rua=mailto:postmaster@${domain}": ${want}`, { current, expected: want });
  const targets = rua.split(',').map((u) => u.trim()).filter((u) => /^mailto:/i.test(u));
  if (targets.length === 0) return warn(`rua=${rua} holds no mailto: address`, `Use "rua=mailto:postmaster@${domain}"`, { current, expected: want });
  for (const uri of targets) {
    const at = uri.lastIndexOf('@');
    const destDomain = canonicalName(uri.slice(at + 1).replace(/!.*$/, ''));
    if (at < 0 || destDomain === '') return warn(`the report address ${uri} is malformed`, `Use "rua=mailto:postmaster@${domain}"`, { current });
    if (destDomain === domain || destDomain.endsWith(`.${domain}`) || domain.endsWith(`.${destDomain}`)) continue;
    // RFC 7489 §7.1: a receiver in another domain must publish <domain>._report._dmarc.<dest>.
    const authName = `${domain}._report._dmarc.${destDomain}`;
    const auth = await ctx.resolver.txt(authName);
    const found = recordsOf(auth);
    if (found === null) return lookupFailed(`TXT ${authName}`, auth);
    if (!found.some((r) => /^v\s*=\s*DMARC1/i.test(r))) {
      return fail(`reports go to ${destDomain}, which has not agreed to receive them for ${domain}: receivers will not send them`, `The operator of ${destDomain} must publish the TXT record "v=DMARC1;" at ${authName}, or send reports to an address in ${domain}`, { current });
    }
  }
  return ok(`aggregate reports go to ${targets.join(', ')}`, { current });
}
