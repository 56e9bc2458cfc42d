/**
 * Writes a mailbox view's changes as untagged responses (RFC 3501 §7.3.1
 * EXISTS, §7.3.2 RECENT, §7.4.1 EXPUNGE, §7.4.2 FETCH; RFC 7162 §3.2.10
 * VANISHED, §3.1.4 MODSEQ in unsolicited FETCH when CONDSTORE is on).
 */
import type { ViewUpdate } from './mailbox-view.js';
import { formatSequenceSet } from './protocol/sequence-set.js';
import type { CommandContext } from './session.js';
import { flagList } from './wire.js';

/** Flags as the client sees them: the stored ones plus the session's \Recent. */
export function visibleFlags(flags: readonly string[], recent: boolean): string[] {
  return recent ? [...flags, '\\Recent'] : [...flags];
}

/** Sends one update; nothing when it is empty. */
export async function writeViewUpdate(ctx: CommandContext, u: ViewUpdate): Promise<void> {
  const lines: string[] = [];
  for (const seq of u.expunged) lines.push(`* ${seq} EXPUNGE\r\n`);
  if (u.vanished.length > 0) lines.push(`* VANISHED ${formatSequenceSet(u.vanished)}\r\n`);
  const condstore = ctx.enabled.has('CONDSTORE') || ctx.enabled.has('QRESYNC');
  for (const f of u.fetches) {
    const recent = f.recent;
    const modseq = condstore ? ` MODSEQ (${f.modseq})` : '';
    lines.push(`* ${f.seq} FETCH (UID ${f.uid} FLAGS ${flagList(visibleFlags(f.flags, recent))}${modseq})\r\n`);
  }
  if (u.exists !== null) lines.push(`* ${u.exists} EXISTS\r\n`);
  if (u.recent !== null) lines.push(`* ${u.recent} RECENT\r\n`);
  if (lines.length > 0) await ctx.write(lines.join(''));
}
