import { ipFamily, ipInNetwork } from './ip-address.js';
import { isSpfRecord, LOOKUP_TERMS, parseSpf, type SpfMechanism, type SpfTerm } from './spf-parse.js';
import type { DnsResolver, Lookup } from './types.js';

/** Results of check_host() (RFC 7208 §2.6), plus `unsupported` when the record uses macros we do not expand. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror' | 'unsupported';

/** What an evaluation found and why. */
export interface SpfEvaluation {
  result: SpfResult;
  /** The record, term or lookup that decided the result. */
  reason: string;
}

/** Limits of RFC 7208 §4.6.4. */
const MAX_LOOKUPS = 10;
const MAX_VOID_LOOKUPS = 2;
const MAX_MX_NAMES = 10;

interface State {
  resolver: DnsResolver;
  ip: string;
  lookups: number;
  voids: number;
}

class Abort extends Error {
  constructor(readonly evaluation: SpfEvaluation) {
    super(evaluation.reason);
  }
}

/**
 * Evaluates the SPF policy of `domain` for a sending `ip` as a receiver
 * would (RFC 7208 §4): follows include/redirect, resolves a/mx (A or AAAA by
 * the address family), enforces the 10-lookup and 2-void-lookup limits.
 * `ptr` never matches (deprecated, §5.5) and macros are not expanded
 * (`unsupported`). A failed lookup gives `temperror`. Never rejects.
 */
export async function evaluateSpf(resolver: DnsResolver, domain: string, ip: string): Promise<SpfEvaluation> {
  const state: State = { resolver, ip, lookups: 0, voids: 0 };
  try {
    return await checkHost(state, domain, 0);
  } catch (err) {
    if (err instanceof Abort) return err.evaluation;
    throw err;
  }
}

async function fetchRecord(state: State, domain: string): Promise<{ terms: SpfTerm[]; text: string } | SpfEvaluation> {
  const txt = await state.resolver.txt(domain);
  if (txt.kind === 'failed') return { result: 'temperror', reason: `TXT ${domain}: ${txt.failure}` };
  const records = txt.kind === 'found' ? txt.records.filter(isSpfRecord) : [];
  if (records.length === 0) return { result: 'none', reason: `no SPF record at ${domain}` };
  if (records.length > 1) return { result: 'permerror', reason: `${records.length} SPF records at ${domain}` };
  const text = records[0] as string;
  const parsed = parseSpf(text);
  if (!parsed.ok) return { result: 'permerror', reason: `${domain}: ${parsed.error} in "${parsed.term}"` };
  if (parsed.hasMacros) return { result: 'unsupported', reason: `${domain} uses SPF macros` };
  return { terms: parsed.terms, text };
}

async function checkHost(state: State, domain: string, depth: number): Promise<SpfEvaluation> {
  const record = await fetchRecord(state, domain);
  if ('result' in record) return record;
  for (const term of record.terms) {
    if (term.kind !== 'mechanism') continue;
    if (await matchMechanism(state, term, domain, depth)) return { result: qualifierResult(term.qualifier), reason: `${domain}: "${term.text}" matched` };
  }
  const redirect = record.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');
  if (redirect) {
    countLookup(state, redirect.text);
    const sub = await checkHost(state, redirect.value, depth + 1);
    if (sub.result === 'none') return { result: 'permerror', reason: `redirect to ${redirect.value}, which has no SPF record` };
    return sub;
  }
  return { result: 'neutral', reason: `${domain}: no term matched and there is no "all"` };
}

function qualifierResult(q: SpfMechanism['qualifier']): SpfResult {
  return q === '+' ? 'pass' : q === '-' ? 'fail' : q === '~' ? 'softfail' : 'neutral';
}

function countLookup(state: State, term: string): void {
  state.lookups++;
  if (state.lookups > MAX_LOOKUPS) throw new Abort({ result: 'permerror', reason: `more than ${MAX_LOOKUPS} DNS lookups (at "${term}")` });
}

/** Returns an answer's records, [] for a void answer (counted), or aborts with temperror. */
function records<T>(state: State, lookup: Lookup<T>, what: string): T[] {
  if (lookup.kind === 'failed') throw new Abort({ result: 'temperror', reason: `${what}: ${lookup.failure}` });
  if (lookup.kind === 'found') return lookup.records;
  state.voids++;
  if (state.voids > MAX_VOID_LOOKUPS) throw new Abort({ result: 'permerror', reason: `more than ${MAX_VOID_LOOKUPS} lookups found nothing (at ${what})` });
  return [];
}

async function addressesOf(state: State, name: string): Promise<string[]> {
  const family = ipFamily(state.ip);
  const lookup = family === 6 ? await state.resolver.aaaa(name) : await state.resolver.a(name);
  return records(state, lookup, `${family === 6 ? 'AAAA' : 'A'} ${name}`);
}

function inAny(state: State, addresses: string[], mech: SpfMechanism): boolean {
  const prefix = ipFamily(state.ip) === 6 ? (mech.cidr6 ?? 128) : (mech.cidr4 ?? 32);
  return addresses.some((addr) => ipInNetwork(state.ip, addr, prefix));
}

/** Whether the mechanism matches the sending address (RFC 7208 §5); aborts on errors and limits. */
async function matchMechanism(state: State, mech: SpfMechanism, domain: string, depth: number): Promise<boolean> {
  const target = mech.value || domain;
  switch (mech.name) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6': {
      const prefix = mech.name === 'ip4' ? (mech.cidr4 ?? 32) : (mech.cidr6 ?? 128);
      return ipInNetwork(state.ip, mech.value, prefix);
    }
    case 'a':
      countLookup(state, mech.text);
      return inAny(state, await addressesOf(state, target), mech);
    case 'mx': {
      countLookup(state, mech.text);
      const mx = records(state, await state.resolver.mx(target), `MX ${target}`).filter((r) => r.exchange !== '');
      if (mx.length > MAX_MX_NAMES) throw new Abort({ result: 'permerror', reason: `${target} has more than ${MAX_MX_NAMES} MX names` });
      for (const r of mx) if (inAny(state, await addressesOf(state, r.exchange), mech)) return true;
      return false;
    }
    case 'ptr':
      countLookup(state, mech.text);
      return false;
    case 'exists':
      countLookup(state, mech.text);
      return records(state, await state.resolver.a(target), `A ${target}`).length > 0;
    case 'include': {
      countLookup(state, mech.text);
      if (depth >= MAX_LOOKUPS) throw new Abort({ result: 'permerror', reason: 'include loop' });
      const sub = await checkHost(state, target, depth + 1);
      if (sub.result === 'pass') return true;
      if (sub.result === 'fail' || sub.result === 'softfail' || sub.result === 'neutral') return false;
      // RFC 7208 §5.2: none → permerror; temperror/permerror propagate.
      throw new Abort(sub.result === 'none' ? { result: 'permerror', reason: `include:${target} has no SPF record` } : sub);
    }
  }
}

/** How many lookup-costing terms the whole include/redirect tree of `domain` holds. */
export interface SpfLookupCount {
  count: number;
  /** Set when part of the tree could not be fetched (the count is then a lower bound). */
  failed?: string;
}

/**
 * Counts the DNS-querying terms of `domain`'s SPF record and everything it
 * includes or redirects to, whether or not an evaluation would reach them
 * (internet.nl's rule: the limit of 10 must hold on every path, RFC 7208
 * §4.6.4). Stops at depth 10 or beyond 30 terms. Never rejects.
 */
export async function countSpfLookups(resolver: DnsResolver, domain: string): Promise<SpfLookupCount> {
  const result: SpfLookupCount = { count: 0 };
  const walk = async (name: string, depth: number): Promise<void> => {
    if (depth > MAX_LOOKUPS || result.count > 30 || result.failed) return;
    const txt = await resolver.txt(name);
    if (txt.kind === 'failed') {
      result.failed = `TXT ${name}: ${txt.failure}`;
      return;
    }
    const record = txt.kind === 'found' ? txt.records.filter(isSpfRecord) : [];
    if (record.length !== 1) return;
    const parsed = parseSpf(record[0] as string);
    if (!parsed.ok) return;
    for (const term of parsed.terms) {
      if (!LOOKUP_TERMS.has(term.name)) continue;
      result.count++;
      if ((term.name === 'include' || term.name === 'redirect') && !term.value.includes('%')) await walk(term.value, depth + 1);
    }
  };
  await walk(domain, 0);
  return result;
}
