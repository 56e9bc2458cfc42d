/** STATUS (RFC 3501 §6.3.10). */
import { statusResponse } from '../status-items.js';
import { accountOf, defineCommand, ok } from '../session.js';

export const statusCommand = defineCommand({
  names: ['STATUS'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const box = await accountOf(ctx).getMailbox(cmd.mailbox);
    await ctx.write(`${statusResponse(ctx, box, cmd.items)}\r\n`);
    return ok('STATUS completed');
  },
});
