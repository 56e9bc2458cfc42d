/**
 * Turning a command's sequence set into messages of the view (RFC 3501
 * §6.4.8 for UIDs, §9 seq-number for message numbers, RFC 5182 `$`).
 * Message numbers past the mailbox end are clipped; a set that names no
 * existing message number is an error (security-cases T41), while a UID set
 * may match nothing.
 *
 * Cost follows the mailbox, never the numbers named: `1:4294967295` and
 * `1,2,3,…` (as many as fit in a command line) resolve to merged ranges first,
 * and only messages inside them are visited.
 */
import type { MailboxView, ViewEntry } from './mailbox-view.js';
import { resolveSequenceSet, type NumberRange } from './protocol/sequence-set.js';
import type { SequenceSet } from './protocol/types.js';

/** Sequence-number ranges a set names, sorted and within 1..exists; null when a message-number set names none. */
export function resolveSeqRanges(view: MailboxView, set: SequenceSet, uid: boolean, savedUids: readonly number[]): NumberRange[] | null {
  const n = view.exists;
  if (uid) {
    const saved = savedUids.map((u): NumberRange => [u, u]);
    const out: NumberRange[] = [];
    for (const [lo, hi] of resolveSequenceSet(set, view.uidAt(n), { saved })) {
      const first = view.seqOfUidAtLeast(lo);
      const last = view.seqOfUidAtLeast(hi + 1) - 1;
      if (first > last) continue;
      const prev = out[out.length - 1];
      if (prev && prev[1] + 1 >= first) out[out.length - 1] = [prev[0], Math.max(prev[1], last)];
      else out.push([first, last]);
    }
    return out;
  }
  if (n === 0) return null;
  const saved = savedUids.map((u) => view.seqOfUid(u)).filter((s) => s > 0).map((s): NumberRange => [s, s]);
  const ranges = resolveSequenceSet(set, n, { saved, clip: true });
  if (ranges.length === 0 && set.kind !== 'saved') return null;
  return ranges;
}

/** Messages a set names, in sequence order; null when a message-number set names none. */
export function resolveMessages(view: MailboxView, set: SequenceSet, uid: boolean, savedUids: readonly number[]): ViewEntry[] | null {
  const ranges = resolveSeqRanges(view, set, uid, savedUids);
  if (!ranges) return null;
  const out: ViewEntry[] = [];
  for (const [lo, hi] of ranges) for (let s = lo; s <= hi; s++) out.push(view.entry(s) as ViewEntry);
  return out;
}

/** Number of messages in resolved ranges. */
export function countInRanges(ranges: readonly NumberRange[]): number {
  let n = 0;
  for (const [lo, hi] of ranges) n += hi - lo + 1;
  return n;
}
