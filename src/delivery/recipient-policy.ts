import type { MailStore } from '../store/types.js';

/**
 * The RCPT-time policy of inbound mail (ARCHITECTURE rule 7): small ordered
 * checks that decide before any body is sent, so nothing is accepted that
 * would later have to bounce (no backscatter, security-cases T06).
 */
export type RecipientDecision =
  | { kind: 'accept'; accounts: string[] }
  | { kind: 'unknown' }
  | { kind: 'relay' }
  | { kind: 'overQuota'; account: string }
  | { kind: 'unavailable' };

/**
 * Decides one envelope recipient of mail arriving without authentication.
 *
 * - A bare `postmaster` (RFC 5321 §4.5.1) means postmaster of our first domain.
 * - Any address whose domain is not ours is relaying: refused whatever its
 *   spelling (`%`, `!`, quotes, source routes, IP literals, trailing dot all
 *   end up here or as unknown local parts; nothing is ever routed by them).
 * - Local recipients must exist (account, alias, plus-address, catch-all).
 * - Each account must have room for `declaredSize` (SIZE= of MAIL FROM).
 */
export async function decideRecipient(store: MailStore, address: string, declaredSize: number): Promise<RecipientDecision> {
  if (!store.isWritable()) return { kind: 'unavailable' };
  let target = address;
  const at = address.lastIndexOf('@');
  if (at < 0) {
    if (address.toLowerCase() !== 'postmaster') return { kind: 'unknown' };
    const [first] = await store.listDomains();
    if (!first) return { kind: 'unknown' };
    target = `postmaster@${first}`;
  } else if (!store.isLocalDomain(address.slice(at + 1))) {
    return { kind: 'relay' };
  }
  const resolution = await store.resolveRecipient(target);
  if (resolution.kind === 'remote') return { kind: 'relay' };
  if (resolution.kind === 'unknown') return { kind: 'unknown' };
  for (const account of resolution.accounts) {
    const info = await store.getAccount(account);
    if (info && info.quotaBytes > 0 && info.usedBytes + declaredSize > info.quotaBytes) {
      return { kind: 'overQuota', account };
    }
  }
  return { kind: 'accept', accounts: resolution.accounts };
}
