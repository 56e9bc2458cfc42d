/**
 * FETCH / UID FETCH (RFC 3501 §6.4.5, §6.4.8) with CHANGEDSINCE and
 * VANISHED (RFC 7162 §3.1.4.1, §3.2.6). Messages are answered one at a time
 * and each response waits for the socket to drain, so `UID FETCH 1:*
 * (BODY.PEEK[])` over a large mailbox streams with bounded memory (T41).
 * No EXPUNGE is sent during or right after a plain FETCH (RFC 3501 §7.4.1).
 */
import { fetchMessage, needsRecord, setsSeen } from '../fetch-message.js';
import { loadRecords } from '../message-records.js';
import { resolveMessages } from '../message-set.js';
import { formatSequenceSet, rangesContain, resolveSequenceSet } from '../protocol/sequence-set.js';
import type { FetchAttribute } from '../protocol/types.js';
import { bad, defineCommand, no, ok, selectedState } from '../session.js';

/** Bytes of FETCH responses gathered before one socket write. */
const BATCH_BYTES = 64 * 1024;
/** Messages whose records are read from the store at once. */
const CHUNK = 500;

export const fetchCommand = defineCommand({
  names: ['FETCH'],
  states: ['selected'],
  allowsExpunge: (cmd) => cmd.uid,
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    const view = s.view;
    let targets = resolveMessages(view, cmd.set, cmd.uid, ctx.savedUids);
    if (!targets) return bad('Invalid message number');
    const items: FetchAttribute[] = [...cmd.items];
    if (cmd.uid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
    if (cmd.changedSince !== null || items.some((i) => i.kind === 'MODSEQ')) ctx.enabled.add('CONDSTORE');
    if (cmd.changedSince !== null) {
      const since = cmd.changedSince;
      const recs = await loadRecords(s.account, view.name, targets.map((t) => t.uid));
      targets = targets.filter((t) => BigInt(recs.get(t.uid)?.modseq ?? 0) > since);
      if (!items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
    }
    if (cmd.vanished) {
      if (!cmd.uid || cmd.changedSince === null || !ctx.enabled.has('QRESYNC')) return bad('VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC');
      const ranges = resolveSequenceSet(cmd.set, view.uidNext - 1);
      const gone = new Set<number>();
      for (const e of await s.account.changesSince(view.name, Number(cmd.changedSince))) {
        if (e.type === 'expunge' && e.modseq <= view.highestModseq && rangesContain(ranges, e.uid) && !view.byUid(e.uid)) gone.add(e.uid);
      }
      if (gone.size > 0) await ctx.untagged(`VANISHED (EARLIER) ${formatSequenceSet([...gone].sort((a, b) => a - b))}`);
    }
    if (setsSeen(items) && !view.readOnly) {
      const unseen = targets.filter((t) => !t.expunged && !t.flags.includes('\\Seen')).map((t) => t.uid);
      if (unseen.length > 0) {
        view.applyOwnFlags(await s.account.setFlags(view.name, unseen, 'add', ['\\Seen']));
        ctx.touchView();
        // RFC 3501 §6.4.5: flags that changed implicitly are reported with the data.
        if (!items.some((i) => i.kind === 'FLAGS')) items.push({ kind: 'FLAGS' });
      }
    }
    let missing = false;
    // Small responses (FLAGS of a whole mailbox) are written in batches, large ones as they come.
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const out = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch);
      batch = [];
      batched = 0;
      await ctx.write(out);
    };
    const withRecords = needsRecord(items);
    for (let i = 0; i < targets.length; i += CHUNK) {
      const chunk = targets.slice(i, i + CHUNK);
      const records = withRecords ? await loadRecords(s.account, view.name, chunk.filter((t) => !t.expunged).map((t) => t.uid)) : null;
      for (const t of chunk) {
        // Flags as this session knows them now (its own \Seen change included).
        const entry = view.byUid(t.uid) ?? t;
        const parts = await fetchMessage(ctx.services.store, entry, records?.get(t.uid) ?? null, items);
        if (!parts) {
          missing = true;
          continue;
        }
        for (const p of parts) {
          if (!Buffer.isBuffer(p)) continue;
          batch.push(p);
          batched += p.length;
        }
        if (batched >= BATCH_BYTES) await flush();
      }
    }
    await flush();
    return missing ? no('Some messages were expunged meanwhile', 'EXPUNGEISSUED') : ok('FETCH completed');
  },
});
