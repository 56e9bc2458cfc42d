import type { MailStore } from '../store/types.js';

/**
 * The checks of authenticated submission (RFC 6409 §8 lets a submission
 * server enforce these): which addresses a user may send as, what a remote
 * recipient may look like, and how much a user may send per hour.
 */

/**
 * True when `address` belongs to `user`: it is the user's own address, an
 * alias (an explicit alias source, not a catch-all) that resolves to the
 * user, or either of these with a `+tag`. Case-insensitive. Reads the store;
 * rejects only when the store fails.
 */
export async function ownsAddress(store: MailStore, user: string, address: string): Promise<boolean> {
  const canonical = address.trim().toLowerCase();
  const at = canonical.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = canonical.slice(at + 1);
  if (!store.isLocalDomain(domain)) return false;
  const local = canonical.slice(0, at);
  const plus = local.indexOf('+');
  const base = plus > 0 ? `${local.slice(0, plus)}@${domain}` : canonical;
  if (canonical === user || base === user) return true;
  const aliases = await store.listAliases(domain);
  const alias = aliases.find((a) => a.source === canonical || a.source === base);
  if (!alias) return false;
  const resolution = await store.resolveRecipient(alias.source);
  return resolution.kind === 'local' && resolution.accounts.includes(user);
}

const ATOM = /^[A-Za-z0-9!#$&'*+\-/=?^_`{|}~]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The canonical form of a remote recipient (local part as given — it is the
 * remote's to interpret, RFC 5321 §2.4 — and the domain lower-cased), or null
 * when it is not a plain `dot-atom@domain`: quoted local parts, `%` and `!`
 * routing, address literals, trailing dots and bare names are refused so that
 * the relay only ever sends where the domain says. Pure.
 */
export function remoteRecipient(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.length > 254) return null;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (local.length > 64 || local.includes('%') || local.includes('!')) return null;
  if (!local.split('.').every((atom) => atom.length > 0 && ATOM.test(atom))) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || domain.length > 253 || !labels.every((l) => LABEL.test(l))) return null;
  return `${local}@${domain}`;
}

/** A sending budget per hour. */
export interface RateBudget {
  messagesPerHour: number;
  recipientsPerHour: number;
}

const HOUR = 3_600_000;

/**
 * Per-user sending budget over a sliding hour, in memory (a restart forgives;
 * the limit exists to contain a stolen password or a compromised client, not
 * to bill). Memory: at most one timestamp per message sent within the hour.
 */
export class SendRateLimiter {
  private readonly sent = new Map<string, { at: number; recipients: number }[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether `user` may start a message with `recipients` more recipients. */
  allows(user: string, budget: RateBudget, recipients = 0): boolean {
    const list = this.prune(user);
    if (list.length >= budget.messagesPerHour) return false;
    const used = list.reduce((n, e) => n + e.recipients, 0);
    return used + recipients <= budget.recipientsPerHour;
  }

  /** Counts one accepted message. */
  record(user: string, recipients: number): void {
    const list = this.prune(user);
    list.push({ at: this.now(), recipients });
    this.sent.set(user, list);
  }

  private prune(user: string): { at: number; recipients: number }[] {
    const cutoff = this.now() - HOUR;
    const list = (this.sent.get(user) ?? []).filter((e) => e.at > cutoff);
    if (list.length === 0) this.sent.delete(user);
    else this.sent.set(user, list);
    return list;
  }
}
