/**
 * SEARCH evaluation (RFC 3501 §6.4.4, CONDSTORE MODSEQ RFC 7162 §3.1.5,
 * SEARCHRES `$` RFC 5182) over a selected mailbox's view. Flags, sequence
 * numbers and UIDs come from the view; Subject/From/To/Cc/Bcc/Message-ID/
 * In-Reply-To from the per-mailbox header table (search-headers.ts); sizes,
 * dates and modseqs from the stored records; other header fields and text
 * from the message (search-content.ts), for 64 messages at a time: their
 * indexes in one store read, their bodies up to 256 KiB in one `readBlobs`
 * call, the next batch read while this one is matched (so at most two
 * batches, 2 × 16 MiB, are held; bigger bodies are read one by one). Cheap keys of
 * an AND are evaluated first so a `UNSEEN BODY x` search reads few bodies.
 * This file plans and runs the scan; matching one message is
 * search-evaluator.ts, what a key needs is search-key-needs.ts.
 *
 * Bounded: the key tree's depth is capped by the parser; evaluation checks
 * a time budget between batches and stops with `limit` (the command answers
 * NO [LIMIT]); store reads yield to the event loop, so other sessions keep
 * being served (security-cases T44).
 */
import type { AccountStore, MailStore, MessageRecord } from '../store/types.js';
import type { MessageIndex } from '../mime/types.js';
import type { SearchKey } from './protocol/types.js';
import type { MailboxView, ViewEntry } from './mailbox-view.js';
import type { HeaderCache } from './search-headers.js';
import { MessageContent } from './search-content.js';
import { SearchEvaluator } from './search-evaluator.js';
import { cost, needsRecord, usesBody, usesEnvelope } from './search-key-needs.js';

/** What a search needs besides the key. */
export interface SearchContext {
  store: MailStore;
  account: AccountStore;
  view: MailboxView;
  /** UIDs saved by the last SEARCH RETURN (SAVE), for `$`. */
  savedUids: readonly number[];
  /** Absolute time (ms) after which the search gives up. */
  deadline: number;
  now?: () => number;
  /** Cached envelope header fields of the store's mailboxes; without it header keys read each index. */
  headers?: HeaderCache;
}

/** Matching messages in sequence order, or 'limit' when the time budget ran out. */
export type SearchOutcome = { kind: 'done'; matches: { entry: ViewEntry; modseq: number }[] } | { kind: 'limit' };

/** Messages whose content is examined at once: their indexes are one store read, their bodies one batch read. */
const CONTENT_BATCH = 64;

/** One message of a content batch, and what was read for a batch. */
type BatchItem = { m: ViewEntry; rec: MessageRecord };
type LoadedBatch = { items: BatchItem[]; indexes: (MessageIndex | null)[] | null; raws: (Buffer | null | undefined)[] | null };

/** Bodies up to this size are read in the batch; larger ones are read by their message alone. */
const BATCH_BODY_MAX = 256 * 1024;

/** The whole bodies of a batch's small messages in one store call; undefined where not read (too big, or the read failed). */
async function readBodies(store: MailStore, recs: readonly MessageRecord[]): Promise<(Buffer | null | undefined)[]> {
  const out: (Buffer | null | undefined)[] = new Array<Buffer | null | undefined>(recs.length).fill(undefined);
  const at: number[] = [];
  let bytes = 0;
  recs.forEach((r, i) => {
    if (r.size > BATCH_BODY_MAX) return;
    at.push(i);
    bytes += r.size;
  });
  if (at.length === 0) return out;
  const got = await store.readBlobs(at.map((i) => (recs[i] as MessageRecord).blobId), { maxBytes: bytes }).catch(() => null);
  if (got) at.forEach((i, k) => (out[i] = got[k]));
  return out;
}

/**
 * Runs a search over the messages the client knows (messages expunged but not
 * yet reported are skipped). Store failures make a message not match.
 * `modseq` of each match is 0 unless the search read records.
 */
export async function runSearch(ctx: SearchContext, key: SearchKey): Promise<SearchOutcome> {
  const now = ctx.now ?? Date.now;
  const evaluator = new SearchEvaluator(ctx);
  const matches: { entry: ViewEntry; modseq: number }[] = [];
  if (ctx.headers && usesEnvelope(key)) {
    evaluator.rows = await ctx.headers.rowsFor(ctx.store, ctx.account, ctx.view, ctx.deadline, now);
    if (!evaluator.rows) return { kind: 'limit' };
  }
  const records = needsRecord(key, evaluator.rows !== null) ? new Map((await ctx.account.listMessages(ctx.view.name)).map((r) => [r.uid, r])) : null;
  const needsContent = cost(key) > 0;
  const body = usesBody(key);
  if (!records) {
    // Flags, sequence numbers, UIDs and cached header fields only: no store reads, so no awaits per message.
    const view = ctx.view;
    for (const [lo, hi] of evaluator.candidateSeqs(key)) {
      for (let seq = lo; seq <= hi; seq++) {
        const uid = view.uidAt(seq);
        if (!view.isExpunged(uid) && evaluator.matchesInView(key, seq, uid)) matches.push({ entry: view.entry(seq) as ViewEntry, modseq: 0 });
      }
    }
    return { kind: 'done', matches };
  }
  // Batches are pipelined: the next batch's indexes and bodies are read (in the
  // store's reader thread and LevelDB) while this one is matched on the event loop.
  const load = async (items: BatchItem[]): Promise<LoadedBatch> => {
    const [indexes, raws] = await Promise.all([
      ctx.store.getIndexes(items.map((b) => b.rec.blobId)).catch(() => null),
      body ? readBodies(ctx.store, items.map((b) => b.rec)) : null,
    ]);
    return { items, indexes, raws };
  };
  const evaluate = async ({ items, indexes, raws }: LoadedBatch): Promise<void> => {
    const results = await Promise.all(items.map((b, i) => evaluator.matches(key, b.m.seq, b.m, b.rec, new MessageContent(ctx.store, b.rec, indexes ? indexes[i] : undefined, raws ? raws[i] : undefined))));
    results.forEach((hit, i) => {
      const b = items[i] as BatchItem;
      if (hit) matches.push({ entry: b.m, modseq: b.rec.modseq });
    });
  };
  let batch: BatchItem[] = [];
  let loading: Promise<LoadedBatch> | null = null;
  /** Starts reading `batch` and matches the batch read before it; false when the time budget ran out. */
  const advance = async (): Promise<boolean> => {
    if (now() > ctx.deadline) return false;
    const previous = loading;
    loading = batch.length > 0 ? load(batch) : null;
    batch = [];
    if (previous) await evaluate(await previous);
    return true;
  };
  for (const m of ctx.view.entries()) {
    if (m.expunged) continue;
    const rec = records.get(m.uid);
    if (rec === undefined) continue;
    if (!needsContent) {
      if (await evaluator.matches(key, m.seq, m, rec, null)) matches.push({ entry: m, modseq: rec.modseq });
      continue;
    }
    batch.push({ m, rec });
    if (batch.length >= CONTENT_BATCH && !(await advance())) return { kind: 'limit' };
  }
  if (batch.length > 0 && !(await advance())) return { kind: 'limit' };
  if (loading) await evaluate(await loading);
  return { kind: 'done', matches };
}
