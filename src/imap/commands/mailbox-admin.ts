/**
 * CREATE (RFC 3501 §6.3.3, CREATE-SPECIAL-USE RFC 6154 §3), DELETE
 * (§6.3.4), RENAME (§6.3.5; INBOX moves its messages and stays, done by
 * the store), SUBSCRIBE/UNSUBSCRIBE (§6.3.6, §6.3.7).
 */
import { MailError, isMailError } from '../../errors.js';
import { checkNewMailboxName, parentsOf } from '../mailbox-rules.js';
import { accountOf, defineCommand, no, ok } from '../session.js';

export const createCommand = defineCommand({
  names: ['CREATE'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const account = accountOf(ctx);
    const name = checkNewMailboxName(cmd.mailbox, ctx.services.limits);
    if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
    if (cmd.specialUse.length > 1) return no('One special use per mailbox', 'USEATTR');
    const existing = await account.listMailboxes();
    if (existing.length >= ctx.services.limits.maxMailboxes) return no('Too many mailboxes', 'LIMIT');
    const names = new Set(existing.map((m) => m.name));
    if (names.has(name)) throw new MailError('exists', name);
    // §6.3.3: superior names are created as needed.
    for (const parent of parentsOf(name)) {
      if (names.has(parent)) continue;
      try {
        await account.createMailbox(parent);
      } catch (err) {
        if (!isMailError(err, 'exists')) throw err;
      }
    }
    try {
      await account.createMailbox(name, cmd.specialUse[0] ?? null);
    } catch (err) {
      if (isMailError(err, 'invalid') && cmd.specialUse.length > 0) return no('Unsupported special use', 'USEATTR');
      throw err;
    }
    return ok('CREATE completed');
  },
});

export const deleteCommand = defineCommand({
  names: ['DELETE'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    if (cmd.mailbox === 'INBOX') return no('INBOX cannot be deleted', 'CANNOT');
    const s = ctx.state;
    await accountOf(ctx).deleteMailbox(cmd.mailbox);
    if (s.kind === 'selected' && s.view.name === cmd.mailbox) ctx.touchView();
    return ok('DELETE completed');
  },
});

export const renameCommand = defineCommand({
  names: ['RENAME'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const account = accountOf(ctx);
    const to = checkNewMailboxName(cmd.to, ctx.services.limits);
    if (to === 'INBOX') return no('INBOX already exists', 'ALREADYEXISTS');
    const names = new Set((await account.listMailboxes()).map((m) => m.name));
    for (const parent of parentsOf(to)) {
      if (!names.has(parent) && !parent.startsWith(`${cmd.from}/`) && parent !== cmd.from) await account.createMailbox(parent).catch((err: unknown) => {
        if (!isMailError(err, 'exists')) throw err;
      });
    }
    await account.renameMailbox(cmd.from, to);
    return ok('RENAME completed');
  },
});

export const subscribeCommand = defineCommand({
  names: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    await accountOf(ctx).setSubscribed(cmd.mailbox, cmd.name === 'SUBSCRIBE');
    return ok(`${cmd.name} completed`);
  },
});
