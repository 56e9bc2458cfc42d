// On disk only: closing and reopening keeps everything, and leftovers of an
// interrupted delivery are swept at open.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { collect, commitBody, deliverBody, HASH, message, removeDir, seed, tempDir } from './store-fixtures.js';

const A = 'alice@example.com';

describe('disk store: restart', () => {
  it('keeps directory, mailboxes, UIDVALIDITY, uidNext, modseq, flags, journal and bodies', async () => {
    const dir = await tempDir();
    try {
      let store = await openStore({ dir });
      await seed(store, 'alice', 'bob');
      await store.addAccount('quota@example.com', HASH, { quotaBytes: 12345 });
      await store.addAlias('team@example.com', A);
      await store.addAlias('@example.net', 'bob@example.com');
      let acct = await store.account(A);
      await acct.createMailbox('Projects/Letterbox');
      await acct.setSubscribed('Junk', false);
      const bodies = [message('r1'), message('r2', 3000), message('r3')];
      const ids: string[] = [];
      for (const b of bodies) ids.push((await deliverBody(store, [A, 'bob@example.com'], b)).blobId);
      await acct.setFlags('INBOX', [2], 'add', ['\\Seen', '$Important']);
      await acct.expunge('INBOX', [3]);
      const beforeBoxes = await acct.listMailboxes();
      const beforeMsgs = await acct.listMessages('INBOX');
      const beforeJournal = await acct.changesSince('INBOX', 0);
      const beforeAccounts = await store.listAccounts();
      await store.close();
      await store.close(); // idempotent

      store = await openStore({ dir });
      try {
        assert.deepEqual(await store.listDomains(), ['example.com', 'example.net']);
        assert.deepEqual(await store.listAccounts(), beforeAccounts);
        assert.deepEqual(await store.listAliases(), [
          { source: '@example.net', targets: ['bob@example.com'] },
          { source: 'team@example.com', targets: [A] },
        ]);
        acct = await store.account(A);
        assert.deepEqual(await acct.listMailboxes(), beforeBoxes);
        assert.deepEqual(await acct.listMessages('INBOX'), beforeMsgs);
        assert.deepEqual(await acct.changesSince('INBOX', 0), beforeJournal);
        const inbox = await acct.getMailbox('INBOX');
        assert.deepEqual([inbox.uidNext, inbox.highestModseq, inbox.messages, inbox.unseen], [4, 5, 2, 1]);
        assert.deepEqual(await collect(store.readBlob(ids[1]!)), bodies[1]);
        assert.equal(await store.countBlobs(), 3, 'bob still holds r3');
        assert.deepEqual(await store.resolveRecipient('x@example.net'), { kind: 'local', accounts: ['bob@example.com'] });
        // Counters continue where they were: no UID, modseq or UIDVALIDITY is handed out twice.
        const next = await deliverBody(store, [A], message('r4'));
        assert.equal(next.result.delivered[0]?.uid, 4);
        assert.equal((await acct.getMailbox('INBOX')).highestModseq, 6);
        const fresh = await acct.createMailbox('After Restart');
        assert.ok(fresh.uidValidity > Math.max(...beforeBoxes.map((b) => b.uidValidity)));
        assert.ok(fresh.id > Math.max(...beforeBoxes.map((b) => b.id)));
      } finally {
        await store.close();
      }
    } finally {
      await removeDir(dir);
    }
  });

  it('removes bodies no message references and half-written files at open', async () => {
    const dir = await tempDir();
    try {
      let store = await openStore({ dir });
      await seed(store, 'alice');
      const kept = await deliverBody(store, [A], message('kept'));
      // Committed but never delivered: what a crash between blob commit and index batch leaves.
      await commitBody(store, message('orphan'));
      assert.equal(await store.countBlobs(), 2);
      await store.close();
      await writeFile(join(dir, 'blobs', 'tmp', 'crashed.part'), 'half a message');

      store = await openStore({ dir });
      try {
        assert.equal(await store.countBlobs(), 1);
        assert.deepEqual(await store.readBlobRange(kept.blobId, 0, 1000), message('kept'));
        assert.deepEqual(await readdir(join(dir, 'blobs', 'tmp')), []);
      } finally {
        await store.close();
      }
    } finally {
      await removeDir(dir);
    }
  });
});
