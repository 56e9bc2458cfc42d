// The in-memory store goes through the same reopen after a write error as the
// disk store (it closes and reopens its memory-level database).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../../src/errors.js';
import { diskFullError, openMemoryStore } from '../../src/store/index.js';
import { rejectsKind } from './conformance-directory.js';
import { commitBody, deliverBody, fakeIndex, message, seed } from './store-fixtures.js';

const A = 'alice@example.com';

describe('memory store: recovery', () => {
  it('fails temporary, reloads its caches on reopen and continues with consistent counters', async () => {
    const fault = { on: false };
    const store = await openMemoryStore({
      faults: {
        beforeBatch: () => {
          if (fault.on) throw diskFullError();
        },
      },
      reopen: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    try {
      await seed(store, 'alice');
      await deliverBody(store, [A], message('m1'));
      const { blobId, size } = await commitBody(store, message('m2'));
      fault.on = true;
      const failed = await Promise.allSettled([
        store.deliver({ blobId, index: fakeIndex(size), accounts: [A] }),
        store.addAccount('bob@example.com', 'hash'),
      ]);
      assert.ok(failed.every((r) => r.status === 'rejected' && isMailError(r.reason, 'temporary')));
      assert.equal(store.isWritable(), false);
      const healed = store.whenWritable();
      await rejectsKind(store.addDomain('late.example.org'), 'temporary');
      fault.on = false;
      await healed;
      // The failed mutations left no trace in the caches: no bob, no UID 2 used, quota as before.
      assert.equal(await store.getAccount('bob@example.com'), null);
      const acct = await store.account(A);
      const box = await acct.getMailbox('INBOX');
      assert.deepEqual([box.messages, box.uidNext, box.highestModseq], [1, 2, 1]);
      assert.equal((await store.getAccount(A))?.usedBytes, message('m1').length);
      await store.deliver({ blobId, index: fakeIndex(size), accounts: [A] });
      assert.deepEqual((await acct.listMessages('INBOX')).map((m) => m.uid), [1, 2]);
    } finally {
      await store.close();
    }
  });
});
