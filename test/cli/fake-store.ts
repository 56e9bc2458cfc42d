// A minimal in-memory MailStore for tests of the management operations and
// authentication, covering domains, accounts and aliases only. Message methods
// throw: nothing under test here touches messages.
import { MailError } from '../../src/errors.js';
import type { AccountInfo, AliasInfo, MailStore } from '../../src/store/types.js';

export function createFakeStore(): MailStore & { hashWrites: number } {
  const domains = new Set<string>();
  const accounts = new Map<string, AccountInfo>();
  const aliases = new Map<string, string[]>();
  const domainOf = (a: string): string => a.slice(a.lastIndexOf('@') + 1);
  const unsupported = (): never => {
    throw new Error('not supported by the fake store');
  };
  const store = {
    hashWrites: 0,
    async addDomain(name: string) {
      const d = name.trim().toLowerCase();
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) throw new MailError('invalid', `invalid domain "${name}"`);
      if (domains.has(d)) throw new MailError('exists', `domain ${d} already exists`);
      domains.add(d);
    },
    async removeDomain(name: string) {
      const d = name.toLowerCase();
      if (!domains.has(d)) throw new MailError('notFound', `no domain ${d}`);
      if ([...accounts.keys()].some((a) => domainOf(a) === d)) throw new MailError('inUse', `domain ${d} still has accounts`);
      domains.delete(d);
    },
    async listDomains() {
      return [...domains].sort();
    },
    isLocalDomain(name: string) {
      return domains.has(name.toLowerCase());
    },
    async addAccount(address: string, passwordHash: string, options: { quotaBytes?: number } = {}) {
      const a = address.toLowerCase();
      if (!domains.has(domainOf(a))) throw new MailError('invalid', `domain of ${a} is not local`);
      if (accounts.has(a) || aliases.has(a)) throw new MailError('exists', `${a} already exists`);
      accounts.set(a, { address: a, passwordHash, quotaBytes: options.quotaBytes ?? 0, usedBytes: 0, createdAt: Date.now() });
    },
    async removeAccount(address: string) {
      if (!accounts.delete(address.toLowerCase())) throw new MailError('notFound', `no account ${address}`);
    },
    async setPasswordHash(address: string, passwordHash: string) {
      const account = accounts.get(address.toLowerCase());
      if (!account) throw new MailError('notFound', `no account ${address}`);
      account.passwordHash = passwordHash;
      store.hashWrites++;
    },
    async getAccount(address: string) {
      const account = accounts.get(address.toLowerCase());
      return account ? { ...account } : null;
    },
    async listAccounts(domain?: string) {
      return [...accounts.values()].filter((a) => !domain || domainOf(a.address) === domain).map((a) => ({ ...a }));
    },
    async addAlias(source: string, target: string) {
      if (!domains.has(domainOf(source))) throw new MailError('invalid', `domain of ${source} is not local`);
      if (!accounts.has(target)) throw new MailError('invalid', `target ${target} is not local`);
      const targets = aliases.get(source) ?? [];
      if (targets.includes(target)) throw new MailError('exists', 'alias exists');
      aliases.set(source, [...targets, target]);
    },
    async removeAlias(source: string, target?: string) {
      const targets = aliases.get(source);
      if (!targets || (target !== undefined && !targets.includes(target))) throw new MailError('notFound', `no alias ${source}`);
      const rest = target === undefined ? [] : targets.filter((t) => t !== target);
      if (rest.length === 0) aliases.delete(source);
      else aliases.set(source, rest);
    },
    async listAliases(domain?: string): Promise<AliasInfo[]> {
      return [...aliases.entries()].filter(([s]) => !domain || domainOf(s) === domain).map(([source, targets]) => ({ source, targets }));
    },
    resolveRecipient: unsupported,
    createBlob: unsupported,
    deliver: unsupported,
    account: unsupported,
    readBlob: unsupported,
    readBlobRange: unsupported,
    readBlobs: unsupported,
    getIndex: unsupported,
    getIndexes: unsupported,
    countBlobs: unsupported,
    queueTransaction: unsupported,
    discardBlob: unsupported,
    listQueue: unsupported,
    getQueueEntry: unsupported,
    getSetting: unsupported,
    putSetting: unsupported,
    isWritable: () => true,
    freeBytes: unsupported,
    onChange: () => () => undefined,
    async close() {},
  };
  return store;
}
