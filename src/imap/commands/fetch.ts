/**
 * FETCH / UID FETCH (RFC 3501 §6.4.5, §6.4.8) with CHANGEDSINCE and
 * VANISHED (RFC 7162 §3.1.4.1, §3.2.6). Messages are answered one at a time
 * and each response waits for the socket to drain, so `UID FETCH 1:*
 * (BODY.PEEK[])` over a large mailbox streams with bounded memory (T41).
 * No EXPUNGE is sent during or right after a plain FETCH (RFC 3501 §7.4.1).
 */
import { fetchMessage, needsRecord, setsSeen } from '../fetch-message.js';
import { loadRecords } from '../message-records.js';
import type { MailboxView } from '../mailbox-view.js';
import { resolveMessages, resolveSeqRanges } from '../message-set.js';
import { formatRanges, resolveSequenceSet, type NumberRange } from '../protocol/sequence-set.js';
import type { FetchAttribute } from '../protocol/types.js';
import { bad, defineCommand, no, ok, selectedState, type CommandContext } from '../session.js';
import { vanishedEarlier } from '../vanished.js';

/** Bytes of FETCH responses gathered before one socket write. */
const BATCH_BYTES = 64 * 1024;
/**
 * FLAGS lines go out in a first write of 16 K characters, so the client reads while the rest is
 * built, then in writes of 128 K, each waiting for the socket to drain (memory bounded).
 */
const FLAG_FIRST_CHARS = 16 * 1024;
const FLAG_WRITE_CHARS = 128 * 1024;
/** Messages whose records are read from the store at once. */
const CHUNK = 500;

export const fetchCommand = defineCommand({
  names: ['FETCH'],
  states: ['selected'],
  allowsExpunge: (cmd) => cmd.uid,
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    const view = s.view;
    const items: FetchAttribute[] = [...cmd.items];
    if (cmd.uid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
    if (cmd.changedSince === null && !cmd.vanished && items.every((i) => i.kind === 'UID' || i.kind === 'FLAGS')) {
      const ranges = resolveSeqRanges(view, cmd.set, cmd.uid, ctx.savedUids);
      if (!ranges) return bad('Invalid message number');
      await writeFlagLines(ctx, view, ranges, items);
      return ok('FETCH completed');
    }
    let targets = resolveMessages(view, cmd.set, cmd.uid, ctx.savedUids);
    if (!targets) return bad('Invalid message number');
    if (cmd.changedSince !== null || items.some((i) => i.kind === 'MODSEQ')) ctx.enabled.add('CONDSTORE');
    if (cmd.changedSince !== null) {
      const since = cmd.changedSince;
      const recs = await loadRecords(s.account, view.name, targets.map((t) => t.uid));
      targets = targets.filter((t) => BigInt(recs.get(t.uid)?.modseq ?? 0) > since);
      if (!items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
    }
    if (cmd.vanished) {
      if (!cmd.uid || cmd.changedSince === null || !ctx.enabled.has('QRESYNC')) return bad('VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC');
      // RFC 7162 §3.2.6: before any FETCH response; a superset when the journal no longer reaches back.
      const gone = await vanishedEarlier(s.account, view, { since: Number(cmd.changedSince), ranges: resolveSequenceSet(cmd.set, view.uidNext - 1) });
      if (gone.length > 0) await ctx.untagged(`VANISHED (EARLIER) ${formatRanges(gone)}`);
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

/**
 * `FETCH … (UID FLAGS)` straight from the view's columns: the resync every
 * client runs on a large mailbox (`UID FETCH 1:* (FLAGS)`). No entry objects,
 * no store reads; the text of each distinct flag set is built once (the view
 * shares one array per flag combination). Flags are atoms (the store accepts
 * nothing else), so no quoting is needed.
 */
async function writeFlagLines(ctx: CommandContext, view: MailboxView, ranges: readonly NumberRange[], items: readonly FetchAttribute[]): Promise<void> {
  const flagText = new Map<readonly string[], string>();
  const textOf = (flags: readonly string[], recent: boolean): string => {
    let t = flagText.get(flags);
    if (t === undefined) {
      t = flags.join(' ');
      flagText.set(flags, t);
    }
    return recent ? (t.length > 0 ? `${t} \\Recent` : '\\Recent') : t;
  };
  const kinds = items.map((i) => i.kind);
  let chunk = '';
  let limit = FLAG_FIRST_CHARS;
  for (const [lo, hi] of ranges) {
    for (let seq = lo; seq <= hi; seq++) {
      const uid = view.uidAt(seq);
      const flags = `FLAGS (${textOf(view.flagsAt(seq), view.isRecent(uid))})`;
      let body = '';
      for (const k of kinds) body += `${body.length > 0 ? ' ' : ''}${k === 'UID' ? `UID ${uid}` : flags}`;
      chunk += `* ${seq} FETCH (${body})\r\n`;
      if (chunk.length >= limit) {
        await ctx.write(chunk);
        chunk = '';
        limit = FLAG_WRITE_CHARS;
      }
    }
  }
  if (chunk.length > 0) await ctx.write(chunk);
}
