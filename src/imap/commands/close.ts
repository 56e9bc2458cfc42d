/**
 * CLOSE (RFC 3501 §6.4.2: silently expunges \Deleted messages unless the
 * mailbox is read-only) and UNSELECT (RFC 3691: leaves without expunging).
 */
import { defineCommand, ok, selectedState } from '../session.js';

export const closeCommand = defineCommand({
  names: ['CLOSE', 'UNSELECT'],
  states: ['selected'],
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    if (cmd.name === 'CLOSE' && !s.view.readOnly) {
      const uids = [...s.view.entries()].filter((m) => !m.expunged && m.flags.includes('\\Deleted')).map((m) => m.uid);
      if (uids.length > 0) await s.account.expunge(s.view.name, uids);
    }
    ctx.unselect();
    return ok(`${cmd.name} completed`);
  },
});
