// Conformance of the bounded change journal (store.md "Journal pruning"): every mailbox keeps its
// newest changes, the watermark says from where the journal is complete, and `changesSince` says
// whether its answer is everything — for every kind of write, alone and concurrent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountStore, LetterboxStore } from '../../src/store/index.js';
import { commitBody, deliverBody, fakeIndex, message, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

const A = 'alice@example.com';
const KEEP = 4;
const STEP = 2;

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/**
 * The journal invariants for one mailbox: entries are exactly (floor, highestModseq], at most
 * KEEP + STEP - 1 of them, and `changesSince` is complete exactly from the floor on.
 */
export async function checkJournal(acct: AccountStore, name: string, keep = KEEP, step = STEP): Promise<{ floor: number; highest: number }> {
  const box = await acct.getMailbox(name);
  const floor = box.journalFloor;
  const highest = box.highestModseq;
  const all = await acct.changesSince(name, 0);
  assert.equal(all.floor, floor, `${name}: the answer carries the watermark`);
  assert.equal(all.complete, floor === 0, `${name}: history from 0 is complete only while nothing was pruned`);
  assert.deepEqual(all.entries.map((e) => e.modseq), range(floor + 1, highest), `${name}: one entry per modseq after the floor`);
  assert.ok(highest - floor <= keep + step - 1, `${name}: ${highest - floor} entries kept, at most ${keep + step - 1}`);
  assert.ok(highest - floor >= Math.min(highest, keep), `${name}: at least the newest ${keep} are kept`);
  const fromFloor = await acct.changesSince(name, floor);
  assert.equal(fromFloor.complete, true);
  assert.deepEqual(fromFloor.entries, all.entries);
  if (floor > 0) {
    const older = await acct.changesSince(name, floor - 1);
    assert.equal(older.complete, false, `${name}: a reader from before the floor is told history is missing`);
    assert.deepEqual(older.entries, all.entries, `${name}: and gets what is left, never entries at or below the floor`);
  }
  return { floor, highest };
}

export function journalConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: bounded change journal`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    let acct: AccountStore;
    let n = 0;
    const deliver = async (): Promise<number> => (await deliverBody(store, [A], message(`j${++n}`))).result.delivered[0]!.uid;

    before(async () => {
      h = await factory({ journal: { keepEntries: KEEP, pruneStep: STEP } });
      store = h.store;
      await seed(store, 'alice');
      acct = await store.account(A);
    });
    after(() => h.dispose());

    it('keeps the newest changes and raises the watermark in steps', async () => {
      for (let i = 0; i < 3; i++) await deliver();
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 0, highest: 3 });
      await acct.setFlags('INBOX', [1], 'add', ['\\Seen']);
      await acct.setFlags('INBOX', [2], 'add', ['\\Seen']);
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 0, highest: 5 }, 'KEEP + STEP - 1 entries: no prune yet');
      await acct.setFlags('INBOX', [3], 'add', ['\\Seen']);
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 2, highest: 6 }, 'the write reaching KEEP + STEP drops the oldest STEP');
      await acct.expunge('INBOX', [1]);
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 2, highest: 7 });
      await acct.setFlags('INBOX', [2], 'add', ['\\Flagged']);
      assert.deepEqual(await checkJournal(acct, 'INBOX'), { floor: 4, highest: 8 });
      // Messages keep the modseq of their last change whatever the journal holds.
      assert.deepEqual((await acct.listMessages('INBOX')).map((m) => [m.uid, m.modseq]), [
        [2, 8],
        [3, 6],
      ]);
      // Other mailboxes have journals of their own.
      assert.deepEqual(await checkJournal(acct, 'Archive'), { floor: 0, highest: 0 });
    });

    it('tells a reader from before the watermark that history is missing, and one from after it everything', async () => {
      const { floor, highest } = await checkJournal(acct, 'INBOX');
      assert.ok(floor > 0);
      const stale = await acct.changesSince('INBOX', 0);
      assert.deepEqual([stale.complete, stale.floor], [false, floor]);
      const current = await acct.changesSince('INBOX', highest);
      assert.deepEqual(current, { entries: [], complete: true, floor });
      const one = await acct.changesSince('INBOX', highest - 1);
      assert.deepEqual([one.complete, one.entries.map((e) => e.modseq)], [true, [highest]]);
    });

    it('prunes inside one write that adds more entries than it keeps', async () => {
      await acct.createMailbox('Bulk');
      for (let i = 0; i < 7; i++) await store.deliver({ ...(await bodyFor(store, `bulk${i}`)), accounts: [A], mailbox: 'Bulk' });
      await checkJournal(acct, 'Bulk');
      const uids = (await acct.listMessages('Bulk')).map((m) => m.uid);
      const changed = await acct.setFlags('Bulk', uids, 'add', ['\\Seen']);
      assert.equal(changed.length, 7);
      const { floor, highest } = await checkJournal(acct, 'Bulk');
      assert.equal(highest, 14);
      assert.ok(floor >= highest - (KEEP + STEP - 1));
      assert.deepEqual((await acct.changesSince('Bulk', 7)).complete, false, 'a reader at the modseq before the bulk change lost history');
    });

    it('keeps copies, moves, INBOX renames and deleted mailboxes consistent', async () => {
      for (let i = 0; i < 4; i++) await deliver();
      const inbox = (await acct.listMessages('INBOX')).map((m) => m.uid);
      await acct.copyMessages('INBOX', inbox, 'Archive');
      await checkJournal(acct, 'Archive');
      await acct.moveMessages('INBOX', inbox.slice(0, 3), 'Trash');
      await checkJournal(acct, 'INBOX');
      await checkJournal(acct, 'Trash');
      // Renaming INBOX moves every message: appends in the new mailbox, expunges in INBOX.
      await acct.renameMailbox('INBOX', 'Old');
      await checkJournal(acct, 'INBOX');
      await checkJournal(acct, 'Old');
      assert.equal((await acct.getMailbox('INBOX')).messages, 0);
      // A mailbox deleted and created again starts a journal of its own, complete from 0.
      await acct.deleteMailbox('Old');
      await acct.createMailbox('Old');
      const fresh = await acct.changesSince('Old', 0);
      assert.deepEqual(fresh, { entries: [], complete: true, floor: 0 });
      await store.deliver({ ...(await bodyFor(store, 'old1')), accounts: [A], mailbox: 'Old' });
      assert.deepEqual(await checkJournal(acct, 'Old'), { floor: 0, highest: 1 });
    });

    it('stays contiguous and bounded under concurrent writers', async () => {
      await acct.createMailbox('Busy');
      const bodies = await Promise.all(range(1, 12).map((i) => bodyFor(store, `busy${i}`)));
      await Promise.all(bodies.map((b) => store.deliver({ ...b, accounts: [A], mailbox: 'Busy' })));
      const uids = (await acct.listMessages('Busy')).map((m) => m.uid);
      await Promise.all([
        ...uids.map((u) => acct.setFlags('Busy', [u], 'add', ['\\Seen'])),
        acct.expunge('Busy', uids.slice(0, 3)),
        ...uids.slice(5).map((u) => acct.setFlags('Busy', [u], 'add', ['$Later'])),
      ]);
      const { floor } = await checkJournal(acct, 'Busy');
      assert.equal((await acct.getMailbox('Busy')).messages, 9);
      // A message changed after the floor has its last change in the journal, under its modseq.
      const kept = new Map((await acct.changesSince('Busy', floor)).entries.map((e) => [e.modseq, e]));
      for (const r of await acct.listMessages('Busy')) {
        if (r.modseq <= floor) continue;
        const e = kept.get(r.modseq);
        assert.ok(e && e.uid === r.uid && e.type !== 'expunge', `record ${r.uid} at modseq ${r.modseq}`);
        if (e.type === 'flags') assert.deepEqual(e.flags, r.flags);
      }
    });
  });
}

async function bodyFor(store: LetterboxStore, tag: string) {
  const { blobId, size } = await commitBody(store, message(tag));
  return { blobId, index: fakeIndex(size) };
}
