/**
 * Reference counting of message bodies. Every message record holds one
 * reference to its blob; the count and the MIME index (stored once per blob)
 * change in the same batch as the records. When a count reaches zero the
 * count and index entries are deleted in that batch and the file is deleted
 * after it is synced (a crash in between leaves an orphan file, swept at open).
 */
import type { MessageIndex } from '../mime/types.js';
import { decodeValue, del, keys, messageRange, put, uidOfMessageKey, type BlobRefValue, type IndexOp, type MessageValue } from './keys.js';
import type { StoreCore } from './store-core.js';

/** Current reference counts (as they will be after everything queued is written). */
export async function readRefs(core: StoreCore, blobIds: Iterable<string>): Promise<Map<string, BlobRefValue | null>> {
  const out = new Map<string, BlobRefValue | null>();
  for (const id of blobIds) {
    if (out.has(id)) continue;
    const raw = await core.committer.read(keys.blobRef(id));
    out.set(id, raw ? decodeValue<BlobRefValue>(raw) : null);
  }
  return out;
}

/**
 * Appends the ops that apply `deltas` (blob id → change in references) to
 * `refs`, writing `index` for blobs that gain their first reference.
 * Returns the ids whose last reference goes. Never throws.
 */
export function refOps(
  ops: IndexOp[],
  refs: Map<string, BlobRefValue | null>,
  deltas: Map<string, number>,
  added?: { size: number; index: MessageIndex },
): string[] {
  const released: string[] = [];
  for (const [id, delta] of deltas) {
    if (delta === 0) continue;
    const current = refs.get(id) ?? null;
    const count = (current?.refs ?? 0) + delta;
    if (count <= 0) {
      ops.push(del(keys.blobRef(id)), del(keys.blobIndex(id)));
      released.push(id);
      continue;
    }
    const size = current?.size ?? added?.size ?? 0;
    ops.push(put(keys.blobRef(id), { refs: count, size } satisfies BlobRefValue));
    if (!current && added) ops.push(put(keys.blobIndex(id), added.index));
  }
  return released;
}

/** One stored message with its key. */
export interface StoredMessage {
  key: Buffer;
  uid: number;
  value: MessageValue;
}

/**
 * Every message of a mailbox straight from disk. Call only after
 * `core.flush()` inside a preparation, so nothing queued is missed.
 */
export async function readMailboxMessages(core: StoreCore, mailboxId: number, fromUid = 0, toUid?: number): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  // Batches of entries per native call: a SELECT of 10,000 messages costs a few calls, not 10,000 awaits.
  const it = core.db.iterator(messageRange(mailboxId, fromUid, toUid));
  try {
    for (;;) {
      const batch = await it.nextv(1024);
      if (batch.length === 0) break;
      for (const [k, v] of batch) {
        const key = Buffer.from(k);
        out.push({ key, uid: uidOfMessageKey(key), value: decodeValue<MessageValue>(v) });
      }
    }
  } finally {
    await it.close();
  }
  return out;
}

/** Adds one to `deltas[id]` (or `by`). */
export function bump(deltas: Map<string, number>, id: string, by: number): void {
  deltas.set(id, (deltas.get(id) ?? 0) + by);
}
