// Conformance, part 3: the body writer's life cycle, filing options and change listeners.
// Run against every MailStore implementation (memory and disk).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ChangeEvent, LetterboxStore } from '../../src/store/index.js';
import { rejectsKind } from './conformance-directory.js';
import { commitBody, deliverBody, fakeIndex, message, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

const A = 'alice@example.com';
const B = 'bob@example.com';

export function blobConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: bodies and filing`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
      await seed(store, 'alice', 'bob');
    });
    afterEach(() => h.dispose());

    it('names a body by the SHA-256 of its bytes and counts them', async () => {
      const bytes = message('hash', 70_000);
      const w = store.createBlob();
      // Writes issued without waiting still land in order.
      const writes = [];
      for (let i = 0; i < bytes.length; i += 1000) writes.push(w.write(bytes.subarray(i, i + 1000)));
      await Promise.all(writes);
      assert.equal(w.size, bytes.length);
      const { blobId, size } = await w.commit();
      assert.equal(blobId, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(size, bytes.length);
      await w.abort(); // after commit: nothing happens, the body stays
      await store.deliver({ blobId, index: fakeIndex(size), accounts: [A] });
      assert.deepEqual(await store.readBlobRange(blobId, 0, bytes.length), bytes);
    });

    it('reads several whole bodies in one call, null for a missing one, within the byte budget', async () => {
      const small = await deliverBody(store, [A], message('small'));
      const big = await deliverBody(store, [A, B], message('big', 70_000));
      const empty = await deliverBody(store, [B], Buffer.alloc(0));
      const missing = 'ab'.repeat(32);
      assert.deepEqual(await store.readBlobs([]), []);
      const got = await store.readBlobs([small.blobId, big.blobId, missing, empty.blobId, small.blobId]);
      assert.deepEqual(got, [message('small'), message('big', 70_000), null, Buffer.alloc(0), message('small')]);
      // The budget is the memory bound: exactly enough works, one byte less reads nothing.
      const both = small.size + big.size;
      assert.equal((await store.readBlobs([small.blobId, big.blobId], { maxBytes: both })).length, 2);
      await rejectsKind(store.readBlobs([small.blobId, big.blobId], { maxBytes: both - 1 }), 'tooBig');
      await rejectsKind(store.readBlobs([small.blobId, '../../etc/passwd']), 'notFound');
      await rejectsKind(store.readBlobs(new Array<string>(257).fill(small.blobId)), 'invalid');
      await rejectsKind(store.readBlobs([small.blobId], { maxBytes: -1 }), 'invalid');
      await rejectsKind(store.readBlobs([small.blobId], { maxBytes: 17 * 1024 * 1024 }), 'invalid');
      // Overlapping calls each get their own answer.
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => store.readBlobs(i % 2 ? [big.blobId] : [small.blobId, empty.blobId])));
      many.forEach((r, i) => assert.deepEqual(r, i % 2 ? [message('big', 70_000)] : [message('small'), Buffer.alloc(0)]));
      // A body whose last message is expunged reads as null.
      await (await store.account(A)).expunge('INBOX', [1]);
      assert.deepEqual(await store.readBlobs([small.blobId, big.blobId]), [null, message('big', 70_000)]);
      await store.close();
      await rejectsKind(store.readBlobs([big.blobId]), 'temporary');
    });

    it('aborted and finished writers take no more bytes', async () => {
      const w = store.createBlob();
      await w.write(Buffer.from('half a message'));
      await w.abort();
      await w.abort();
      await rejectsKind(w.write(Buffer.from('more')), 'invalid');
      await rejectsKind(w.commit(), 'invalid');
      assert.equal(await store.countBlobs(), 0);
      const done = await commitBody(store, message('done'));
      assert.equal(await store.countBlobs(), 1);
      assert.match(done.blobId, /^[0-9a-f]{64}$/);
    });

    it('files into a named mailbox with flags, falling back to INBOX when it does not exist', async () => {
      await (await store.account(B)).createMailbox('Lists');
      const { blobId, size } = await commitBody(store, message('filed'));
      const r = await store.deliver({ blobId, index: fakeIndex(size), accounts: [A, B], mailbox: 'Lists', flags: ['\\Flagged', '\\seen'], internalDate: 1_600_000_000_000 });
      assert.deepEqual(r.delivered, [
        { account: A, mailbox: 'INBOX', uid: 1 },
        { account: B, mailbox: 'Lists', uid: 1 },
      ]);
      const [rec] = await (await store.account(B)).listMessages('Lists');
      assert.deepEqual([rec?.flags, rec?.internalDate], [['\\Flagged', '\\Seen'], 1_600_000_000_000]);
      assert.equal((await (await store.account(B)).getMailbox('Lists')).unseen, 0);
      await rejectsKind(store.deliver({ blobId, index: fakeIndex(size), accounts: [A], flags: ['\\Recent'] }), 'invalid');
    });

    it('publishes one event per changed mailbox after commit; a throwing listener hurts no one', async () => {
      const seen: ChangeEvent[] = [];
      store.onChange(() => {
        throw new Error('listener bug');
      });
      store.onChange((e) => seen.push(e));
      const { result } = await deliverBody(store, [A, B], message('evt'));
      assert.equal(result.delivered.length, 2);
      assert.deepEqual(seen.map((e) => [e.account, e.mailbox, e.modseq]).sort(), [
        [A, 'INBOX', 1],
        [B, 'INBOX', 1],
      ]);
      const acct = await store.account(A);
      // Events arrive after the change is committed: a listener that reads sees it.
      const readInListener = new Promise<number>((resolve) => {
        const off = store.onChange((e) => {
          off();
          void acct.changesSince(e.mailbox, 0).then((j) => resolve(j.entries.length));
        });
      });
      await acct.setFlags('INBOX', [1], 'add', ['\\Seen']);
      assert.equal(await readInListener, 2);
    });
  });
}
