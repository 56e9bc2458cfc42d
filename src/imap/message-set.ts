/**
 * Turning a command's sequence set into messages of the view (RFC 3501
 * §6.4.8 for UIDs, §9 seq-number for message numbers, RFC 5182 `$`).
 * Message numbers past the mailbox end are clipped; a set that names no
 * existing message number is an error (security-cases T41), while a UID set
 * may match nothing.
 */
import type { MailboxView, ViewEntry } from './mailbox-view.js';
import { resolveSequenceSet, type NumberRange } from './protocol/sequence-set.js';
import type { SequenceSet } from './protocol/types.js';

/** Messages a set names, in sequence order; null when a message-number set names none. */
export function resolveMessages(view: MailboxView, set: SequenceSet, uid: boolean, savedUids: readonly number[]): ViewEntry[] | null {
  const n = view.exists;
  const out: ViewEntry[] = [];
  if (uid) {
    const saved = savedUids.map((u): NumberRange => [u, u]);
    const ranges = resolveSequenceSet(set, view.uidAt(n), { saved });
    for (const [lo, hi] of ranges) {
      // Walk only the messages inside [lo, hi]: cost follows the mailbox, not the numbers named.
      for (let s = view.seqOfUidAtLeast(lo); s <= n && view.uidAt(s) <= hi; s++) out.push(view.entry(s) as ViewEntry);
    }
    return out;
  }
  if (n === 0) return null;
  const saved = savedUids.map((u) => view.seqOfUid(u)).filter((s) => s > 0).map((s): NumberRange => [s, s]);
  const ranges = resolveSequenceSet(set, n, { saved, clip: true });
  if (ranges.length === 0 && set.kind !== 'saved') return null;
  for (const [lo, hi] of ranges) for (let s = lo; s <= hi; s++) out.push(view.entry(s) as ViewEntry);
  return out;
}
