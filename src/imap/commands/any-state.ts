/**
 * Commands valid in every state: CAPABILITY (RFC 3501 §6.1.1), NOOP
 * (§6.1.2; also CHECK §6.4.1, which has nothing to flush because every
 * change is already durable), LOGOUT (§6.1.3) and ID (RFC 2971).
 */
import { defineCommand, ok } from '../session.js';
import { imapString } from '../wire.js';

/** RFC 3501 §6.1.1 */
export const capabilityCommand = defineCommand({
  names: ['CAPABILITY'],
  states: ['notAuthenticated', 'authenticated', 'selected'],
  async run(ctx) {
    await ctx.untagged(`CAPABILITY ${ctx.capabilities()}`);
    return ok('CAPABILITY completed');
  },
});

/** RFC 3501 §6.1.2 and §6.4.1: the sync point after the command reports mailbox changes. */
export const noopCommand = defineCommand({
  names: ['NOOP', 'CHECK'],
  states: ['notAuthenticated', 'authenticated', 'selected'],
  async run(ctx, cmd) {
    if (cmd.name === 'CHECK' && ctx.state.kind !== 'selected') return { status: 'BAD', text: 'Select a mailbox first' };
    // Nothing to do here: the store's change events already marked the view, and the sync
    // point after every command reports what changed.
    return ok(`${cmd.name} completed`);
  },
});

/** RFC 3501 §6.1.3 */
export const logoutCommand = defineCommand({
  names: ['LOGOUT'],
  states: ['notAuthenticated', 'authenticated', 'selected'],
  async run(ctx) {
    await ctx.untagged('BYE Letterbox logging out');
    ctx.logout();
    return ok('LOGOUT completed');
  },
});

/** RFC 2971: the client's identity goes to the log (bounded by the parser); we name ourselves. */
export const idCommand = defineCommand({
  names: ['ID'],
  states: ['notAuthenticated', 'authenticated', 'selected'],
  async run(ctx, cmd) {
    if (cmd.params) ctx.log.info({ clientId: cmd.params }, 'imap client id');
    await ctx.untagged(`ID (${imapString('name')} ${imapString('Letterbox')} ${imapString('vendor')} ${imapString('Letterbox')})`);
    return ok('ID completed');
  },
});
