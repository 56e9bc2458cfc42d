import { isIPv4, isIPv6 } from 'node:net';

/** A mechanism of an SPF record (RFC 7208 §5). */
export interface SpfMechanism {
  kind: 'mechanism';
  qualifier: '+' | '-' | '~' | '?';
  name: 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';
  /** Domain spec (a, mx, ptr, include, exists) or address (ip4, ip6); '' when absent. */
  value: string;
  cidr4?: number;
  cidr6?: number;
  /** The term as written, for messages. */
  text: string;
}

/** A modifier (RFC 7208 §6): redirect, exp, or an unknown one (ignored by evaluators). */
export interface SpfModifier {
  kind: 'modifier';
  name: string;
  value: string;
  text: string;
}

export type SpfTerm = SpfMechanism | SpfModifier;

/** A parsed record: terms, or the first syntax error (a permerror, RFC 7208 §4.6). */
export type SpfParse = { ok: true; terms: SpfTerm[]; hasMacros: boolean } | { ok: false; error: string; term: string };

/** Mechanisms that cost a DNS lookup toward the limit of 10 (RFC 7208 §4.6.4), plus `redirect`. */
export const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

/** True when a TXT string is an SPF record: `v=spf1` then a space or the end (RFC 7208 §4.5). */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

const MECHANISMS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
// A domain-spec: labels, possibly with macros; a loose check that still catches the common typos.
const DOMAIN_SPEC = /^(%\{[slodiphcrtv]\d*r?[-.+,/_=]*\}|%%|%_|%-|[\x21-\x24\x26-\x7e])+$/i;

/**
 * Parses an SPF record text (`v=spf1 …`) into terms, following the grammar
 * of RFC 7208 §4.6.1 / §12. Reports the first bad term: unknown mechanism,
 * bad ip4/ip6 address or prefix, missing domain for include/exists,
 * `redirect`/`exp` given twice. Pure; never throws.
 */
export function parseSpf(record: string): SpfParse {
  const words = record.trim().split(/ +/);
  if (!isSpfRecord(record)) return { ok: false, error: 'does not start with v=spf1', term: words[0] ?? '' };
  const terms: SpfTerm[] = [];
  const seenModifiers = new Set<string>();
  let hasMacros = false;
  for (const word of words.slice(1)) {
    if (word === '') continue;
    if (word.includes('%')) hasMacros = true;
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(word);
    if (modifier) {
      const name = (modifier[1] as string).toLowerCase();
      const value = modifier[2] as string;
      if ((name === 'redirect' || name === 'exp') && seenModifiers.has(name)) return { ok: false, error: `${name}= appears twice`, term: word };
      if ((name === 'redirect' || name === 'exp') && !DOMAIN_SPEC.test(value)) return { ok: false, error: `${name}= needs a domain`, term: word };
      seenModifiers.add(name);
      terms.push({ kind: 'modifier', name, value, text: word });
      continue;
    }
    const m = /^([+\-~?]?)([a-z0-9]+)(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(word);
    const name = m?.[2]?.toLowerCase() ?? '';
    if (!m || !MECHANISMS.has(name)) return { ok: false, error: 'unknown mechanism', term: word };
    const qualifier = (m[1] || '+') as SpfMechanism['qualifier'];
    const value = m[3] ?? '';
    const cidrA = m[4] !== undefined ? Number(m[4]) : undefined;
    const cidrB = m[5] !== undefined ? Number(m[5]) : undefined;
    const mech: SpfMechanism = { kind: 'mechanism', qualifier, name: name as SpfMechanism['name'], value, text: word };
    const error = checkMechanism(mech, m[3] !== undefined, cidrA, cidrB);
    if (error) return { ok: false, error, term: word };
    terms.push(mech);
  }
  return { ok: true, terms, hasMacros };
}

function checkMechanism(mech: SpfMechanism, hasColon: boolean, cidrA: number | undefined, cidrB: number | undefined): string | null {
  switch (mech.name) {
    case 'all':
      return hasColon || cidrA !== undefined ? 'all takes no argument' : null;
    case 'ip4':
      if (!isIPv4(mech.value)) return 'ip4: needs an IPv4 address';
      if (cidrB !== undefined || (cidrA !== undefined && cidrA > 32)) return 'ip4 prefix must be 0-32';
      if (cidrA !== undefined) mech.cidr4 = cidrA;
      return null;
    case 'ip6':
      // "ip6:2001:db8::/32": the regex split at the first colon only; re-check the whole value.
      if (!isIPv6(mech.value)) return 'ip6: needs an IPv6 address';
      if (cidrB !== undefined || (cidrA !== undefined && cidrA > 128)) return 'ip6 prefix must be 0-128';
      if (cidrA !== undefined) mech.cidr6 = cidrA;
      return null;
    case 'include':
    case 'exists':
      if (!hasColon || mech.value === '' || !DOMAIN_SPEC.test(mech.value)) return `${mech.name}: needs a domain`;
      return cidrA !== undefined ? `${mech.name} takes no prefix` : null;
    default:
      if (hasColon && (mech.value === '' || !DOMAIN_SPEC.test(mech.value))) return `${mech.name}: has an empty or bad domain`;
      if (mech.name === 'ptr' && cidrA !== undefined) return 'ptr takes no prefix';
      if (cidrA !== undefined && cidrA > 32) return 'IPv4 prefix must be 0-32';
      if (cidrB !== undefined && cidrB > 128) return 'IPv6 prefix must be 0-128';
      if (cidrA !== undefined) mech.cidr4 = cidrA;
      if (cidrB !== undefined) mech.cidr6 = cidrB;
      return null;
  }
}

/** The final `all` mechanism's qualifier, or null when the record has none. */
export function allQualifier(terms: readonly SpfTerm[]): SpfMechanism['qualifier'] | null {
  const all = terms.find((t): t is SpfMechanism => t.kind === 'mechanism' && t.name === 'all');
  return all ? all.qualifier : null;
}
