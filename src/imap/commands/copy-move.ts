/**
 * COPY / UID COPY (RFC 3501 §6.4.7, COPYUID from UIDPLUS RFC 4315) and
 * MOVE / UID MOVE (RFC 6851: one atomic store batch; the COPYUID goes out
 * untagged before the EXPUNGEs, which the sync point after the command sends).
 */
import { isMailError } from '../../errors.js';
import { resolveMessages } from '../message-set.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import { bad, defineCommand, no, ok, selectedState } from '../session.js';

export const copyMoveCommand = defineCommand({
  names: ['COPY', 'MOVE'],
  states: ['selected'],
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    const targets = resolveMessages(s.view, cmd.set, cmd.uid, ctx.savedUids);
    if (!targets) return bad('Invalid message number');
    const move = cmd.name === 'MOVE';
    if (move && s.view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    try {
      await s.account.getMailbox(cmd.mailbox);
    } catch (err) {
      if (isMailError(err, 'notFound')) return no('No such mailbox', 'TRYCREATE');
      throw err;
    }
    const uids = targets.filter((t) => !t.expunged).map((t) => t.uid);
    if (uids.length === 0) return ok(`${cmd.name} completed`);
    const result = move ? await s.account.moveMessages(s.view.name, uids, cmd.mailbox) : await s.account.copyMessages(s.view.name, uids, cmd.mailbox);
    const code = result.mapping.length > 0 ? `COPYUID ${result.uidValidity} ${formatSequenceSet(result.mapping.map((p) => p.from))} ${formatSequenceSet(result.mapping.map((p) => p.to))}` : null;
    if (!move) return ok('COPY completed', code);
    if (code) await ctx.untagged(`OK [${code}] Moved`);
    ctx.touchView();
    return ok('MOVE completed');
  },
});
