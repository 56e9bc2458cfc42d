/**
 * SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2) with CONDSTORE (RFC 7162
 * §3.1.8) and QRESYNC (§3.2.5: VANISHED (EARLIER) and FETCH of what changed
 * since the client's modseq). A failed SELECT leaves no mailbox selected.
 */
import { MailboxView } from '../mailbox-view.js';
import { formatRanges, rangesContain, resolveSequenceSet } from '../protocol/sequence-set.js';
import type { QresyncParams } from '../protocol/types.js';
import { accountOf, bad, defineCommand, ok, type CommandContext } from '../session.js';
import { seqMatchFloor, vanishedEarlier } from '../vanished.js';
import { visibleFlags } from '../view-output.js';
import { flagList } from '../wire.js';

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export const selectCommand = defineCommand({
  names: ['SELECT', 'EXAMINE'],
  states: ['authenticated', 'selected'],
  async run(ctx, cmd) {
    if (cmd.qresync && !ctx.enabled.has('QRESYNC')) return bad('Enable QRESYNC first');
    const account = accountOf(ctx);
    const wasSelected = ctx.state.kind === 'selected';
    if (wasSelected) {
      ctx.unselect();
      // RFC 7162 §3.2.11: tells the client where the old mailbox's responses end.
      await ctx.untagged('OK [CLOSED] Previous mailbox closed');
    }
    const readOnly = cmd.name === 'EXAMINE';
    const view = await MailboxView.open({ account, name: cmd.mailbox, readOnly, recent: ctx.services.recent, cache: ctx.services.viewCache });
    if (cmd.condstore) ctx.enabled.add('CONDSTORE');
    const flags = [...SYSTEM_FLAGS, ...view.keywords()];
    const lines = [`* FLAGS ${flagList(flags)}`, `* OK [PERMANENTFLAGS ${flagList(readOnly ? [] : [...flags, '\\*'])}] Flags permitted`, `* ${view.exists} EXISTS`, `* ${view.recentCount} RECENT`];
    const firstUnseen = view.firstUnseen();
    if (firstUnseen > 0) lines.push(`* OK [UNSEEN ${firstUnseen}] First unseen`);
    lines.push(`* OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`, `* OK [UIDNEXT ${view.uidNext}] Predicted next UID`, `* OK [HIGHESTMODSEQ ${view.highestModseq}] Highest`);
    await ctx.write(lines.map((l) => `${l}\r\n`).join(''));
    if (cmd.qresync && cmd.qresync.uidValidity === view.uidValidity) await resync(ctx, view, cmd.qresync);
    ctx.select(view);
    return ok(`${cmd.name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
  },
});

/**
 * RFC 7162 §3.2.5.1: what was expunged and what changed since the client's
 * modseq, limited to its known UIDs when it sent them. Expunges come from
 * vanished.ts (exact while the journal reaches back that far, else every
 * UID of the range the mailbox no longer holds, narrowed by the sequence
 * match data of §3.2.5.2). Changed flags come from the message records,
 * which carry the modseq of their last change whatever the journal keeps.
 */
async function resync(ctx: CommandContext, view: MailboxView, q: QresyncParams): Promise<void> {
  const since = Number(q.modseq);
  const account = accountOf(ctx);
  const lastUid = view.uidNext - 1;
  const known = q.knownUids ? resolveSequenceSet(q.knownUids, lastUid) : lastUid > 0 ? [[1, lastUid] as const] : [];
  const vanished = await vanishedEarlier(account, view, { since, ranges: known, knownThrough: seqMatchFloor(view, q.seqMatch) });
  const lines: string[] = [];
  if (vanished.length > 0) lines.push(`* VANISHED (EARLIER) ${formatRanges(vanished)}`);
  // Modseqs live in the store: one read of the records changed since the client's modseq.
  for (const r of await account.listMessages(view.name)) {
    if (r.modseq <= since || !rangesContain(known, r.uid)) continue;
    const m = view.byUid(r.uid);
    if (m) lines.push(`* ${m.seq} FETCH (UID ${m.uid} FLAGS ${flagList(visibleFlags(m.flags, m.recent))} MODSEQ (${r.modseq}))`);
  }
  if (lines.length > 0) await ctx.write(lines.map((l) => `${l}\r\n`).join(''));
}
