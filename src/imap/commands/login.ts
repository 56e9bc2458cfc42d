/**
 * LOGIN (RFC 3501 §6.2.3) and the login step shared with AUTHENTICATE.
 *
 * Before TLS the password is never looked at: the answer is
 * `NO [PRIVACYREQUIRED]` (RFC 2595 §3.2, RFC 5530; security-cases T46).
 * Every failure — unknown user or wrong password — is the same
 * `NO [AUTHENTICATIONFAILED]` after the shared per-IP throttle's delay
 * (T49). A login past the per-account connection caps gets
 * `NO [UNAVAILABLE]` (T48).
 */
import { authenticate } from '../../auth/index.js';
import { defineCommand, no, ok, type CommandContext, type Completion } from '../session.js';

/** Checks credentials and switches the session to authenticated. */
export async function completeLogin(ctx: CommandContext, username: string, password: string): Promise<Completion> {
  const { store, throttle } = ctx.services;
  const user = await authenticate(store, username, password, { ip: ctx.remote, throttle });
  if (!user) {
    ctx.log.info({ user: username.slice(0, 100) }, 'imap login failed');
    return no('Authentication failed', 'AUTHENTICATIONFAILED');
  }
  const account = await store.account(user);
  if (!ctx.login(user, account)) {
    ctx.log.warn({ user }, 'imap login refused: too many connections');
    return no('Too many connections for this account', 'UNAVAILABLE');
  }
  ctx.log.info({ user }, 'imap login');
  return ok('Logged in', `CAPABILITY ${ctx.capabilities()}`);
}

export const loginCommand = defineCommand({
  names: ['LOGIN'],
  states: ['notAuthenticated'],
  async run(ctx, cmd) {
    if (!ctx.tls) return no('Use STARTTLS first', 'PRIVACYREQUIRED');
    return completeLogin(ctx, cmd.username, cmd.password);
  },
});
