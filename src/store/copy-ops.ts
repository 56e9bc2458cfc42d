/**
 * COPY and MOVE between mailboxes of one account (RFC 3501 §6.4.7, RFC 6851,
 * UIDPLUS RFC 4315). A copy adds one blob reference per message; a move is one
 * atomic batch that appends to the target and expunges from the source, so a
 * crash can never leave a message in both mailboxes or in neither.
 */
import { MailError } from '../errors.js';
import type { CopyResult } from './types.js';
import { bump, readRefs, refOps } from './blob-refs.js';
import { JournalWriter } from './journal.js';
import { del, keys, put, type IndexOp } from './keys.js';
import { requireAccount, requireMailbox } from './mailbox-ops.js';
import { addMessage, checkQuota, readUids } from './message-ops.js';
import type { StoreCore } from './store-core.js';
import { canonicalMailboxName, hasSeen } from './validate.js';

/**
 * Copies (or, with `move`, moves) the given UIDs of `from` into `to`, in UID
 * order. Missing UIDs are skipped. A copy checks quota for all messages first
 * and fails `overQuota` as a whole; a move does not change usage. Moving into
 * the same mailbox fails `invalid`. Fails `notFound` for an unknown mailbox.
 */
export async function copyMessages(core: StoreCore, account: string, from: string, uids: number[], to: string, move: boolean): Promise<CopyResult> {
  const srcName = canonicalMailboxName(from);
  const dstName = canonicalMailboxName(to);
  if (move && srcName === dstName) throw new MailError('invalid', 'cannot move messages into the mailbox they are in');
  return core.mutate(async () => {
    requireAccount(core, account);
    const acct = core.state.accounts.get(account)!;
    const src = requireMailbox(core, account, srcName);
    const dst = requireMailbox(core, account, dstName);
    const found = await readUids(core, src, uids);
    const total = found.reduce((n, f) => n + f.value.size, 0);
    if (!move) checkQuota(acct, total);
    const deltas = new Map<string, number>();
    if (!move) for (const f of found) bump(deltas, f.value.blobId, 1);
    const refs = await readRefs(core, deltas.keys());
    // Checks and reads are done; from here on only cache updates and ops.
    const ops: IndexOp[] = [];
    const journal = new JournalWriter(ops, core.journal);
    refOps(ops, refs, deltas);
    const mapping: { from: number; to: number }[] = [];
    for (const { uid, value } of found) {
      const copy = addMessage(ops, journal, dst, acct, { flags: value.flags, internalDate: value.internalDate, size: value.size, blobId: value.blobId });
      mapping.push({ from: uid, to: copy.uid });
      if (move) {
        ops.push(del(keys.message(src.id, uid)));
        journal.record(src, { type: 'expunge', uid });
        src.messages -= 1;
        src.bytes -= value.size;
        if (!hasSeen(value.flags)) src.unseen -= 1;
        acct.usedBytes = Math.max(0, acct.usedBytes - value.size);
      }
    }
    if (found.length > 0) {
      for (const m of journal.mailboxes()) ops.push(put(keys.mailbox(m.id), m));
      ops.push(put(keys.account(account), acct));
    }
    return { ops, result: { uidValidity: dst.uidValidity, mapping }, changes: journal.events() };
  });
}
