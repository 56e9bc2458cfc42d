/**
 * The outbound queue and runtime settings in the index (issue 5).
 *
 * A queue entry is one record under `Q id` holding one reference to its
 * message body (the same reference count that message records use), so the
 * body outlives every mailbox copy until the entry is gone. Every queue change
 * is one atomic synced batch, and a batch may also carry local deliveries:
 * submission writes the sender's local recipients' copies and the queue entry
 * for the remote ones together, and the queue runner writes a bounce and the
 * removal of the failed entry together.
 */
import { randomBytes } from 'node:crypto';
import { MailError } from '../errors.js';
import type { MessageIndex } from '../mime/types.js';
import { readRefs, refOps } from './blob-refs.js';
import { JournalWriter } from './journal.js';
import { decodeValue, del, keys, put, tableRange, type IndexOp } from './keys.js';
import { requireMailbox } from './mailbox-ops.js';
import { addMessage, blobSize, checkDate, checkIndex, checkQuota } from './message-ops.js';
import type { QueueEntry, QueueTransaction, QueueTransactionResult } from './queue-types.js';
import type { StoreCore } from './store-core.js';
import type { DeliveryResult } from './types.js';
import { canonicalAddress, canonicalFlags, canonicalMailboxName, checkBlobId } from './validate.js';

/** Longest address kept in a queue entry (RFC 5321 §4.5.3.1.3 path limit). */
const MAX_PATH = 256;
/** Settings names: short identifiers. */
const SETTING_NAME = /^[a-z][a-z0-9.-]{0,63}$/;

function newQueueId(now: number): string {
  return now.toString(16).padStart(12, '0') + randomBytes(4).toString('hex');
}

function checkPath(address: string, what: string): string {
  // Control characters are exactly what must never reach an SMTP command line.
  // eslint-disable-next-line no-control-regex
  if (typeof address !== 'string' || address.length > MAX_PATH || /[\s<>\x00-\x1f\x7f]/.test(address)) {
    throw new MailError('invalid', `${what} is not a usable address`);
  }
  return address;
}

function checkQueueId(id: string): string {
  if (typeof id !== 'string' || !/^[0-9a-f]{20}$/.test(id)) throw new MailError('invalid', 'not a queue id');
  return id;
}

/** Applies a queue transaction (see `MailStore.queueTransaction`). */
export async function queueTransaction(core: StoreCore, tx: QueueTransaction): Promise<QueueTransactionResult> {
  const adds = (tx.add ?? []).map((a) => {
    const blobId = checkBlobId(a.blobId);
    checkIndex(a.index);
    const recipients = [...new Set(a.recipients.map((r) => checkPath(r, 'recipient')))];
    if (recipients.length === 0) throw new MailError('invalid', 'a queue entry needs recipients');
    const createdAt = checkDate(a.createdAt);
    return { ...a, blobId, recipients, createdAt, sender: checkPath(a.sender, 'sender'), nextAttemptAt: checkDate(a.nextAttemptAt ?? createdAt) };
  });
  const updates = (tx.update ?? []).map((u) => ({ ...u, id: checkQueueId(u.id) }));
  const removes = [...new Set((tx.remove ?? []).map(checkQueueId))];
  const deliveries = (tx.deliver ?? []).map((d) => {
    checkIndex(d.index);
    const accounts = [...new Set(d.accounts.map((a) => canonicalAddress(a)))];
    if (accounts.length === 0) throw new MailError('invalid', 'delivery has no recipients');
    return {
      blobId: checkBlobId(d.blobId),
      index: d.index,
      accounts,
      flags: canonicalFlags(d.flags ?? []),
      mailbox: canonicalMailboxName(d.mailbox ?? 'INBOX'),
      internalDate: checkDate(d.internalDate),
    };
  });

  return core.mutate(async () => {
    const ops: IndexOp[] = [];
    const deltas = new Map<string, number>();
    const indexes = new Map<string, MessageIndex>();
    const bump = (id: string, by: number, index?: MessageIndex): void => {
      deltas.set(id, (deltas.get(id) ?? 0) + by);
      if (index && !indexes.has(id)) indexes.set(id, index);
    };

    // Everything is checked before any cache changes (the mutate contract).
    for (const u of updates) {
      const raw = await core.committer.read(keys.queue(u.id));
      if (!raw) throw new MailError('notFound', `no queue entry ${u.id}`);
      if (decodeValue<QueueEntry>(raw).blobId !== u.blobId) throw new MailError('invalid', 'a queue update cannot change the message body');
    }
    for (const id of removes) {
      const raw = await core.committer.read(keys.queue(id));
      if (!raw) throw new MailError('notFound', `no queue entry ${id}`);
      bump(decodeValue<QueueEntry>(raw).blobId, -1);
    }
    const sizes = new Map<string, number>();
    for (const b of [...adds.map((a) => a.blobId), ...deliveries.map((d) => d.blobId)]) {
      if (!sizes.has(b)) sizes.set(b, await blobSize(core, b));
    }
    const targets = deliveries.map((d) => {
      const size = sizes.get(d.blobId) ?? 0;
      const list = d.accounts.map((address) => {
        const acct = core.state.accounts.get(address);
        if (!acct) throw new MailError('notFound', `no account ${address}`);
        const box = core.state.mailboxesOf(address).get(d.mailbox) ?? requireMailbox(core, address, 'INBOX');
        return { acct, box };
      });
      return { d, size, list };
    });
    const wanted = new Map<string, number>();
    for (const t of targets) for (const { acct } of t.list) wanted.set(acct.address, (wanted.get(acct.address) ?? 0) + t.size);
    for (const [address, size] of wanted) checkQuota(core.state.accounts.get(address)!, size);

    const added: QueueEntry[] = adds.map((a) => {
      bump(a.blobId, 1, a.index);
      const entry: QueueEntry = {
        id: newQueueId(a.createdAt),
        blobId: a.blobId,
        sender: a.sender,
        ...(a.submitter ? { submitter: a.submitter } : {}),
        recipients: a.recipients.map((address) => ({ address, state: 'pending' })),
        createdAt: a.createdAt,
        nextAttemptAt: a.nextAttemptAt,
        attempts: 0,
        attemptStartedAt: null,
        delayWarned: false,
      };
      ops.push(put(keys.queue(entry.id), entry));
      return entry;
    });
    for (const u of updates) ops.push(put(keys.queue(u.id), u));
    for (const id of removes) ops.push(del(keys.queue(id)));

    for (const t of targets) bump(t.d.blobId, t.list.length, t.d.index);
    const refs = await readRefs(core, deltas.keys());
    const released: string[] = [];
    for (const [id, delta] of deltas) {
      const size = sizes.get(id) ?? 0;
      const index = indexes.get(id);
      released.push(...refOps(ops, refs, new Map([[id, delta]]), index ? { size, index } : undefined));
    }
    const journal = new JournalWriter(ops, core.journal);
    const delivered: DeliveryResult[] = targets.map(({ d, size, list }) => ({
      delivered: list.map(({ acct, box }) => {
        const r = addMessage(ops, journal, box, acct, { flags: d.flags, internalDate: d.internalDate, size, blobId: d.blobId });
        return { account: acct.address, mailbox: box.name, uid: r.uid };
      }),
    }));
    for (const m of journal.mailboxes()) ops.push(put(keys.mailbox(m.id), m));
    for (const id of new Set([...adds.map((a) => a.blobId), ...deliveries.map((d) => d.blobId)])) core.consumePin(id);
    return { ops, result: { added, delivered }, changes: journal.events(), released };
  });
}

/** Every queue entry, oldest first (what is committed once queued writes finish). */
export async function listQueue(core: StoreCore): Promise<QueueEntry[]> {
  await core.flush();
  return core.query(async (db) => {
    const out: QueueEntry[] = [];
    for await (const v of db.values(tableRange('queue'))) out.push(decodeValue<QueueEntry>(v));
    return out;
  });
}

/** One queue entry, or null. */
export async function getQueueEntry(core: StoreCore, id: string): Promise<QueueEntry | null> {
  checkQueueId(id);
  const raw = await core.query(() => core.committer.read(keys.queue(id)));
  return raw ? decodeValue<QueueEntry>(raw) : null;
}

function checkSettingName(name: string): string {
  if (typeof name !== 'string' || !SETTING_NAME.test(name)) throw new MailError('invalid', `invalid settings name "${String(name)}"`);
  return name;
}

/** A runtime settings document (JSON), or null when never set. */
export async function getSetting(core: StoreCore, name: string): Promise<unknown> {
  const key = keys.setting(checkSettingName(name));
  const raw = await core.query(() => core.committer.read(key));
  return raw ? decodeValue<unknown>(raw) : null;
}

/** Replaces (or with null, deletes) a settings document in one synced batch. */
export async function putSetting(core: StoreCore, name: string, value: unknown): Promise<void> {
  const key = keys.setting(checkSettingName(name));
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new MailError('invalid', 'a settings document must be a JSON object');
  await core.mutate(async () => ({ ops: [value === null ? del(key) : put(key, value)], result: undefined }));
}
