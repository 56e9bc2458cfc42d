/**
 * Reading the stored records (size, internal date, body id, modseq) of the
 * messages a command touches. The view keeps only UIDs and flags (see
 * mailbox-view.ts), so FETCH, SEARCH and QRESYNC read records here: UIDs are
 * grouped into runs and each run is one range scan of the store.
 */
import type { AccountStore, MessageRecord } from '../store/types.js';

/** Gap between UIDs above which a second range scan is cheaper than reading through. */
const MAX_GAP = 256;

/** Records of the given UIDs (missing ones — expunged — are absent from the map). */
export async function loadRecords(account: AccountStore, mailbox: string, uids: readonly number[]): Promise<Map<number, MessageRecord>> {
  const out = new Map<number, MessageRecord>();
  if (uids.length === 0) return out;
  const sorted = [...uids].sort((a, b) => a - b);
  const wanted = new Set(sorted);
  let start = sorted[0] as number;
  let prev = start;
  const flush = async (from: number, to: number) => {
    for (const r of await account.listMessages(mailbox, from, to)) if (wanted.has(r.uid)) out.set(r.uid, r);
  };
  for (let i = 1; i < sorted.length; i++) {
    const u = sorted[i] as number;
    if (u - prev > MAX_GAP) {
      await flush(start, prev);
      start = u;
    }
    prev = u;
  }
  await flush(start, prev);
  return out;
}
