/**
 * STORE / UID STORE (RFC 3501 §6.4.6) with UNCHANGEDSINCE (RFC 7162
 * §3.1.3, checked atomically by the store; failures listed in
 * `[MODIFIED ...]`). Without .SILENT every addressed message's flags are
 * returned; with CONDSTORE on, MODSEQ too (even with .SILENT, for the ones
 * that changed). \Recent cannot be stored (it is session state).
 */
import type { MessageRecord } from '../../store/types.js';
import { loadRecords } from '../message-records.js';
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
    const live = targets.filter((t) => !t.expunged);
    const unchangedSince = cmd.unchangedSince === null ? undefined : Number(cmd.unchangedSince);
    const result = live.length === 0 ? { changed: [] as MessageRecord[], modified: [] as number[] } : await s.account.storeFlags(view.name, live.map((t) => t.uid), OPS[cmd.action], flags, unchangedSince);
    view.applyOwnFlags(result.changed);
    ctx.touchView();
    const changed = new Map(result.changed.map((r) => [r.uid, r]));
    const modified = new Set(result.modified);
    const condstore = ctx.enabled.has('CONDSTORE');
    // Modseqs of messages whose flags did not change are only needed for CONDSTORE's MODSEQ.
    const unchanged = condstore && !cmd.silent ? await loadRecords(s.account, view.name, live.filter((t) => !changed.has(t.uid)).map((t) => t.uid)) : null;
    const lines: string[] = [];
    for (const t of live) {
      if (modified.has(t.uid)) continue;
      const rec = changed.get(t.uid) ?? unchanged?.get(t.uid);
      if (cmd.silent && !(condstore && changed.has(t.uid))) continue;
      const current = view.byUid(t.uid) ?? t;
      const parts: string[] = [];
      if (cmd.uid) parts.push(`UID ${t.uid}`);
      if (!cmd.silent) parts.push(`FLAGS ${flagList(visibleFlags(current.flags, current.recent))}`);
      if (condstore && rec) parts.push(`MODSEQ (${rec.modseq})`);
      if (parts.length > 0) lines.push(`* ${t.seq} FETCH (${parts.join(' ')})\r\n`);
    }
    if (lines.length > 0) await ctx.write(lines.join(''));
    if (modified.size > 0) {
      const ids = targets.filter((t) => modified.has(t.uid)).map((t) => (cmd.uid ? t.uid : t.seq));
      return ok('Some messages were modified meanwhile', `MODIFIED ${formatSequenceSet(ids)}`);
    }
    return ok('STORE completed');
  },
});
