/**
 * NAMESPACE (RFC 2342: one personal namespace, no shared ones) and QUOTA
 * (RFC 9208 / RFC 2087): one quota root "" per account with the STORAGE
 * resource in KiB; users cannot change their own quota (SETQUOTA → NO).
 */
import { accountOf, defineCommand, no, ok, type CommandContext } from '../session.js';
import { SEPARATOR } from '../mailbox-rules.js';
import { mailboxString } from '../wire.js';

export const namespaceCommand = defineCommand({
  names: ['NAMESPACE'],
  states: ['authenticated', 'selected'],
  async run(ctx) {
    await ctx.untagged(`NAMESPACE (("" "${SEPARATOR}")) NIL NIL`);
    return ok('NAMESPACE completed');
  },
});

async function quotaLine(ctx: CommandContext): Promise<string> {
  const info = await ctx.services.store.getAccount(accountOf(ctx).address);
  if (!info || info.quotaBytes <= 0) return '* QUOTA "" ()\r\n';
  return `* QUOTA "" (STORAGE ${Math.ceil(info.usedBytes / 1024)} ${Math.floor(info.quotaBytes / 1024)})\r\n`;
}

export const quotaCommand = defineCommand({
  names: ['GETQUOTA', 'GETQUOTAROOT', 'SETQUOTA'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    if (cmd.name === 'SETQUOTA') return no('Quota is set by the administrator', 'NOPERM');
    if (cmd.name === 'GETQUOTA') {
      if (cmd.root !== '') return no('No such quota root', 'NONEXISTENT');
      await ctx.write(await quotaLine(ctx));
      return ok('GETQUOTA completed');
    }
    const box = await accountOf(ctx).getMailbox(cmd.mailbox);
    await ctx.write(`* QUOTAROOT ${mailboxString(box.name)} ""\r\n${await quotaLine(ctx)}`);
    return ok('GETQUOTAROOT completed');
  },
});
