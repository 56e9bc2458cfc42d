/**
 * Turning a command's sequence set into messages of the view (RFC 3501
 * §6.4.8 for UIDs, §9 seq-number for message numbers, RFC 5182 `$`).
 * Message numbers past the mailbox end are clipped; a set that names no
 * existing message number is an error (security-cases T41), while a UID set
 * may match nothing.
 */
import type { MailboxView, ViewMessage } from './mailbox-view.js';
import { resolveSequenceSet, type NumberRange } from './protocol/sequence-set.js';
import type { SequenceSet } from './protocol/types.js';

/** One addressed message with its current sequence number. */
export interface Addressed {
  seq: number;
  message: ViewMessage;
}

/** Messages a set names, in sequence order; null when a message-number set names none. */
export function resolveMessages(view: MailboxView, set: SequenceSet, uid: boolean, savedUids: readonly number[]): Addressed[] | null {
  const msgs = view.messages;
  const out: Addressed[] = [];
  if (uid) {
    const saved = savedUids.map((u): NumberRange => [u, u]);
    const ranges = resolveSequenceSet(set, msgs[msgs.length - 1]?.uid ?? 0, { saved });
    for (const [lo, hi] of ranges) {
      // Walk only the messages inside [lo, hi]: cost follows the mailbox, not the numbers named.
      let i = Math.max(0, view.seqOfUidAtLeast(lo) - 1);
      for (; i < msgs.length; i++) {
        const m = msgs[i] as ViewMessage;
        if (m.uid > hi) break;
        out.push({ seq: i + 1, message: m });
      }
    }
    return out;
  }
  if (msgs.length === 0) return null;
  const saved = savedUids.map((u) => view.seqOfUid(u)).filter((s) => s > 0).map((s): NumberRange => [s, s]);
  const ranges = resolveSequenceSet(set, msgs.length, { saved, clip: true });
  if (ranges.length === 0 && set.kind !== 'saved') return null;
  for (const [lo, hi] of ranges) for (let s = lo; s <= hi; s++) out.push({ seq: s, message: msgs[s - 1] as ViewMessage });
  return out;
}
