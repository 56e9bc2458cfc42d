/**
 * STARTTLS (RFC 3501 §6.2.1, RFC 2595 §3.1). The connection writes the OK,
 * drops whatever the client pipelined after the command (security-cases
 * T47) and starts the handshake in the same tick.
 */
import { bad, defineCommand } from '../session.js';

export const starttlsCommand = defineCommand({
  names: ['STARTTLS'],
  states: ['notAuthenticated'],
  async run(ctx, cmd) {
    if (ctx.tls) return bad('TLS is already active');
    await ctx.startTls(cmd.tag);
    return null;
  },
});
