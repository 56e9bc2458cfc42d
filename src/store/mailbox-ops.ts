/**
 * Mailbox-level mutations of one account: create, delete, rename, subscribe,
 * and the standard set made with every account. Each is one atomic synced
 * batch prepared under the store's serialising section.
 */
import { MailError } from '../errors.js';
import type { MailboxInfo } from './types.js';
import { bump, readMailboxMessages, readRefs, refOps } from './blob-refs.js';
import { JournalWriter, journalKeys } from './journal.js';
import { del, keys, put, type IndexOp, type MailboxRecord } from './keys.js';
import type { StoreCore } from './store-core.js';
import { canonicalMailboxName, canonicalSpecialUse } from './validate.js';

/** The mailboxes every account starts with (RFC 6154 special-use attributes). */
export const STANDARD_MAILBOXES: readonly [string, string | null][] = [
  ['INBOX', null],
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

/** The public view of a mailbox record. */
export function mailboxInfo(m: MailboxRecord): MailboxInfo {
  return {
    id: m.id,
    name: m.name,
    uidValidity: m.uidValidity,
    uidNext: m.uidNext,
    highestModseq: m.highestModseq,
    journalFloor: m.journalFloor,
    specialUse: m.specialUse,
    subscribed: m.subscribed,
    messages: m.messages,
    unseen: m.unseen,
    bytes: m.bytes,
  };
}

/** The account's mailbox of that (canonical) name. Fails `notFound`. */
export function requireMailbox(core: StoreCore, account: string, name: string): MailboxRecord {
  const m = core.state.mailboxesOf(account).get(name);
  if (!m) throw new MailError('notFound', `no mailbox ${name}`);
  return m;
}

/** Fails `notFound` when the account is gone (it may be removed while a session holds it). */
export function requireAccount(core: StoreCore, account: string): void {
  if (!core.state.accounts.has(account)) throw new MailError('notFound', `no account ${account}`);
}

/**
 * Makes a new mailbox in the caches and appends its writes (record and
 * counters). Never throws: the caller has checked the name is free.
 */
export function newMailbox(core: StoreCore, ops: IndexOp[], account: string, name: string, specialUse: string | null): MailboxRecord {
  const m: MailboxRecord = {
    id: core.state.nextMailboxId(),
    account,
    name,
    uidValidity: core.state.nextUidValidity(),
    uidNext: 1,
    highestModseq: 0,
    journalFloor: 0,
    specialUse,
    subscribed: true,
    messages: 0,
    unseen: 0,
    bytes: 0,
  };
  core.state.addMailbox(m);
  ops.push(put(keys.mailbox(m.id), m), put(keys.counters(), core.state.counters));
  return m;
}

/** Deletes of every record and journal entry of a mailbox, with the blob references they held. */
export interface MailboxDrop {
  ops: IndexOp[];
  deltas: Map<string, number>;
  bytes: number;
}

/** Reads what deleting a mailbox must remove. Call after `core.flush()`. */
export async function planMailboxDrop(core: StoreCore, m: MailboxRecord, into?: MailboxDrop): Promise<MailboxDrop> {
  const drop: MailboxDrop = into ?? { ops: [], deltas: new Map(), bytes: 0 };
  for (const msg of await readMailboxMessages(core, m.id)) {
    drop.ops.push(del(msg.key));
    bump(drop.deltas, msg.value.blobId, -1);
    drop.bytes += msg.value.size;
  }
  for (const key of await journalKeys(core.db, m.id)) drop.ops.push(del(key));
  drop.ops.push(del(keys.mailbox(m.id)));
  return drop;
}

/** Creates a mailbox. Fails `invalid`, `exists`, `notFound` (account gone). */
export function createMailbox(core: StoreCore, account: string, name: string, specialUse?: string | null): Promise<MailboxInfo> {
  const canonical = canonicalMailboxName(name);
  const use = canonicalSpecialUse(specialUse);
  return core.mutate(async () => {
    requireAccount(core, account);
    if (core.state.mailboxesOf(account).has(canonical)) throw new MailError('exists', `mailbox ${canonical} already exists`);
    const ops: IndexOp[] = [];
    const m = newMailbox(core, ops, account, canonical, use);
    return { ops, result: mailboxInfo(m) };
  });
}

/** Deletes a mailbox and its messages. Fails `notFound`, `denied` for INBOX. Its sub-mailboxes stay. */
export function deleteMailbox(core: StoreCore, account: string, name: string): Promise<void> {
  const canonical = canonicalMailboxName(name);
  if (canonical === 'INBOX') return Promise.reject(new MailError('denied', 'INBOX cannot be deleted'));
  return core.mutate(async () => {
    requireAccount(core, account);
    const m = requireMailbox(core, account, canonical);
    await core.flush();
    const drop = await planMailboxDrop(core, m);
    const refs = await readRefs(core, drop.deltas.keys());
    // Checks and reads are done; from here on only cache updates and ops.
    const ops = drop.ops;
    const released = refOps(ops, refs, drop.deltas);
    const acct = core.state.accounts.get(account)!;
    acct.usedBytes = Math.max(0, acct.usedBytes - drop.bytes);
    ops.push(put(keys.account(account), acct));
    core.state.removeMailbox(m);
    const changes = [{ account, mailboxId: m.id, mailbox: m.name, modseq: m.highestModseq }];
    return { ops, result: undefined, changes, released };
  });
}

/** Subscribes or unsubscribes. Fails `notFound`. */
export function setSubscribed(core: StoreCore, account: string, name: string, subscribed: boolean): Promise<void> {
  const canonical = canonicalMailboxName(name);
  return core.mutate(async () => {
    const m = requireMailbox(core, account, canonical);
    if (m.subscribed === subscribed) return { ops: [], result: undefined };
    m.subscribed = subscribed;
    return { ops: [put(keys.mailbox(m.id), m)], result: undefined };
  });
}

/**
 * Renames a mailbox and its sub-mailboxes (they keep their UIDVALIDITY).
 * Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty
 * (RFC 3501 §6.3.5). Fails `notFound`, `exists`, `invalid` (into itself).
 */
export function renameMailbox(core: StoreCore, account: string, from: string, to: string): Promise<void> {
  const src = canonicalMailboxName(from);
  const dst = canonicalMailboxName(to);
  return core.mutate(async () => {
    requireAccount(core, account);
    const boxes = core.state.mailboxesOf(account);
    const m = requireMailbox(core, account, src);
    if (boxes.has(dst)) throw new MailError('exists', `mailbox ${dst} already exists`);
    if (src === 'INBOX') return renameInbox(core, account, m, dst);
    if (dst.startsWith(`${src}/`)) throw new MailError('invalid', 'a mailbox cannot be moved into itself');
    const moving = [...boxes.values()].filter((b) => b.name === src || b.name.startsWith(`${src}/`));
    const renames = moving.map((b) => ({ box: b, name: dst + b.name.slice(src.length) }));
    for (const r of renames) {
      if (boxes.has(r.name)) throw new MailError('exists', `mailbox ${r.name} already exists`);
    }
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    for (const r of renames) {
      core.state.renameMailbox(r.box, r.name);
      ops.push(put(keys.mailbox(r.box.id), r.box));
      journal.touch(r.box);
    }
    return { ops, result: undefined, changes: journal.events() };
  });
}

async function renameInbox(core: StoreCore, account: string, inbox: MailboxRecord, dst: string) {
  await core.flush();
  const messages = await readMailboxMessages(core, inbox.id);
  const ops: IndexOp[] = [];
  const journal = new JournalWriter(ops, core.journal);
  const target = newMailbox(core, ops, account, dst, null);
  for (const msg of messages) {
    const uid = target.uidNext++;
    const modseq = journal.record(target, { type: 'append', uid });
    ops.push(put(keys.message(target.id, uid), { ...msg.value, modseq }), del(msg.key));
    journal.record(inbox, { type: 'expunge', uid: msg.uid });
  }
  target.messages = inbox.messages;
  target.unseen = inbox.unseen;
  target.bytes = inbox.bytes;
  inbox.messages = 0;
  inbox.unseen = 0;
  inbox.bytes = 0;
  ops.push(put(keys.mailbox(target.id), target), put(keys.mailbox(inbox.id), inbox));
  journal.touch(inbox);
  journal.touch(target);
  return { ops, result: undefined, changes: journal.events() };
}
