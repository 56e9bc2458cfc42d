// Conformance, part 5: COPY, MOVE and conditional flag changes (the store operations IMAP needs).
// Run against every MailStore implementation (memory and disk).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeEvent, LetterboxStore } from '../../src/store/index.js';
import { rejectsKind } from './conformance-directory.js';
import { deliverBody, HASH, message, seed, type StoreFactory, type StoreHarness } from './store-fixtures.js';

const A = 'alice@example.com';

export function copyConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: copy, move, conditional store`, () => {
    let h: StoreHarness;
    let store: LetterboxStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
      await seed(store, 'alice');
      for (let i = 1; i <= 3; i++) await deliverBody(store, [A], message(`copy-${i}`));
    });
    afterEach(() => h.dispose());

    it('copies messages with flags and dates, sharing bodies and counting quota', async () => {
      const acct = await store.account(A);
      await acct.setFlags('INBOX', [2], 'add', ['\\Seen', 'Work']);
      const before = (await store.getAccount(A))!.usedBytes;
      const blobs = await store.countBlobs();
      const res = await acct.copyMessages('INBOX', [3, 2, 99], 'Archive');
      const archive = await acct.getMailbox('Archive');
      assert.equal(res.uidValidity, archive.uidValidity);
      assert.deepEqual(res.mapping, [
        { from: 2, to: 1 },
        { from: 3, to: 2 },
      ]);
      const src = await acct.listMessages('INBOX');
      const dst = await acct.listMessages('Archive');
      assert.equal(src.length, 3);
      assert.deepEqual(
        dst.map((m) => [m.uid, m.flags, m.blobId, m.internalDate]),
        [src[1]!, src[2]!].map((m, i) => [i + 1, m.flags, m.blobId, m.internalDate]),
      );
      assert.deepEqual([archive.messages, archive.unseen, archive.uidNext], [2, 1, 3]);
      assert.equal((await store.getAccount(A))!.usedBytes, before + src[1]!.size + src[2]!.size);
      assert.equal(await store.countBlobs(), blobs);
      // The source's last reference going away keeps the copy's body.
      await acct.expunge('INBOX', [2, 3]);
      const body = await store.readBlobRange(dst[0]!.blobId, 0, dst[0]!.size);
      assert.match(body.toString(), /copy-2/);
    });

    it('moves atomically: one commit appends to the target and expunges from the source', async () => {
      const acct = await store.account(A);
      const events: ChangeEvent[] = [];
      const off = store.onChange((c) => events.push(c));
      const before = (await store.getAccount(A))!.usedBytes;
      const src0 = await acct.getMailbox('INBOX');
      const res = await acct.moveMessages('INBOX', [1, 3], 'Trash');
      off();
      assert.deepEqual(res.mapping, [
        { from: 1, to: 1 },
        { from: 3, to: 2 },
      ]);
      assert.deepEqual((await acct.listMessages('INBOX')).map((m) => m.uid), [2]);
      assert.deepEqual((await acct.listMessages('Trash')).map((m) => m.uid), [1, 2]);
      assert.equal((await store.getAccount(A))!.usedBytes, before);
      const journal = (await acct.changesSince('INBOX', src0.highestModseq)).entries;
      assert.deepEqual(journal.map((e) => [e.type, e.uid]), [
        ['expunge', 1],
        ['expunge', 3],
      ]);
      assert.deepEqual(new Set(events.map((e) => e.mailbox)), new Set(['INBOX', 'Trash']));
      const inbox = await acct.getMailbox('INBOX');
      assert.deepEqual([inbox.messages, inbox.uidNext], [1, 4]);
      await rejectsKind(acct.moveMessages('INBOX', [2], 'inbox'), 'invalid');
      await rejectsKind(acct.moveMessages('INBOX', [2], 'Nope'), 'notFound');
    });

    it('refuses a copy over quota as a whole', async () => {
      await store.addAccount('small@example.com', HASH, { quotaBytes: 300 });
      await deliverBody(store, ['small@example.com'], message('q1', 60));
      await deliverBody(store, ['small@example.com'], message('q2', 60));
      const acct = await store.account('small@example.com');
      await rejectsKind(acct.copyMessages('INBOX', [1, 2], 'Archive'), 'overQuota');
      assert.equal((await acct.listMessages('Archive')).length, 0);
      // A move needs no extra room.
      const moved = await acct.moveMessages('INBOX', [1, 2], 'Archive');
      assert.equal(moved.mapping.length, 2);
    });

    it('stores flags only where the modseq is not above UNCHANGEDSINCE', async () => {
      const acct = await store.account(A);
      const [m1, m2] = await acct.listMessages('INBOX');
      await acct.setFlags('INBOX', [2], 'add', ['\\Flagged']);
      const res = await acct.storeFlags('INBOX', [1, 2], 'add', ['\\Seen'], Math.max(m1!.modseq, m2!.modseq));
      assert.deepEqual(res.modified, [2]);
      assert.deepEqual(res.changed.map((r) => [r.uid, r.flags]), [[1, ['\\Seen']]]);
      const unconditional = await acct.storeFlags('INBOX', [2], 'add', ['\\Seen']);
      assert.deepEqual(unconditional.modified, []);
      assert.deepEqual(unconditional.changed[0]?.flags, ['\\Flagged', '\\Seen']);
    });

    it('lists a UID range with both ends inclusive', async () => {
      const acct = await store.account(A);
      assert.deepEqual((await acct.listMessages('INBOX', 2, 3)).map((m) => m.uid), [2, 3]);
      assert.deepEqual((await acct.listMessages('INBOX', 2, 2)).map((m) => m.uid), [2]);
      assert.deepEqual((await acct.listMessages('INBOX', 3, 2)).map((m) => m.uid), []);
      assert.deepEqual((await acct.listMessages('INBOX', 0, 4294967295)).map((m) => m.uid), [1, 2, 3]);
    });

    it('takes a snapshot consistent with HIGHESTMODSEQ while writes are in flight', async () => {
      const acct = await store.account(A);
      const writes = [acct.setFlags('INBOX', [1], 'add', ['\\Seen']), acct.expunge('INBOX', [2]), deliverBody(store, [A], message('snap'))];
      const snap = await acct.snapshot('INBOX');
      await Promise.all(writes);
      // Replaying the journal after the snapshot's modseq yields the current state.
      const uids = new Set(snap.messages.map((m) => m.uid));
      for (const e of (await acct.changesSince('INBOX', snap.mailbox.highestModseq)).entries) {
        if (e.type === 'append') uids.add(e.uid);
        if (e.type === 'expunge') uids.delete(e.uid);
      }
      assert.deepEqual([...uids].sort((a, b) => a - b), (await acct.listMessages('INBOX')).map((m) => m.uid));
      assert.equal(snap.mailbox.messages, snap.messages.length);
      await rejectsKind(acct.snapshot('Nope'), 'notFound');
    });
  });
}
