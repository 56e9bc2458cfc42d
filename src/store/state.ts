/**
 * The in-memory copy of the small tables: domains, accounts, aliases,
 * mailboxes and the store-wide counters. The store is the only writer of its
 * database, so this copy is authoritative: mutations are prepared against it
 * (no read-modify-write race between concurrent callers) and it is reloaded
 * from disk whenever the database is reopened after a write error.
 * Messages, journal entries and blob references stay on disk.
 */
import { decodeValue, tableRange, type AccountRecord, type CounterRecord, type DomainRecord, type MailboxRecord, keys } from './keys.js';
import type { IndexDb } from './group-commit.js';

/** Caches of the small tables, loaded at open and after every reopen. */
export class StoreState {
  domains = new Map<string, DomainRecord>();
  accounts = new Map<string, AccountRecord>();
  aliases = new Map<string, string[]>();
  mailboxes = new Map<number, MailboxRecord>();
  /** account → mailbox name → record */
  byAccount = new Map<string, Map<string, MailboxRecord>>();
  counters: CounterRecord = { nextMailboxId: 1, lastUidValidity: 0, lastCreatedAt: 0 };

  /** Replaces every cache with what is on disk. */
  async load(db: IndexDb): Promise<void> {
    const fresh = new StoreState();
    for await (const v of db.values(tableRange('domain'))) {
      const d = decodeValue<DomainRecord>(v);
      fresh.domains.set(d.name, d);
    }
    for await (const v of db.values(tableRange('account'))) {
      const a = decodeValue<AccountRecord>(v);
      fresh.accounts.set(a.address, a);
    }
    for await (const [k, v] of db.iterator(tableRange('alias'))) {
      fresh.aliases.set(Buffer.from(k).subarray(1).toString('utf8'), decodeValue<string[]>(v));
    }
    for await (const v of db.values(tableRange('mailbox'))) {
      const m = decodeValue<MailboxRecord>(v);
      // Written by a release that kept the whole journal: nothing was pruned yet.
      m.journalFloor ??= 0;
      fresh.addMailbox(m);
    }
    const counters = await db.get(keys.counters());
    if (counters) fresh.counters = decodeValue<CounterRecord>(counters);
    this.domains = fresh.domains;
    this.accounts = fresh.accounts;
    this.aliases = fresh.aliases;
    this.mailboxes = fresh.mailboxes;
    this.byAccount = fresh.byAccount;
    this.counters = fresh.counters;
  }

  /** The mailboxes of an account by name (empty map for an unknown account). */
  mailboxesOf(account: string): Map<string, MailboxRecord> {
    return this.byAccount.get(account) ?? new Map();
  }

  addMailbox(m: MailboxRecord): void {
    this.mailboxes.set(m.id, m);
    let names = this.byAccount.get(m.account);
    if (!names) {
      names = new Map();
      this.byAccount.set(m.account, names);
    }
    names.set(m.name, m);
  }

  removeMailbox(m: MailboxRecord): void {
    this.mailboxes.delete(m.id);
    const names = this.byAccount.get(m.account);
    names?.delete(m.name);
    if (names && names.size === 0) this.byAccount.delete(m.account);
  }

  renameMailbox(m: MailboxRecord, name: string): void {
    this.byAccount.get(m.account)?.delete(m.name);
    m.name = name;
    this.addMailbox(m);
  }

  /**
   * A fresh UIDVALIDITY: the current time in seconds, but always above every
   * value handed out before in this store, so a mailbox deleted and created
   * again (even within one second, even for a re-created account) never
   * repeats one (RFC 3501 §2.3.1.1). Mutates the counters: persist them.
   */
  nextUidValidity(): number {
    const now = Math.floor(Date.now() / 1000);
    this.counters.lastUidValidity = Math.max(now, this.counters.lastUidValidity + 1);
    return this.counters.lastUidValidity;
  }

  /** A creation time strictly after the previous one, so "oldest account" is never a tie. */
  nextCreatedAt(): number {
    this.counters.lastCreatedAt = Math.max(Date.now(), this.counters.lastCreatedAt + 1);
    return this.counters.lastCreatedAt;
  }

  /** A new mailbox id (never reused). Mutates the counters: persist them. */
  nextMailboxId(): number {
    const id = this.counters.nextMailboxId;
    this.counters.nextMailboxId += 1;
    return id;
  }
}
