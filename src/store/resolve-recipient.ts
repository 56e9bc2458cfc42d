/**
 * Envelope recipient resolution over the in-memory directory (domains,
 * accounts, aliases). Pure apart from the state it reads, so it answers RCPT
 * TO without touching the disk.
 *
 * Order for `local@domain` in a local domain (everything lower-cased):
 *   1. an account of that name;
 *   2. an alias of that name, expanded (alias → alias chains up to
 *      MAX_ALIAS_DEPTH aliases deep, loops cut, accounts de-duplicated);
 *   3. the same two for the address without its `+tag` (`user+tag@` → `user@`);
 *   4. `postmaster` (RFC 5321 §4.5.1 requires it to work): the domain's oldest
 *      account, else the box's oldest account;
 *   5. the domain's catch-all alias `@domain`;
 *   otherwise `unknown`. Other domains are `remote`.
 * A bare `postmaster` (no domain, also required by RFC 5321 §4.5.1) goes to
 * the box's oldest account.
 */
import { MailError } from '../errors.js';
import type { Resolution } from './types.js';
import type { StoreState } from './state.js';
import { canonicalLocalPart, splitAddress } from './validate.js';
import type { AccountRecord } from './keys.js';

/** Aliases followed at most this deep; deeper chains are treated as misconfiguration. */
export const MAX_ALIAS_DEPTH = 10;

/** Problems met while expanding (reported to the log by the caller). */
export interface ResolveNotes {
  loops: string[];
  tooDeep: string[];
}

class Expander {
  readonly accounts = new Set<string>();
  readonly notes: ResolveNotes = { loops: [], tooDeep: [] };
  private readonly onPath = new Set<string>();
  private readonly done = new Set<string>();

  constructor(private readonly state: StoreState) {}

  /** Adds the accounts `address` leads to; false when it is neither an account nor an alias. */
  expand(address: string, depth: number): boolean {
    if (this.state.accounts.has(address)) {
      this.accounts.add(address);
      return true;
    }
    const targets = this.state.aliases.get(address);
    if (!targets) return false;
    if (this.done.has(address)) return true;
    if (this.onPath.has(address)) {
      this.notes.loops.push(address);
      return true;
    }
    if (depth >= MAX_ALIAS_DEPTH) {
      this.notes.tooDeep.push(address);
      return true;
    }
    this.onPath.add(address);
    for (const target of targets) {
      if (!this.expand(target, depth + 1)) {
        const untagged = withoutTag(target);
        if (untagged) this.expand(untagged, depth + 1);
      }
    }
    this.onPath.delete(address);
    this.done.add(address);
    return true;
  }

  result(): Resolution {
    return this.accounts.size > 0 ? { kind: 'local', accounts: [...this.accounts] } : { kind: 'unknown' };
  }
}

/** `user+tag@domain` → `user@domain`; null when there is no tag (or nothing before it). */
function withoutTag(address: string): string | null {
  const at = address.lastIndexOf('@');
  const plus = address.indexOf('+');
  if (plus <= 0 || plus > at) return null;
  return address.slice(0, plus) + address.slice(at);
}

function oldest(accounts: Iterable<AccountRecord>, domain: string | null): string | null {
  let best: AccountRecord | null = null;
  for (const a of accounts) {
    if (domain !== null && !a.address.endsWith(`@${domain}`)) continue;
    if (!best || a.createdAt < best.createdAt || (a.createdAt === best.createdAt && a.address < best.address)) best = a;
  }
  return best?.address ?? null;
}

/**
 * Resolves one envelope recipient (see the module comment for the order).
 * Fails `invalid` only for something that is not an address at all (no `@`,
 * empty domain); a malformed local part in a local domain is `unknown`.
 */
export function resolveRecipient(state: StoreState, address: string, onNotes?: (n: ResolveNotes) => void): Resolution {
  if (typeof address !== 'string') throw new MailError('invalid', 'recipient is not a string');
  const parts = splitAddress(address);
  if (!parts) {
    if (address.toLowerCase() === 'postmaster') {
      const any = oldest(state.accounts.values(), null);
      return any ? { kind: 'local', accounts: [any] } : { kind: 'unknown' };
    }
    throw new MailError('invalid', `recipient has no domain: ${address}`);
  }
  const domain = parts.domain.toLowerCase();
  if (domain.length === 0) throw new MailError('invalid', `recipient has an empty domain: ${address}`);
  if (!state.domains.has(domain)) return { kind: 'remote' };
  let local: string;
  try {
    local = canonicalLocalPart(parts.local);
  } catch {
    return { kind: 'unknown' };
  }
  const ex = new Expander(state);
  const finish = (): Resolution => {
    if (onNotes && (ex.notes.loops.length || ex.notes.tooDeep.length)) onNotes(ex.notes);
    return ex.result();
  };
  const full = `${local}@${domain}`;
  if (ex.expand(full, 0)) return finish();
  const untagged = withoutTag(full);
  if (untagged && ex.expand(untagged, 0)) return finish();
  if (local === 'postmaster') {
    const chosen = oldest(state.accounts.values(), domain) ?? oldest(state.accounts.values(), null);
    return chosen ? { kind: 'local', accounts: [chosen] } : { kind: 'unknown' };
  }
  if (ex.expand(`@${domain}`, 0)) return finish();
  return { kind: 'unknown' };
}
