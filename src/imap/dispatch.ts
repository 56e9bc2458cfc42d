/**
 * Command dispatch: the table of handlers, the state check (RFC 3501 §3),
 * the one place where failures become IMAP responses (ARCHITECTURE rule 8:
 * MailError kinds → RFC 5530 response codes, short generic text for the
 * client, the cause in the log), and the sync point after each command
 * (RFC 3501 §5.2/§7.4.1: pending mailbox changes go out before the tagged
 * completion; EXPUNGE only when the command allows it).
 */
import { isMailError, type MailErrorKind } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import type { ImapCommand, ImapCommandName } from './protocol/types.js';
import type { CommandContext, CommandHandler, Completion } from './session.js';
import { statusLine } from './wire.js';

const TABLE = new Map<ImapCommandName, CommandHandler>();
for (const h of COMMANDS) for (const n of h.names) TABLE.set(n, h as unknown as CommandHandler);

/** RFC 5530 codes and client text per MailError kind. */
const ERROR_RESPONSES: Record<MailErrorKind, { code: string; text: string }> = {
  notFound: { code: 'NONEXISTENT', text: 'No such mailbox or message' },
  exists: { code: 'ALREADYEXISTS', text: 'Mailbox already exists' },
  overQuota: { code: 'OVERQUOTA', text: 'Mailbox is full' },
  tooBig: { code: 'TOOBIG', text: 'Message too large' },
  invalid: { code: 'CANNOT', text: 'Invalid request' },
  denied: { code: 'NOPERM', text: 'Not allowed' },
  inUse: { code: 'INUSE', text: 'Mailbox in use, try again' },
  expunged: { code: 'EXPUNGEISSUED', text: 'Message was expunged' },
  limit: { code: 'LIMIT', text: 'Limit reached' },
  temporary: { code: 'UNAVAILABLE', text: 'Temporary failure, try again later' },
};

/** The completion for a failure thrown by a handler. */
export function completionForError(ctx: CommandContext, err: unknown): Completion {
  if (isMailError(err)) {
    const r = ERROR_RESPONSES[err.kind];
    ctx.log.info({ kind: err.kind, msg: err.message }, 'imap command refused');
    // A name the user typed is worth repeating (it is their own); other causes stay in the log.
    const text = err.kind === 'invalid' ? err.message : r.text;
    return { status: 'NO', code: r.code, text };
  }
  ctx.log.error({ err }, 'imap command failed');
  return { status: 'NO', code: 'SERVERBUG', text: 'Internal error' };
}

/**
 * Runs one parsed command and writes its tagged completion. Returns 'bad'
 * when the answer was BAD (the caller counts bad commands).
 */
export async function dispatch(ctx: CommandContext, cmd: ImapCommand): Promise<'ok' | 'bad'> {
  const handler = TABLE.get(cmd.name);
  const state = ctx.state.kind;
  if (!handler) {
    await ctx.write(statusLine(cmd.tag, 'BAD', 'Command not supported'));
    return 'bad';
  }
  if (state === 'logout' || !handler.states.includes(state)) {
    const text = state === 'notAuthenticated' ? 'Log in first' : state === 'authenticated' ? 'Select a mailbox first' : 'Not allowed now';
    await ctx.write(statusLine(cmd.tag, 'BAD', text));
    return 'bad';
  }
  // Only the name: arguments may hold passwords (LOGIN) or private search terms.
  ctx.log.debug({ tag: cmd.tag, cmd: cmd.name }, 'imap command');
  let completion: Completion;
  try {
    completion = await handler.run(ctx, cmd);
  } catch (err) {
    completion = completionForError(ctx, err);
  }
  if (completion === null) return 'ok';
  try {
    await ctx.syncView(handler.allowsExpunge ? handler.allowsExpunge(cmd) : true);
  } catch (err) {
    ctx.log.warn({ err }, 'imap: could not report mailbox changes');
  }
  await ctx.write(statusLine(cmd.tag, completion.status, completion.text, completion.code));
  return completion.status === 'BAD' ? 'bad' : 'ok';
}
