/**
 * What `VANISHED (EARLIER)` reports (RFC 7162 §3.2.10.1), for SELECT/EXAMINE
 * with QRESYNC (§3.2.5.1) and for UID FETCH with CHANGEDSINCE and VANISHED
 * (§3.2.6): the UIDs of the client's range expunged after its modseq.
 *
 * The store keeps only the newest part of each mailbox's journal
 * (docs/store.md). While it holds every change after the client's modseq the
 * answer is exact. When the modseq is older than that, the expunges in
 * between are unknown, and §3.2.6 says what to do: "behave as if it was
 * requested to report all expunged messages from the provided UID set". So
 * the answer is every UID of the range, below UIDNEXT, that the mailbox no
 * longer holds — a superset of what the client still has, which §3.2.10
 * allows (VANISHED (EARLIER) may name UIDs the client never saw). The
 * client's sequence match data (§3.2.5.2) narrows it where it matches.
 *
 * Both answers describe the mailbox as the session's view knows it, at the
 * view's modseq: a message expunged after that is still in the view and is
 * reported later as a plain VANISHED, when the view catches up.
 */
import type { AccountStore } from '../store/types.js';
import type { MailboxView } from './mailbox-view.js';
import { mergeRanges, rangesContain, type NumberRange } from './protocol/sequence-set.js';
import type { QresyncParams, SequenceSet } from './protocol/types.js';

/** A VANISHED (EARLIER) question. */
export interface VanishedQuery {
  /** The client's modseq (CHANGEDSINCE, or QRESYNC's second parameter). */
  since: number;
  /** The client's UIDs: known-uids, or the UID FETCH set (sorted, merged). */
  ranges: readonly NumberRange[];
  /**
   * UIDs up to this one need no report: the client's sequence match data
   * showed it knows every expunge below (§3.2.5.2). Used only when the
   * journal no longer reaches back to `since`. 0 when not given.
   */
  knownThrough?: number;
}

/** The UIDs to report as VANISHED (EARLIER), as sorted, merged ranges (empty: send nothing). */
export async function vanishedEarlier(account: AccountStore, view: MailboxView, q: VanishedQuery): Promise<NumberRange[]> {
  const changes = await account.changesSince(view.name, q.since);
  if (!changes.complete) return notHeld(view, q.ranges, q.knownThrough ?? 0);
  const gone: NumberRange[] = [];
  for (const e of changes.entries) {
    if (e.type === 'expunge' && e.modseq <= view.highestModseq && rangesContain(q.ranges, e.uid) && !view.byUid(e.uid)) gone.push([e.uid, e.uid]);
  }
  return mergeRanges(gone);
}

/**
 * UIDs in `ranges`, above `above` and below the view's UIDNEXT, that the view
 * does not hold: the gaps between held UIDs. Costs the messages inside the
 * ranges, never the width of the ranges (`1:4294967295` is one range).
 */
export function notHeld(view: MailboxView, ranges: readonly NumberRange[], above: number): NumberRange[] {
  const ceiling = view.uidNext - 1;
  const out: NumberRange[] = [];
  for (const [from, to] of ranges) {
    const lo = Math.max(from, above + 1, 1);
    const hi = Math.min(to, ceiling);
    if (lo > hi) continue;
    let next = lo;
    for (const uid of view.heldUids(lo, hi)) {
      if (uid > next) out.push([next, uid - 1]);
      next = uid + 1;
    }
    if (next <= hi) out.push([next, hi]);
  }
  return mergeRanges(out);
}

/** The members of a set in the order given (`a:b` ascending either way); `*` is `max`. */
function* members(set: SequenceSet, max: number): Generator<number> {
  if (set.kind !== 'ranges') return;
  for (const r of set.ranges) {
    const a = r.start === '*' ? max : r.start;
    const b = r.end === '*' ? max : r.end;
    for (let n = Math.min(a, b); n <= Math.max(a, b); n++) yield n;
  }
}

/**
 * RFC 7162 §3.2.5.2: the highest UID below which the client provably knows
 * every expunge. Pairs are taken in the client's order while they ascend and
 * match the mailbox (its Nth message has that UID); the first pair that does
 * not ends the walk, so the answer errs towards reporting more, never less.
 * At most one step per message of the mailbox, however large the sets.
 */
export function seqMatchFloor(view: MailboxView, match: QresyncParams['seqMatch']): number {
  if (!match) return 0;
  const seqs = members(match.seqs, view.exists);
  const uids = members(match.uids, view.uidNext - 1);
  let floor = 0;
  let lastSeq = 0;
  for (;;) {
    const s = seqs.next();
    const u = uids.next();
    if (s.done || u.done) break;
    if (s.value <= lastSeq || u.value <= floor || view.uidAt(s.value) !== u.value) break;
    lastSeq = s.value;
    floor = u.value;
  }
  return floor;
}
