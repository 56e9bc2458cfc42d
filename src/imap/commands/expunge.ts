/**
 * EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (UIDPLUS, RFC 4315 §2.1). The
 * store removes the messages in one batch; the `* n EXPUNGE` responses come
 * from the view at the sync point after the command, like everyone else's.
 */
import { resolveMessages } from '../message-set.js';
import { defineCommand, no, ok, selectedState } from '../session.js';

export const expungeCommand = defineCommand({
  names: ['EXPUNGE'],
  states: ['selected'],
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    if (s.view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    let candidates = [...s.view.entries()].filter((m) => !m.expunged);
    if (cmd.uids) {
      const named = new Set((resolveMessages(s.view, cmd.uids, true, ctx.savedUids) ?? []).map((a) => a.uid));
      candidates = candidates.filter((m) => named.has(m.uid));
    }
    const uids = candidates.filter((m) => m.flags.includes('\\Deleted')).map((m) => m.uid);
    if (uids.length > 0) {
      await s.account.expunge(s.view.name, uids);
      ctx.touchView();
    }
    return ok('EXPUNGE completed');
  },
});
