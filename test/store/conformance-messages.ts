// Conformance, part 2: bodies, delivery, quota, flags, expunge, journal and mailboxes.
// Run against every MailStore implementation (memory and disk).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { ChangeEvent, LetterboxStore } from '../../src/store/index.js';
import { rejectsKind } from './conformance-directory.js';
import { collect, commitBody, deliverBody, fakeIndex, HASH, message, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

const A = 'alice@example.com';
const B = 'bob@example.com';
const C = 'carol@example.com';

export function messageConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: messages`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
      await seed(store, 'alice', 'bob', 'carol');
    });
    afterEach(() => h.dispose());

    it('stores a body once for three accounts and returns exact bytes', async () => {
      const bytes = Buffer.concat([message(1), Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10])]);
      const { blobId, size, result } = await deliverBody(store, [A, 'BOB@example.com', C, A], bytes);
      assert.match(blobId, /^[0-9a-f]{64}$/);
      assert.equal(size, bytes.length);
      assert.deepEqual(result.delivered, [
        { account: A, mailbox: 'INBOX', uid: 1 },
        { account: B, mailbox: 'INBOX', uid: 1 },
        { account: C, mailbox: 'INBOX', uid: 1 },
      ]);
      assert.equal(await store.countBlobs(), 1);
      for (const addr of [A, B, C]) {
        const acct = await store.account(addr);
        const msgs = await acct.listMessages('inbox');
        assert.equal(msgs.length, 1);
        assert.equal(msgs[0]?.blobId, blobId);
        assert.equal(msgs[0]?.size, bytes.length);
        const box = await acct.getMailbox('INBOX');
        assert.deepEqual([box.messages, box.unseen, box.bytes, box.uidNext, box.highestModseq], [1, 1, bytes.length, 2, 1]);
        assert.equal((await store.getAccount(addr))?.usedBytes, bytes.length);
      }
      assert.deepEqual(await collect(store.readBlob(blobId)), bytes);
      assert.deepEqual(await store.readBlobRange(blobId, 6, 20), bytes.subarray(6, 20));
      assert.deepEqual(await store.readBlobRange(blobId, bytes.length - 3, bytes.length + 100), bytes.subarray(bytes.length - 3));
      assert.equal((await store.readBlobRange(blobId, 10, 5)).length, 0);
      assert.deepEqual(await store.getIndex(blobId), fakeIndex(bytes.length));
      // Many indexes in one read, in the order asked, null for a body that has none.
      assert.deepEqual(await store.getIndexes([blobId, 'ab'.repeat(32), blobId]), [fakeIndex(bytes.length), null, fakeIndex(bytes.length)]);
      assert.deepEqual(await store.getIndexes([]), []);
      await rejectsKind(store.getIndexes(['not-a-blob-id']), 'notFound');
      // The same content committed again is the same blob.
      const again = await commitBody(store, bytes, 1000);
      assert.equal(again.blobId, blobId);
      assert.equal(await store.countBlobs(), 1);
    });

    it('reports missing bodies as notFound', async () => {
      const missing = 'ab'.repeat(32);
      await rejectsKind(store.readBlobRange(missing, 0, 10), 'notFound');
      await rejectsKind(store.getIndex(missing), 'notFound');
      await rejectsKind(collect(store.readBlob(missing)), 'notFound');
      await rejectsKind(store.deliver({ blobId: missing, index: fakeIndex(1), accounts: [A] }), 'notFound');
      await rejectsKind(store.readBlobRange('../../etc/passwd', 0, 10), 'notFound');
    });

    it('refuses a delivery to an unknown account or with no accounts, delivering nothing', async () => {
      const { blobId, size } = await commitBody(store, message(2));
      await rejectsKind(store.deliver({ blobId, index: fakeIndex(size), accounts: [A, 'nobody@example.com'] }), 'notFound');
      await rejectsKind(store.deliver({ blobId, index: fakeIndex(size), accounts: [] }), 'invalid');
      assert.equal((await (await store.account(A)).listMessages('INBOX')).length, 0);
    });

    it('checks quota for every account first: overQuota delivers to nobody', async () => {
      await store.addAccount('small@example.com', HASH, { quotaBytes: 100 });
      await deliverBody(store, ['small@example.com'], message('fits', 20));
      const big = message('big', 80);
      const { blobId, size } = await commitBody(store, big);
      await rejectsKind(store.deliver({ blobId, index: fakeIndex(size), accounts: [A, 'small@example.com', B] }), 'overQuota', /small@example.com/);
      for (const addr of [A, B, 'small@example.com']) {
        const n = (await (await store.account(addr)).listMessages('INBOX')).length;
        assert.equal(n, addr === 'small@example.com' ? 1 : 0, addr);
      }
      assert.equal((await store.getAccount(A))?.usedBytes, 0);
      // The same blob can still go to those with room.
      await store.deliver({ blobId, index: fakeIndex(size), accounts: [A, B] });
      await rejectsKind((await store.account('small@example.com')).append('INBOX', { blobId, index: fakeIndex(size) }), 'overQuota');
    });

    it('hands out increasing UIDs and never reuses one after expunge', async () => {
      const acct = await store.account(A);
      const uids: number[] = [];
      for (let i = 0; i < 3; i++) uids.push((await deliverBody(store, [A], message(`u${i}`))).result.delivered[0]!.uid);
      assert.deepEqual(uids, [1, 2, 3]);
      assert.deepEqual(await acct.expunge('INBOX', [3, 2, 99]), [2, 3]);
      const next = await deliverBody(store, [A], message('u4'));
      assert.equal(next.result.delivered[0]?.uid, 4);
      assert.deepEqual((await acct.listMessages('INBOX')).map((m) => m.uid), [1, 4]);
      assert.deepEqual((await acct.listMessages('INBOX', 2)).map((m) => m.uid), [4]);
      assert.equal((await acct.getMailbox('INBOX')).uidNext, 5);
    });

    it('updates counters, modseq and journal on flags and expunge, and emits changes', async () => {
      const events: ChangeEvent[] = [];
      const off = store.onChange((e) => events.push(e));
      const acct = await store.account(A);
      const { size } = await deliverBody(store, [A], message('f1'));
      await deliverBody(store, [A], message('f2'));
      const inbox = await acct.getMailbox('INBOX');
      assert.deepEqual([inbox.messages, inbox.unseen, inbox.highestModseq], [2, 2, 2]);
      assert.deepEqual(events.map((e) => [e.account, e.mailbox, e.mailboxId, e.modseq]), [
        [A, 'INBOX', inbox.id, 1],
        [A, 'INBOX', inbox.id, 2],
      ]);

      const changed = await acct.setFlags('INBOX', [1, 2, 7], 'add', ['\\seen', 'Work']);
      assert.deepEqual(changed.map((r) => [r.uid, r.modseq, r.flags]), [
        [1, 3, ['\\Seen', 'Work']],
        [2, 4, ['\\Seen', 'Work']],
      ]);
      assert.deepEqual(await acct.setFlags('INBOX', [1], 'add', ['\\Seen']), [], 'no change, no new modseq');
      await acct.setFlags('INBOX', [2], 'remove', ['\\Seen']);
      await acct.setFlags('INBOX', [1], 'set', ['\\Flagged']);
      let box = await acct.getMailbox('INBOX');
      assert.deepEqual([box.messages, box.unseen, box.highestModseq], [2, 2, 6]);
      await rejectsKind(acct.setFlags('INBOX', [1], 'add', ['\\Bogus']), 'invalid');

      assert.deepEqual(await acct.expunge('INBOX', [1]), [1]);
      box = await acct.getMailbox('INBOX');
      assert.deepEqual([box.messages, box.unseen, box.bytes, box.highestModseq], [1, 1, size, 7]);
      assert.deepEqual((await acct.changesSince('INBOX', 0)).entries, [
        { modseq: 1, type: 'append', uid: 1 },
        { modseq: 2, type: 'append', uid: 2 },
        { modseq: 3, type: 'flags', uid: 1, flags: ['\\Seen', 'Work'] },
        { modseq: 4, type: 'flags', uid: 2, flags: ['\\Seen', 'Work'] },
        { modseq: 5, type: 'flags', uid: 2, flags: ['Work'] },
        { modseq: 6, type: 'flags', uid: 1, flags: ['\\Flagged'] },
        { modseq: 7, type: 'expunge', uid: 1 },
      ]);
      assert.deepEqual((await acct.changesSince('INBOX', 5)).entries.map((e) => e.modseq), [6, 7]);
      const [msg] = await acct.listMessages('INBOX');
      assert.deepEqual([msg?.uid, msg?.modseq, msg?.flags], [2, 5, ['Work']]);
      assert.deepEqual(events.map((e) => e.modseq), [1, 2, 3, 4, 5, 6, 7].filter((m) => m !== 3), 'one event per mailbox per mutation, carrying the new HIGHESTMODSEQ');
      off();
      await deliverBody(store, [A], message('f3'));
      assert.equal(events.length, 6, 'no events after unsubscribing');
    });

    it('deletes the blob with its last reference', async () => {
      const { blobId } = await deliverBody(store, [A, B], message('gone'));
      const path = h.blobPath(blobId);
      if (path) assert.ok(existsSync(path), 'blob file exists');
      assert.deepEqual(await (await store.account(A)).expunge('INBOX', [1]), [1]);
      assert.equal(await store.countBlobs(), 1, 'bob still references it');
      assert.deepEqual(await store.readBlobRange(blobId, 0, 4), Buffer.from('From'));
      await (await store.account(B)).expunge('INBOX', [1]);
      assert.equal(await store.countBlobs(), 0);
      if (path) assert.equal(existsSync(path), false, 'blob file removed');
      await rejectsKind(store.getIndex(blobId), 'notFound');
      await rejectsKind(store.readBlobRange(blobId, 0, 4), 'notFound');
      assert.equal((await store.getAccount(B))?.usedBytes, 0);
    });

    it('deletes blobs when a mailbox or an account goes', async () => {
      const acct = await store.account(A);
      const { blobId, size } = await commitBody(store, message('filed'));
      await acct.append('Archive', { blobId, index: fakeIndex(size), flags: ['\\Seen'], internalDate: 1_700_000_000_000 });
      const [rec] = await acct.listMessages('Archive');
      assert.deepEqual([rec?.uid, rec?.flags, rec?.internalDate], [1, ['\\Seen'], 1_700_000_000_000]);
      assert.equal((await acct.getMailbox('Archive')).unseen, 0);
      await deliverBody(store, [A, B], message('shared'));
      assert.equal(await store.countBlobs(), 2);
      await acct.deleteMailbox('Archive');
      assert.equal(await store.countBlobs(), 1);
      assert.equal((await store.getAccount(A))?.usedBytes, message('shared').length);
      await store.removeAccount(A);
      assert.equal(await store.countBlobs(), 1, 'bob still has the shared one');
      await store.removeAccount(B);
      assert.equal(await store.countBlobs(), 0);
    });
  });

  describe(`${name}: mailboxes`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
      await seed(store, 'alice');
    });
    afterEach(() => h.dispose());

    it('creates, renames (with children), subscribes and deletes', async () => {
      const acct = await store.account(A);
      const work = await acct.createMailbox('Work');
      await acct.createMailbox('Work/2024', '\\archive');
      await rejectsKind(acct.createMailbox('Work'), 'exists');
      await rejectsKind(acct.createMailbox('inbox'), 'exists');
      assert.equal((await acct.getMailbox('Work/2024')).specialUse, '\\Archive');
      await rejectsKind(acct.createMailbox('X', '\\Important'), 'invalid');
      await acct.setSubscribed('Work', false);
      assert.equal((await acct.getMailbox('Work')).subscribed, false);
      await rejectsKind(acct.setSubscribed('Nope', true), 'notFound');

      await rejectsKind(acct.renameMailbox('Work', 'Sent'), 'exists');
      await rejectsKind(acct.renameMailbox('Nope', 'Other'), 'notFound');
      await rejectsKind(acct.renameMailbox('Work', 'Work/Inner'), 'invalid');
      await acct.renameMailbox('Work', 'Jobs');
      const jobs = await acct.getMailbox('Jobs');
      assert.equal(jobs.id, work.id);
      assert.equal(jobs.uidValidity, work.uidValidity);
      assert.equal(jobs.subscribed, false);
      assert.equal((await acct.getMailbox('Jobs/2024')).specialUse, '\\Archive');
      await rejectsKind(acct.getMailbox('Work'), 'notFound');

      await rejectsKind(acct.deleteMailbox('INBOX'), 'denied');
      await rejectsKind(acct.deleteMailbox('Nope'), 'notFound');
      await acct.deleteMailbox('Jobs');
      await rejectsKind(acct.getMailbox('Jobs'), 'notFound');
      assert.ok(await acct.getMailbox('Jobs/2024'), 'children stay');
      const again = await acct.createMailbox('Jobs');
      assert.notEqual(again.id, work.id, 'a re-created name is a new mailbox');
      assert.ok(again.uidValidity > work.uidValidity, 'with a new, larger UIDVALIDITY');
    });

    it('refuses invalid mailbox names', async () => {
      const acct = await store.account(A);
      for (const bad of ['', 'a/', '/a', 'a//b', 'a/../b', '..', 'a*', 'b%', 'c\r\nd', 'nul\0', 'x'.repeat(256), `${'abc/'.repeat(256)}x`]) {
        await rejectsKind(acct.createMailbox(bad), 'invalid');
      }
      assert.equal((await acct.listMailboxes()).length, 6);
    });

    it('renaming INBOX moves its messages and leaves it empty', async () => {
      const acct = await store.account(A);
      await deliverBody(store, [A], message('i1'));
      await deliverBody(store, [A], message('i2'));
      await acct.expunge('INBOX', [1]);
      await acct.renameMailbox('inbox', 'Old Mail');
      const inbox = await acct.getMailbox('INBOX');
      const old = await acct.getMailbox('Old Mail');
      assert.deepEqual([inbox.messages, inbox.bytes, inbox.uidNext], [0, 0, 3]);
      assert.deepEqual([old.messages, old.uidNext], [1, 2]);
      assert.deepEqual((await acct.listMessages('Old Mail')).map((m) => m.uid), [1]);
      assert.equal((await deliverBody(store, [A], message('i3'))).result.delivered[0]?.uid, 3);
    });
  });
}
