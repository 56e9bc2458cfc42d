/**
 * Domains, accounts and aliases: the directory every service resolves
 * against. Reads are served from the in-memory caches; every change is one
 * atomic synced batch.
 */
import { MailError } from '../errors.js';
import type { AccountInfo, AliasInfo } from './types.js';
import { readRefs, refOps } from './blob-refs.js';
import { del, keys, put, type AccountRecord, type IndexOp } from './keys.js';
import { newMailbox, planMailboxDrop, STANDARD_MAILBOXES, type MailboxDrop } from './mailbox-ops.js';
import type { StoreCore } from './store-core.js';
import { canonicalAddress, canonicalDomain, domainOf } from './validate.js';

function accountInfo(a: AccountRecord): AccountInfo {
  return { address: a.address, passwordHash: a.passwordHash, quotaBytes: a.quotaBytes, usedBytes: a.usedBytes, createdAt: a.createdAt };
}

function requireLocal(core: StoreCore, domain: string, what: string): void {
  if (!core.state.domains.has(domain)) throw new MailError('invalid', `${what} is not in a local domain (${domain})`);
}

/** Canonical alias source: `local@domain` or a catch-all `@domain`. Fails `invalid`. */
export function canonicalAliasSource(source: string): string {
  if (typeof source === 'string' && source.startsWith('@')) return `@${canonicalDomain(source.slice(1))}`;
  return canonicalAddress(source);
}

/** Adds a local domain in one synced batch. Fails `invalid`, `exists`. */
export function addDomain(core: StoreCore, name: string): Promise<void> {
  const domain = canonicalDomain(name);
  return core.mutate(async () => {
    if (core.state.domains.has(domain)) throw new MailError('exists', `domain ${domain} already exists`);
    const rec = { name: domain, createdAt: Date.now() };
    core.state.domains.set(domain, rec);
    return { ops: [put(keys.domain(domain), rec)], result: undefined };
  });
}

/** Removes a domain. Fails `invalid`, `notFound`, `inUse` (accounts, aliases in it or pointing into it). */
export function removeDomain(core: StoreCore, name: string): Promise<void> {
  const domain = canonicalDomain(name);
  return core.mutate(async () => {
    if (!core.state.domains.has(domain)) throw new MailError('notFound', `no domain ${domain}`);
    for (const a of core.state.accounts.keys()) {
      if (domainOf(a) === domain) throw new MailError('inUse', `domain ${domain} still has accounts (${a})`);
    }
    for (const [source, targets] of core.state.aliases) {
      if (domainOf(source) === domain) throw new MailError('inUse', `domain ${domain} still has aliases (${source})`);
      const t = targets.find((x) => domainOf(x) === domain);
      if (t) throw new MailError('inUse', `alias ${source} still points into domain ${domain} (${t})`);
    }
    core.state.domains.delete(domain);
    return { ops: [del(keys.domain(domain))], result: undefined };
  });
}

/** Creates an account and its standard mailboxes in one synced batch. Fails `invalid`, `exists`. */
export function addAccount(core: StoreCore, address: string, passwordHash: string, options?: { quotaBytes?: number }): Promise<void> {
  const addr = canonicalAddress(address);
  if (typeof passwordHash !== 'string' || passwordHash.length === 0) return Promise.reject(new MailError('invalid', 'password hash is empty'));
  const quotaBytes = options?.quotaBytes ?? 0;
  if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0) return Promise.reject(new MailError('invalid', 'quota must be a whole number of bytes, 0 for unlimited'));
  return core.mutate(async () => {
    requireLocal(core, domainOf(addr), `account ${addr}`);
    if (core.state.accounts.has(addr)) throw new MailError('exists', `account ${addr} already exists`);
    if (core.state.aliases.has(addr)) throw new MailError('exists', `${addr} is already an alias`);
    const rec: AccountRecord = { address: addr, passwordHash, quotaBytes, usedBytes: 0, createdAt: core.state.nextCreatedAt() };
    core.state.accounts.set(addr, rec);
    const ops: IndexOp[] = [put(keys.account(addr), rec)];
    for (const [name, use] of STANDARD_MAILBOXES) newMailbox(core, ops, addr, name, use);
    return { ops, result: undefined };
  });
}

/** Removes an account with its mailboxes, messages and journal in one synced batch; unreferenced bodies are deleted after it. Fails `notFound`. */
export function removeAccount(core: StoreCore, address: string): Promise<void> {
  const addr = canonicalAddress(address);
  return core.mutate(async () => {
    if (!core.state.accounts.has(addr)) throw new MailError('notFound', `no account ${addr}`);
    await core.flush();
    const boxes = [...core.state.mailboxesOf(addr).values()];
    const drop: MailboxDrop = { ops: [], deltas: new Map(), bytes: 0 };
    for (const m of boxes) await planMailboxDrop(core, m, drop);
    const refs = await readRefs(core, drop.deltas.keys());
    const ops = drop.ops;
    const released = refOps(ops, refs, drop.deltas);
    ops.push(del(keys.account(addr)));
    for (const m of boxes) core.state.removeMailbox(m);
    core.state.accounts.delete(addr);
    const changes = boxes.map((m) => ({ account: addr, mailboxId: m.id, mailbox: m.name, modseq: m.highestModseq }));
    return { ops, result: undefined, changes, released };
  });
}

/** Replaces the password hash. Fails `invalid`, `notFound`. */
export function setPasswordHash(core: StoreCore, address: string, passwordHash: string): Promise<void> {
  const addr = canonicalAddress(address);
  if (typeof passwordHash !== 'string' || passwordHash.length === 0) return Promise.reject(new MailError('invalid', 'password hash is empty'));
  return core.mutate(async () => {
    const rec = core.state.accounts.get(addr);
    if (!rec) throw new MailError('notFound', `no account ${addr}`);
    rec.passwordHash = passwordHash;
    return { ops: [put(keys.account(addr), rec)], result: undefined };
  });
}

/** Sets an account's quota (0 = unlimited); usage is unchanged, so it may now be over quota. Fails `invalid`, `notFound`. */
export function setQuota(core: StoreCore, address: string, quotaBytes: number): Promise<void> {
  const addr = canonicalAddress(address);
  if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0) return Promise.reject(new MailError('invalid', 'quota must be a whole number of bytes, 0 for unlimited'));
  return core.mutate(async () => {
    const rec = core.state.accounts.get(addr);
    if (!rec) throw new MailError('notFound', `no account ${addr}`);
    rec.quotaBytes = quotaBytes;
    return { ops: [put(keys.account(addr), rec)], result: undefined };
  });
}

/** The account, or null (also for a malformed address). */
export function getAccount(core: StoreCore, address: string): AccountInfo | null {
  let addr: string;
  try {
    addr = canonicalAddress(address);
  } catch {
    return null;
  }
  const rec = core.state.accounts.get(addr);
  return rec ? accountInfo(rec) : null;
}

/** Accounts (optionally of one domain) sorted by address, from memory. */
export function listAccounts(core: StoreCore, domain?: string): AccountInfo[] {
  const d = domain === undefined ? null : domain.toLowerCase();
  return [...core.state.accounts.values()]
    .filter((a) => d === null || domainOf(a.address) === d)
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
    .map(accountInfo);
}

/** Adds one target to an alias (see `MailStore.addAlias`). Fails `invalid`, `exists`. */
export function addAlias(core: StoreCore, source: string, target: string): Promise<void> {
  const src = canonicalAliasSource(source);
  const tgt = canonicalAddress(target);
  if (src === tgt) return Promise.reject(new MailError('invalid', 'an alias cannot point to itself'));
  return core.mutate(async () => {
    requireLocal(core, domainOf(src), `alias ${src}`);
    requireLocal(core, domainOf(tgt), `alias target ${tgt}`);
    if (core.state.accounts.has(src)) throw new MailError('exists', `${src} is an account`);
    const targets = core.state.aliases.get(src) ?? [];
    if (targets.includes(tgt)) throw new MailError('exists', `alias ${src} already points to ${tgt}`);
    const next = [...targets, tgt];
    core.state.aliases.set(src, next);
    return { ops: [put(keys.alias(src), next)], result: undefined };
  });
}

/** Removes one target, or the whole alias. Fails `notFound`. */
export function removeAlias(core: StoreCore, source: string, target?: string): Promise<void> {
  const src = canonicalAliasSource(source);
  const tgt = target === undefined ? undefined : canonicalAddress(target);
  return core.mutate(async () => {
    const targets = core.state.aliases.get(src);
    if (!targets) throw new MailError('notFound', `no alias ${src}`);
    if (tgt !== undefined && !targets.includes(tgt)) throw new MailError('notFound', `alias ${src} does not point to ${tgt}`);
    const next = tgt === undefined ? [] : targets.filter((t) => t !== tgt);
    if (next.length === 0) {
      core.state.aliases.delete(src);
      return { ops: [del(keys.alias(src))], result: undefined };
    }
    core.state.aliases.set(src, next);
    return { ops: [put(keys.alias(src), next)], result: undefined };
  });
}

/** Aliases (optionally with a source in one domain) sorted by source, from memory. */
export function listAliases(core: StoreCore, domain?: string): AliasInfo[] {
  const d = domain === undefined ? null : domain.toLowerCase();
  return [...core.state.aliases.entries()]
    .filter(([source]) => d === null || domainOf(source) === d)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, targets]) => ({ source, targets: [...targets] }));
}
