// Journal pruning on the SD card's terms (store.md "Journal pruning"): pruned entries are really
// gone from LevelDB, pruning rides in the batch of the write that triggers it (no extra synced
// write), the watermark survives a restart, and a journal written by a release that never pruned
// shrinks a step per change instead of in one long pass.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openStore, type JournalPolicy, type LetterboxStore } from '../../src/store/index.js';
import { keys, modseqOfJournalKey } from '../../src/store/keys.js';
import { checkJournal } from './conformance-journal.js';
import { deliverBody, message, removeDir, seed, tempDir } from './store-fixtures.js';

const A = 'alice@example.com';

/** Modseqs of the journal keys of one mailbox as they are in the index files. */
async function rawJournal(dir: string, mailboxId: number): Promise<number[]> {
  const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'index'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    const out: number[] = [];
    for await (const key of db.keys({ gte: keys.journal(mailboxId, 0), lt: keys.journal(mailboxId + 1, 0) })) out.push(modseqOfJournalKey(key));
    return out;
  } finally {
    await db.close();
  }
}

/** Removes `journalFloor` from a mailbox record, as a release before pruning wrote it. */
async function stripFloor(dir: string, mailboxId: number): Promise<void> {
  const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'index'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    const record = JSON.parse((await db.get(keys.mailbox(mailboxId)))!.toString('utf8')) as Record<string, unknown>;
    assert.ok('journalFloor' in record);
    delete record.journalFloor;
    await db.put(keys.mailbox(mailboxId), Buffer.from(JSON.stringify(record)), { sync: true });
  } finally {
    await db.close();
  }
}

async function open(dir: string, journal: Partial<JournalPolicy>, batches?: number[]): Promise<LetterboxStore> {
  return openStore({ dir, journal, faults: batches ? { beforeBatch: ({ ops }) => void batches.push(ops) } : undefined });
}

describe('disk store: journal pruning', () => {
  it('deletes pruned entries in the batch of the write that crosses the line, and keeps the watermark over a restart', async () => {
    const dir = await tempDir();
    const batches: number[] = [];
    let store = await open(dir, { keepEntries: 4, pruneStep: 2 }, batches);
    try {
      await seed(store, 'alice');
      let acct = await store.account(A);
      for (let i = 0; i < 5; i++) await deliverBody(store, [A], message(`d${i}`));
      assert.equal((await acct.getMailbox('INBOX')).journalFloor, 0);
      batches.length = 0;
      await acct.setFlags('INBOX', [1], 'add', ['\\Seen']);
      // One batch: message, journal entry and mailbox record, plus the deletes of the two oldest entries.
      assert.deepEqual(batches, [3 + 2]);
      batches.length = 0;
      await acct.setFlags('INBOX', [2], 'add', ['\\Seen']);
      assert.deepEqual(batches, [3], 'no prune until the journal is full again');
      const { floor, highest } = await checkJournal(acct, 'INBOX');
      assert.deepEqual([floor, highest], [2, 7]);
      const id = (await acct.getMailbox('INBOX')).id;
      await store.close();
      assert.deepEqual(await rawJournal(dir, id), [3, 4, 5, 6, 7], 'the pruned keys are gone from the index');
      store = await open(dir, { keepEntries: 4, pruneStep: 2 });
      acct = await store.account(A);
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 2, highest: 7 }, 'the watermark is in the mailbox record');
      const stale = await acct.changesSince('INBOX', 1);
      assert.equal(stale.complete, false);
    } finally {
      await store.close();
      await removeDir(dir);
    }
  });

  it('shrinks a journal written before pruning existed by one step per change', async () => {
    const dir = await tempDir();
    let store = await open(dir, { keepEntries: 1000 });
    let id = 0;
    try {
      await seed(store, 'alice');
      let acct = await store.account(A);
      await deliverBody(store, [A], message('legacy'));
      for (let i = 0; i < 19; i++) await acct.setFlags('INBOX', [1], i % 2 === 0 ? 'add' : 'remove', ['\\Seen']);
      id = (await acct.getMailbox('INBOX')).id;
      await store.close();
      await stripFloor(dir, id);
      const batches: number[] = [];
      store = await open(dir, { keepEntries: 4, pruneStep: 3 }, batches);
      acct = await store.account(A);
      // Nothing is lost before a write: the old journal is complete from 0.
      const before = await acct.changesSince('INBOX', 0);
      assert.deepEqual([before.complete, before.floor, before.entries.length], [true, 0, 20]);
      batches.length = 0;
      await acct.setFlags('INBOX', [1], 'add', ['\\Flagged']);
      assert.deepEqual(batches, [3 + 3], 'one step, not the whole backlog, in the one batch of the change');
      assert.equal((await acct.getMailbox('INBOX')).journalFloor, 3);
      for (let i = 0; i < 6; i++) await acct.setFlags('INBOX', [1], i % 2 === 0 ? 'add' : 'remove', ['\\Answered']);
      const box = await acct.getMailbox('INBOX');
      assert.deepEqual([box.journalFloor, box.highestModseq], [21, 27], 'seven changes, seven steps of three');
      await checkJournal(acct, 'INBOX', 4, 3);
      await store.close();
      assert.deepEqual(await rawJournal(dir, id), [22, 23, 24, 25, 26, 27]);
      store = await open(dir, { keepEntries: 4, pruneStep: 3 });
    } finally {
      await store.close();
      await removeDir(dir);
    }
  });

  it('refuses a nonsense policy', async () => {
    const dir = await tempDir();
    try {
      await assert.rejects(openStore({ dir, journal: { keepEntries: 0 } }), RangeError);
      await assert.rejects(openStore({ dir, journal: { keepEntries: 10, pruneStep: 1.5 } }), RangeError);
    } finally {
      await removeDir(dir);
    }
  });
});
