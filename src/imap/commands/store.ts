/**
 * STORE / UID STORE (RFC 3501 §6.4.6) with UNCHANGEDSINCE (RFC 7162
 * §3.1.3, checked atomically by the store; failures listed in
 * `[MODIFIED ...]`). Without .SILENT every addressed message's flags are
 * returned; with CONDSTORE on, MODSEQ too (even with .SILENT, for the ones
 * that changed). \Recent cannot be stored (it is session state).
 */
import type { MessageRecord } from '../../store/types.js';
import { resolveMessages } from '../message-set.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import { bad, defineCommand, no, ok, selectedState } from '../session.js';
import { visibleFlags } from '../view-output.js';
import { flagList } from '../wire.js';

const OPS = { replace: 'set', add: 'add', remove: 'remove' } as const;

export const storeCommand = defineCommand({
  names: ['STORE'],
  states: ['selected'],
  allowsExpunge: (cmd) => cmd.uid,
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    const view = s.view;
    if (view.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
    const targets = resolveMessages(view, cmd.set, cmd.uid, ctx.savedUids);
    if (!targets) return bad('Invalid message number');
    if (cmd.unchangedSince !== null) ctx.enabled.add('CONDSTORE');
    const flags = cmd.flags.filter((f) => f !== '\\Recent');
    const live = targets.filter((t) => !t.message.expunged);
    const unchangedSince = cmd.unchangedSince === null ? undefined : Number(cmd.unchangedSince);
    const result = live.length === 0 ? { changed: [] as MessageRecord[], modified: [] as number[] } : await s.account.storeFlags(view.name, live.map((t) => t.message.uid), OPS[cmd.action], flags, unchangedSince);
    view.applyOwnFlags(result.changed);
    ctx.touchView();
    const changed = new Set(result.changed.map((r) => r.uid));
    const modified = new Set(result.modified);
    const condstore = ctx.enabled.has('CONDSTORE');
    const lines: string[] = [];
    for (const t of live) {
      const m = t.message;
      if (modified.has(m.uid)) continue;
      if (cmd.silent && !(condstore && changed.has(m.uid))) continue;
      const parts: string[] = [];
      if (cmd.uid) parts.push(`UID ${m.uid}`);
      if (!cmd.silent) parts.push(`FLAGS ${flagList(visibleFlags(m.flags, m.recent))}`);
      if (condstore) parts.push(`MODSEQ (${m.modseq})`);
      lines.push(`* ${t.seq} FETCH (${parts.join(' ')})\r\n`);
    }
    if (lines.length > 0) await ctx.write(lines.join(''));
    if (modified.size > 0) {
      const ids = targets.filter((t) => modified.has(t.message.uid)).map((t) => (cmd.uid ? t.message.uid : t.seq));
      return ok('Some messages were modified meanwhile', `MODIFIED ${formatSequenceSet(ids)}`);
    }
    return ok('STORE completed');
  },
});
