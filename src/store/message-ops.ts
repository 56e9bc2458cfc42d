/**
 * Message mutations: delivery to many accounts, APPEND, flag changes and
 * expunge. Each is one atomic synced batch that also writes the journal,
 * bumps HIGHESTMODSEQ, updates the mailbox counters, quota usage and blob
 * references (ARCHITECTURE rule 4).
 */
import { MailError } from '../errors.js';
import type { MessageIndex } from '../mime/types.js';
import type { DeliveryInput, DeliveryResult, JournalChanges, MailboxInfo, MessageRecord } from './types.js';
import { bump, readMailboxMessages, readRefs, refOps } from './blob-refs.js';
import { JournalWriter, journalSince } from './journal.js';
import { decodeValue, del, keys, put, type AccountRecord, type IndexOp, type MailboxRecord, type MessageValue } from './keys.js';
import { mailboxInfo, requireAccount, requireMailbox } from './mailbox-ops.js';
import type { StoreCore } from './store-core.js';
import { canonicalAddress, canonicalFlags, canonicalMailboxName, checkBlobId, hasSeen } from './validate.js';

export function record(uid: number, v: MessageValue): MessageRecord {
  return { uid, modseq: v.modseq, flags: [...v.flags], internalDate: v.internalDate, size: v.size, blobId: v.blobId };
}

export function checkIndex(index: MessageIndex): void {
  if (typeof index !== 'object' || index === null || typeof index.root !== 'object') throw new MailError('invalid', 'message index is missing');
}

export function checkDate(date: number | undefined): number {
  const d = date ?? Date.now();
  if (!Number.isSafeInteger(d) || d < 0) throw new MailError('invalid', 'internal date must be milliseconds since 1970');
  return d;
}

/**
 * The blob's size; fails `notFound` when it was never committed (or is gone).
 * A blob committed in this process and not yet delivered is pinned and known
 * to be in place: its size comes from the commit, without a stat per delivery.
 */
export async function blobSize(core: StoreCore, blobId: string): Promise<number> {
  const size = core.placedSize(blobId) ?? (await core.blobs.size(blobId));
  if (size === null) throw new MailError('notFound', 'no such message body (commit it before delivering)');
  return size;
}

export function checkQuota(acct: AccountRecord, size: number): void {
  if (acct.quotaBytes > 0 && acct.usedBytes + size > acct.quotaBytes) {
    throw new MailError('overQuota', `mailbox of ${acct.address} is full`);
  }
}

/** Adds one message to a mailbox: caches and ops. Never throws. */
export function addMessage(ops: IndexOp[], journal: JournalWriter, m: MailboxRecord, acct: AccountRecord, v: Omit<MessageValue, 'modseq'>): MessageRecord {
  const uid = m.uidNext++;
  const modseq = journal.record(m, { type: 'append', uid });
  const value: MessageValue = { ...v, modseq };
  ops.push(put(keys.message(m.id, uid), value));
  m.messages += 1;
  m.bytes += v.size;
  if (!hasSeen(v.flags)) m.unseen += 1;
  acct.usedBytes += v.size;
  ops.push(put(keys.account(acct.address), acct));
  return record(uid, value);
}

/** Delivers one committed blob to many accounts (see `MailStore.deliver`). */
export async function deliver(core: StoreCore, input: DeliveryInput): Promise<DeliveryResult> {
  const blobId = checkBlobId(input.blobId);
  checkIndex(input.index);
  const accounts = [...new Set(input.accounts.map((a) => canonicalAddress(a)))];
  if (accounts.length === 0) throw new MailError('invalid', 'delivery has no recipients');
  const flags = canonicalFlags(input.flags ?? []);
  const wanted = canonicalMailboxName(input.mailbox ?? 'INBOX');
  const internalDate = checkDate(input.internalDate);
  return core.mutate(async () => {
    const targets = accounts.map((address) => {
      const acct = core.state.accounts.get(address);
      if (!acct) throw new MailError('notFound', `no account ${address}`);
      // A filing target that does not exist (any more) must not lose mail: fall back to INBOX.
      const box = core.state.mailboxesOf(address).get(wanted) ?? requireMailbox(core, address, 'INBOX');
      return { acct, box };
    });
    const size = await blobSize(core, blobId);
    // Quota of every recipient first: the delivery happens for all or for none.
    for (const t of targets) checkQuota(t.acct, size);
    const refs = await readRefs(core, [blobId]);
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    const released = refOps(ops, refs, new Map([[blobId, targets.length]]), { size, index: input.index });
    const delivered = targets.map(({ acct, box }) => {
      const r = addMessage(ops, journal, box, acct, { flags, internalDate, size, blobId });
      return { account: acct.address, mailbox: box.name, uid: r.uid };
    });
    for (const m of journal.mailboxes()) ops.push(put(keys.mailbox(m.id), m));
    core.consumePin(blobId);
    return { ops, result: { delivered }, changes: journal.events(), released };
  });
}

/** APPEND of a committed blob to one mailbox. Fails `notFound`, `overQuota`, `invalid`. */
export async function append(
  core: StoreCore,
  account: string,
  mailbox: string,
  input: { blobId: string; index: MessageIndex; flags?: string[]; internalDate?: number },
): Promise<MessageRecord> {
  const blobId = checkBlobId(input.blobId);
  checkIndex(input.index);
  const name = canonicalMailboxName(mailbox);
  const flags = canonicalFlags(input.flags ?? []);
  const internalDate = checkDate(input.internalDate);
  return core.mutate(async () => {
    requireAccount(core, account);
    const acct = core.state.accounts.get(account)!;
    const box = requireMailbox(core, account, name);
    const size = await blobSize(core, blobId);
    checkQuota(acct, size);
    const refs = await readRefs(core, [blobId]);
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    refOps(ops, refs, new Map([[blobId, 1]]), { size, index: input.index });
    const rec = addMessage(ops, journal, box, acct, { flags, internalDate, size, blobId });
    ops.push(put(keys.mailbox(box.id), box));
    core.consumePin(blobId);
    return { ops, result: rec, changes: journal.events() };
  });
}

/** Reads the given UIDs of a mailbox as they will be once everything queued is written. */
export async function readUids(core: StoreCore, m: MailboxRecord, uids: number[]): Promise<{ uid: number; value: MessageValue }[]> {
  const out: { uid: number; value: MessageValue }[] = [];
  const unique = [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0 && u < m.uidNext).sort((a, b) => a - b);
  for (const uid of unique) {
    const raw = await core.committer.read(keys.message(m.id, uid));
    if (raw) out.push({ uid, value: decodeValue<MessageValue>(raw) });
  }
  return out;
}

function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}

/**
 * Changes flags. Returns the records whose flags actually changed (each got a
 * new modseq); unchanged and missing UIDs are left out.
 */
export async function setFlags(core: StoreCore, account: string, mailbox: string, uids: number[], op: 'add' | 'remove' | 'set', flags: string[]): Promise<MessageRecord[]> {
  return (await storeFlags(core, account, mailbox, uids, op, flags)).changed;
}

/**
 * `setFlags` with the CONDSTORE condition (RFC 7162 §3.1.3): messages whose
 * modseq is above `unchangedSince` are left alone and listed in `modified`.
 * The check and the change are one atomic step under the store's serialising
 * section, so no other writer can slip in between.
 */
export async function storeFlags(
  core: StoreCore,
  account: string,
  mailbox: string,
  uids: number[],
  op: 'add' | 'remove' | 'set',
  flags: string[],
  unchangedSince?: number,
): Promise<{ changed: MessageRecord[]; modified: number[] }> {
  if (op !== 'add' && op !== 'remove' && op !== 'set') throw new MailError('invalid', `unknown flag operation ${String(op)}`);
  const name = canonicalMailboxName(mailbox);
  const given = canonicalFlags(flags);
  const lower = new Set(given.map((f) => f.toLowerCase()));
  return core.mutate(async () => {
    const box = requireMailbox(core, account, name);
    const found = await readUids(core, box, uids);
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    const changed: MessageRecord[] = [];
    const modified: number[] = [];
    for (const { uid, value } of found) {
      if (unchangedSince !== undefined && value.modseq > unchangedSince) {
        modified.push(uid);
        continue;
      }
      let next: string[];
      if (op === 'set') next = given;
      else if (op === 'add') next = canonicalFlags([...value.flags, ...given]);
      else next = value.flags.filter((f) => !lower.has(f.toLowerCase()));
      if (sameFlags(next, value.flags)) continue;
      const wasSeen = hasSeen(value.flags);
      const modseq = journal.record(box, { type: 'flags', uid, flags: next });
      const updated: MessageValue = { ...value, flags: next, modseq };
      ops.push(put(keys.message(box.id, uid), updated));
      if (wasSeen !== hasSeen(next)) box.unseen += wasSeen ? 1 : -1;
      changed.push(record(uid, updated));
    }
    if (changed.length > 0) ops.push(put(keys.mailbox(box.id), box));
    return { ops, result: { changed, modified }, changes: journal.events() };
  });
}

/** Removes the given UIDs; returns those that existed. Frees quota and, with the last reference, the blob. */
export async function expunge(core: StoreCore, account: string, mailbox: string, uids: number[]): Promise<number[]> {
  const name = canonicalMailboxName(mailbox);
  return core.mutate(async () => {
    requireAccount(core, account);
    const box = requireMailbox(core, account, name);
    const acct = core.state.accounts.get(account)!;
    const found = await readUids(core, box, uids);
    const deltas = new Map<string, number>();
    for (const f of found) bump(deltas, f.value.blobId, -1);
    const refs = await readRefs(core, deltas.keys());
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    const released = refOps(ops, refs, deltas);
    for (const { uid, value } of found) {
      ops.push(del(keys.message(box.id, uid)));
      journal.record(box, { type: 'expunge', uid });
      box.messages -= 1;
      box.bytes -= value.size;
      if (!hasSeen(value.flags)) box.unseen -= 1;
      acct.usedBytes = Math.max(0, acct.usedBytes - value.size);
    }
    if (found.length > 0) ops.push(put(keys.mailbox(box.id), box), put(keys.account(account), acct));
    return { ops, result: found.map((f) => f.uid), changes: journal.events(), released };
  });
}

/** Messages in UID order from disk (what is committed). Fails `notFound`. */
export async function listMessages(core: StoreCore, account: string, mailbox: string, fromUid?: number, toUid?: number): Promise<MessageRecord[]> {
  const box = requireMailbox(core, account, canonicalMailboxName(mailbox));
  const from = Math.max(0, Math.min(Math.floor(fromUid ?? 0), 0xffffffff));
  const to = Math.max(0, Math.min(Math.floor(toUid ?? 0xffffffff), 0xffffffff));
  if (to < from) return [];
  return core.query(async () => (await readMailboxMessages(core, box.id, from, to)).map((m) => record(m.uid, m.value)));
}

/** Journal entries after `modseq` and whether they are all of them (`JournalChanges`). Fails `notFound`. */
export async function changesSince(core: StoreCore, account: string, mailbox: string, modseq: number): Promise<JournalChanges> {
  const box = requireMailbox(core, account, canonicalMailboxName(mailbox));
  // The record is looked up again after the read: a reopen replaces the cached records.
  const floorNow = (): number => {
    const now = core.state.mailboxes.get(box.id);
    if (!now) throw new MailError('notFound', `no mailbox ${box.name}`);
    return now.journalFloor;
  };
  return core.query((db) => journalSince(db, box.id, Math.max(0, Math.floor(modseq)), floorNow));
}

/**
 * Messages and mailbox record at one instant: inside the serialising section
 * (no preparation runs) and after the queue is written (caches equal disk).
 */
export async function snapshot(core: StoreCore, account: string, mailbox: string): Promise<{ mailbox: MailboxInfo; messages: MessageRecord[] }> {
  const name = canonicalMailboxName(mailbox);
  return core.serial(async () => {
    await core.flush();
    const box = requireMailbox(core, account, name);
    const info = mailboxInfo(box);
    const messages = await core.query(async () => (await readMailboxMessages(core, box.id)).map((m) => record(m.uid, m.value)));
    return { mailbox: info, messages };
  });
}
