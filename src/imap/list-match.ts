/**
 * LIST pattern matching (RFC 3501 §6.3.8): `*` matches anything, `%`
 * anything but the hierarchy separator. Runs of wildcards collapse first (a
 * run with a `*` is one `*`, a run of `%` is one `%`), and matching is a
 * dynamic programme over (pattern position, name position): O(|p|·|n|)
 * time and O(|p|) memory for any input — never backtracking, never a regular
 * expression built from client input (Dovecot CVE-2026-33607, T44).
 */
import { SEPARATOR } from './mailbox-rules.js';

/** Collapses wildcard runs (see the file comment). */
export function simplifyPattern(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c !== '*' && c !== '%') {
      out += c;
      i++;
      continue;
    }
    let star = false;
    while (i < pattern.length && (pattern[i] === '*' || pattern[i] === '%')) {
      if (pattern[i] === '*') star = true;
      i++;
    }
    out += star ? '*' : '%';
  }
  return out;
}

/** True when `name` matches the (simplified) pattern. INBOX matching is case-insensitive for the first level. */
export function matchPattern(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const n = Array.from(name);
  // Every literal of the pattern takes one character of the name: a pattern with more literals
  // than the name has characters cannot match, which settles long hostile patterns at once.
  let literals = 0;
  for (const c of p) if (c !== '*' && c !== '%') literals++;
  if (literals > n.length) return false;
  // reach[j]: pattern prefix of length j matches the name prefix read so far.
  let reach = new Uint8Array(p.length + 1);
  reach[0] = 1;
  const closeStars = (r: Uint8Array): void => {
    for (let j = 0; j < p.length; j++) if (r[j] && (p[j] === '*' || p[j] === '%')) r[j + 1] = 1;
  };
  closeStars(reach);
  for (const ch of n) {
    const next = new Uint8Array(p.length + 1);
    for (let j = 0; j < p.length; j++) {
      if (!reach[j]) continue;
      const pc = p[j] as string;
      if (pc === '*') next[j] = 1;
      else if (pc === '%') {
        if (ch !== SEPARATOR) next[j] = 1;
      } else if (pc === ch) next[j + 1] = 1;
    }
    closeStars(next);
    reach = next;
  }
  return reach[p.length] === 1;
}

/** Joins LIST's reference and pattern (RFC 3501 §6.3.8) and simplifies it. */
export function fullPattern(reference: string, pattern: string): string {
  let joined = reference.length === 0 ? pattern : reference.endsWith(SEPARATOR) || pattern.startsWith(SEPARATOR) ? reference + pattern : `${reference}${SEPARATOR}${pattern}`;
  // INBOX is case-insensitive: fold a leading "inbox" level of the pattern.
  if (/^inbox(?=$|\/)/i.test(joined)) joined = `INBOX${joined.slice(5)}`;
  return simplifyPattern(joined);
}
