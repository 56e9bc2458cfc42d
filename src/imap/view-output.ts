/**
 * Writes a mailbox view's changes as untagged responses (RFC 3501 §7.3.1
 * EXISTS, §7.3.2 RECENT, §7.4.1 EXPUNGE, §7.4.2 FETCH; RFC 7162 §3.2.10
 * VANISHED, §3.1.4 MODSEQ in unsolicited FETCH when CONDSTORE is on), and
 * watches the selected mailbox so a session knows when there is something
 * to write (ARCHITECTURE rule 4).
 */
import type { ChangeEvent, MailStore } from '../store/types.js';
import type { MailboxView, ViewUpdate } from './mailbox-view.js';
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

/**
 * A session's watch on its selected mailbox. The store announces every
 * committed change in-process; the watch only marks the view as changed and
 * wakes whoever waits for changes (IDLE). The changes themselves are pulled
 * from the journal and written when the session syncs, which it does only at
 * the moments IMAP allows (RFC 3501 §5.2, §7.4.1: no EXPUNGE after FETCH,
 * STORE or SEARCH).
 */
export class SelectedMailboxWatch {
  private dirty = false;
  private readonly watchers = new Set<() => void>();
  private off: (() => void) | null = null;

  /** Starts listening to the store (at login); `selected` gives the session's selected view when a change arrives. */
  listen(store: MailStore, selected: () => MailboxView | null): void {
    this.off = store.onChange((c) => this.onStoreChange(c, selected()));
  }

  /** The view changed (a new SELECT, or this session's own change): the next sync pulls the journal. */
  markChanged(): void {
    this.dirty = true;
  }

  /** Calls `cb` whenever the selected mailbox changes, until the returned function is called. */
  watch(cb: () => void): () => void {
    this.watchers.add(cb);
    return () => this.watchers.delete(cb);
  }

  /** Pulls pending changes of `view` and writes them to `ctx`; expunges only when `allowExpunge`. */
  async sync(ctx: CommandContext, view: MailboxView, allowExpunge: boolean): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      await view.refresh();
    }
    await writeViewUpdate(ctx, view.takeUpdate({ allowExpunge, qresync: ctx.enabled.has('QRESYNC') }));
  }

  private onStoreChange(change: ChangeEvent, view: MailboxView | null): void {
    if (!view || change.mailboxId !== view.mailboxId) return;
    if (change.mailbox !== view.name) view.noteRenamed(change.mailbox);
    this.dirty = true;
    for (const cb of this.watchers) cb();
  }

  /** Stops listening to the store (the connection closed). */
  stop(): void {
    this.off?.();
    this.off = null;
  }
}
