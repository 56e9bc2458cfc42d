/**
 * Input validation for everything the store persists: domain names, addresses,
 * mailbox names, flags and blob ids. Each function returns the canonical form
 * or throws `MailError('invalid', …)` with a message an administrator can act on.
 */
import { MailError } from '../errors.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// RFC 5322 §3.2.3 atext, minus `%` and `!` (old source-route / UUCP syntax that
// relays have been abused with) — a dot-atom of these, never a quoted string.
const ATOM = /^[a-z0-9#$&'*+\-/=?^_`{|}~]+$/;

/**
 * Canonical (lower-case) domain: LDH labels of 1–63 characters, at least two
 * labels, at most 253 characters, no trailing dot. Fails `invalid`.
 */
export function canonicalDomain(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new MailError('invalid', 'domain name is empty');
  const d = name.toLowerCase();
  if (d.length > 253) throw new MailError('invalid', `domain name is longer than 253 characters: ${d.slice(0, 40)}…`);
  if (d.endsWith('.')) throw new MailError('invalid', `domain name must not end with a dot: ${d}`);
  const labels = d.split('.');
  if (labels.length < 2) throw new MailError('invalid', `domain name needs at least two labels: ${d}`);
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw new MailError('invalid', `domain label "${label}" must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen: ${d}`);
    }
  }
  return d;
}

/** Canonical local part (lower-case dot-atom, at most 64 characters). Fails `invalid`. */
export function canonicalLocalPart(local: string): string {
  const l = local.toLowerCase();
  if (l.length === 0) throw new MailError('invalid', 'address has an empty local part');
  if (l.length > 64) throw new MailError('invalid', 'local part is longer than 64 characters');
  if (l.startsWith('"')) throw new MailError('invalid', 'quoted local parts are not accepted');
  for (const atom of l.split('.')) {
    if (atom.length === 0) throw new MailError('invalid', `local part has an empty dot-separated piece: ${l}`);
    if (!ATOM.test(atom)) throw new MailError('invalid', `local part has characters that are not allowed (letters, digits and ${"#$&'*+-/=?^_`{|}~"} only): ${l}`);
  }
  return l;
}

/** Splits at the last `@`; null when there is none. */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** Canonical `local@domain` (lower-case, validated). Fails `invalid`. */
export function canonicalAddress(address: string): string {
  if (typeof address !== 'string') throw new MailError('invalid', 'address is not a string');
  const parts = splitAddress(address);
  if (!parts) throw new MailError('invalid', `address has no @: ${address}`);
  if (parts.local.includes('@')) throw new MailError('invalid', `address has more than one @ (route syntax is not accepted): ${address}`);
  return `${canonicalLocalPart(parts.local)}@${canonicalDomain(parts.domain)}`;
}

/** Domain part of a canonical address or catch-all source (`@domain`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * Canonical mailbox name. `/` separates hierarchy levels; `INBOX` in any case
 * (also as the first level, `inbox/x`) becomes `INBOX`. Fails `invalid` for an
 * empty name, more than 1024 characters, a level over 255 characters, an
 * empty or `..` level, NUL/CR/LF, or the LIST wildcards `*` and `%`.
 */
export function canonicalMailboxName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new MailError('invalid', 'mailbox name is empty');
  if (name.length > 1024) throw new MailError('invalid', 'mailbox name is longer than 1024 characters');
  if (/[\0\r\n]/.test(name)) throw new MailError('invalid', 'mailbox name contains NUL, CR or LF');
  if (/[*%]/.test(name)) throw new MailError('invalid', 'mailbox name contains a wildcard (* or %)');
  const levels = name.split('/');
  for (const level of levels) {
    if (level.length === 0) throw new MailError('invalid', `mailbox name has an empty level: ${name}`);
    if (level === '..' || level === '.') throw new MailError('invalid', `mailbox name has a "${level}" level: ${name}`);
    if (level.length > 255) throw new MailError('invalid', 'a mailbox name level is longer than 255 characters');
  }
  if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  return levels.join('/');
}

/** RFC 6154 special-use attributes a mailbox may carry. */
export const SPECIAL_USES = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'] as const;

/** Canonical special-use attribute or null. Fails `invalid` for an unknown one. */
export function canonicalSpecialUse(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const found = SPECIAL_USES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!found) throw new MailError('invalid', `unknown special-use attribute: ${value}`);
  return found;
}

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

/**
 * Canonical, de-duplicated flag list: system flags get their RFC 3501 spelling,
 * keywords keep theirs (compared case-insensitively). `\Recent` is session
 * state and is refused here. Fails `invalid`.
 */
export function canonicalFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of flags) {
    if (typeof raw !== 'string' || raw.length === 0) throw new MailError('invalid', 'empty flag');
    if (/[\0-\x20\x7f()*%"\\\]{]/.test(raw.slice(raw.startsWith('\\') ? 1 : 0))) throw new MailError('invalid', `flag has characters that are not allowed: ${raw}`);
    let flag = raw;
    if (raw.startsWith('\\')) {
      const sys = SYSTEM_FLAGS.find((f) => f.toLowerCase() === raw.toLowerCase());
      if (!sys) throw new MailError('invalid', `unknown system flag: ${raw}`);
      flag = sys;
    }
    const k = flag.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(flag);
    }
  }
  return out;
}

/** True when the flag list contains `\Seen`. */
export function hasSeen(flags: readonly string[]): boolean {
  return flags.includes('\\Seen');
}

const BLOB_ID = /^[0-9a-f]{64}$/;

/** Checks a blob id (hex SHA-256). Fails `notFound`: an id of another shape can name no blob. */
export function checkBlobId(blobId: string): string {
  if (typeof blobId !== 'string' || !BLOB_ID.test(blobId)) throw new MailError('notFound', 'no such message body');
  return blobId;
}
