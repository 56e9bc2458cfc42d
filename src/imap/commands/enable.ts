/**
 * ENABLE (RFC 5161): CONDSTORE and QRESYNC (RFC 7162 §3.2.3: QRESYNC
 * implies CONDSTORE). Unknown names are ignored, as the RFC requires.
 */
import { defineCommand, ok } from '../session.js';

const ENABLEABLE = new Set(['CONDSTORE', 'QRESYNC']);

export const enableCommand = defineCommand({
  names: ['ENABLE'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    const turnedOn: string[] = [];
    for (const raw of cmd.capabilities) {
      const name = raw.toUpperCase();
      if (!ENABLEABLE.has(name) || ctx.enabled.has(name)) continue;
      ctx.enabled.add(name);
      turnedOn.push(name);
      if (name === 'QRESYNC' && !ctx.enabled.has('CONDSTORE')) ctx.enabled.add('CONDSTORE');
    }
    await ctx.untagged(`ENABLED${turnedOn.map((n) => ` ${n}`).join('')}`);
    return ok('ENABLE completed');
  },
});
