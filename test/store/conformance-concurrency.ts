// Conformance, part 4: many callers at once. Mutations are prepared one at a
// time against state that includes everything queued but not yet written,
// so concurrent deliveries, flag changes and expunges must leave counters,
// quota usage, journal and blob references exactly consistent.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { LetterboxStore } from '../../src/store/index.js';
import { commitBody, fakeIndex, message, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

const A = 'alice@example.com';
const B = 'bob@example.com';

export function concurrencyConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: concurrency`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
      await seed(store, 'alice', 'bob');
    });
    afterEach(() => h.dispose());

    it('keeps counters, quota, journal and blob references consistent under concurrent mutations', async () => {
      const bodies = Array.from({ length: 30 }, (_, i) => message(`c${i}`, i * 10));
      const blobs = await Promise.all(bodies.map((b) => commitBody(store, b, 50)));
      const acct = await store.account(A);
      const ops: Promise<unknown>[] = [];
      for (const [i, b] of blobs.entries()) {
        ops.push(store.deliver({ blobId: b.blobId, index: fakeIndex(b.size), accounts: i % 3 === 0 ? [A, B] : [A] }));
        // Interleave changes to messages that may or may not be delivered yet.
        if (i % 4 === 1) ops.push(acct.setFlags('INBOX', [i, i - 1], 'add', ['\\Seen']));
        if (i % 5 === 2) ops.push(acct.expunge('INBOX', [i - 1]));
      }
      await Promise.all(ops);

      const msgs = await acct.listMessages('INBOX');
      const box = await acct.getMailbox('INBOX');
      assert.equal(box.messages, msgs.length);
      assert.equal(box.unseen, msgs.filter((m) => !m.flags.includes('\\Seen')).length);
      assert.equal(box.bytes, msgs.reduce((n, m) => n + m.size, 0));
      assert.equal((await store.getAccount(A))?.usedBytes, box.bytes);
      assert.equal(box.uidNext, 31, 'every delivery got its own UID');
      assert.deepEqual(msgs.map((m) => m.uid), [...new Set(msgs.map((m) => m.uid))].sort((a, b) => a - b));
      // Replaying the journal gives exactly the current messages and modseqs.
      const journal = (await acct.changesSince('INBOX', 0)).entries;
      assert.deepEqual(journal.map((e) => e.modseq), Array.from({ length: box.highestModseq }, (_, i) => i + 1), 'one entry per modseq, no gaps');
      const alive = new Map<number, number>();
      for (const e of journal) {
        if (e.type === 'expunge') alive.delete(e.uid);
        else alive.set(e.uid, e.modseq);
      }
      assert.deepEqual([...alive.entries()].sort((a, b) => a[0] - b[0]), msgs.map((m) => [m.uid, m.modseq]));

      // Expunge everything everywhere: every body goes.
      await Promise.all([acct.expunge('INBOX', msgs.map((m) => m.uid)), (async () => {
        const bob = await store.account(B);
        await bob.expunge('INBOX', (await bob.listMessages('INBOX')).map((m) => m.uid));
      })()]);
      assert.equal(await store.countBlobs(), 0);
      assert.equal((await store.getAccount(A))?.usedBytes, 0);
      assert.equal((await store.getAccount(B))?.usedBytes, 0);
    });
  });
}
