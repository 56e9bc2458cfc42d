import { indexMessage } from '../../mime/index.js';
import type { MailStore, QueueEntry, QueueTransaction } from '../../store/types.js';
import { buildDsn, headerSection, type DsnRecipient } from './dsn-builder.js';

/**
 * Turns a DSN into store changes for the same transaction that records the
 * queue entry's new state, so the notification and the state change happen
 * together or not at all (a crash cannot send a bounce twice).
 *
 * Never for the null sender (RFC 5321 §4.5.5 and §6.1: no notification about
 * a notification). A local sender gets the DSN in the INBOX with
 * `Return-Path: <>`; a remote one gets it through the queue with the null
 * sender.
 */
export async function dsnChanges(
  store: MailStore,
  opts: { hostname: string; entry: QueueEntry; kind: 'failed' | 'delayed'; recipients: DsnRecipient[]; now: Date; willRetryUntil?: Date },
): Promise<QueueTransaction> {
  const { entry } = opts;
  if (entry.sender === '' || opts.recipients.length === 0) return {};
  const head = await store.readBlobRange(entry.blobId, 0, 64 * 1024).catch(() => Buffer.alloc(0));
  const message = buildDsn({
    hostname: opts.hostname,
    to: entry.sender,
    kind: opts.kind,
    recipients: opts.recipients,
    arrivalDate: new Date(entry.createdAt),
    now: opts.now,
    willRetryUntil: opts.willRetryUntil,
    originalHeaders: headerSection(head),
  });
  const bytes = Buffer.concat([Buffer.from('Return-Path: <>\r\n'), message]);
  const writer = store.createBlob();
  try {
    await writer.write(bytes);
    const { blobId } = await writer.commit();
    const index = indexMessage(bytes);
    const target = await store.resolveRecipient(entry.sender);
    if (target.kind === 'local') return { deliver: [{ blobId, index, accounts: target.accounts }] };
    if (target.kind === 'remote') return { add: [{ blobId, index, sender: '', recipients: [entry.sender] }] };
    return {}; // the sender's address is gone: nobody to tell
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Both transactions' changes in one. */
export function mergeTransactions(a: QueueTransaction, b: QueueTransaction): QueueTransaction {
  return {
    add: [...(a.add ?? []), ...(b.add ?? [])],
    update: [...(a.update ?? []), ...(b.update ?? [])],
    remove: [...(a.remove ?? []), ...(b.remove ?? [])],
    deliver: [...(a.deliver ?? []), ...(b.deliver ?? [])],
  };
}
