/**
 * IDLE (RFC 2177). Changes to the selected mailbox are written as soon as
 * the store reports them — EXISTS, FETCH and EXPUNGE are all allowed while
 * idling — and a `* OK Still here` every few minutes keeps NAT boxes from
 * dropping the connection. The session's autologout timer still runs, so an
 * IDLE that never ends is logged out (RFC 9051 §5.4, security-cases T48).
 */
import { bad, defineCommand, ok } from '../session.js';

export const idleCommand = defineCommand({
  names: ['IDLE'],
  states: ['authenticated', 'selected'],
  async run(ctx) {
    await ctx.write('+ idling\r\n');
    let chain: Promise<void> = ctx.syncView(true);
    const push = () => {
      chain = chain.then(() => ctx.syncView(true)).catch((err: unknown) => ctx.log.warn({ err }, 'imap idle update failed'));
    };
    const stop = ctx.watchView(push);
    const keepalive = setInterval(() => void ctx.untagged('OK Still here'), ctx.services.limits.idleKeepaliveMs);
    keepalive.unref();
    let frame;
    try {
      frame = await ctx.readContinuation();
    } finally {
      clearInterval(keepalive);
      stop();
      await chain.catch(() => undefined);
    }
    if (!frame) return null;
    const text = (frame.lines[0] ?? Buffer.alloc(0)).toString('latin1');
    if (frame.lines.length !== 1 || text.toUpperCase() !== 'DONE') return bad('Expected DONE');
    return ok('IDLE terminated');
  },
});
