// On disk only: the calls a delivery makes besides the durable ones. Every
// received message pays for them, so the store must not stat a body it just
// committed, unlink a temporary file it never created, or read the free space
// once per message, nor open and close a directory for every fsync. (The
// durable steps themselves are durability-order's.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, readdirSync, readlinkSync } from 'node:fs';
import { openStore } from '../../src/store/index.js';
import { commitBody, fakeIndex, message, removeDir, seed, tempDir } from './store-fixtures.js';

const A = 'alice@example.com';
const WATCHED = ['stat', 'statfs', 'unlink', 'open'] as const;

/** File descriptors of this process open on paths inside `dir`. */
function openFdsIn(dir: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}

/** Counts calls of the watched fs.promises functions on paths inside `dir` (and opens of fan-out directories). */
function countCalls(dir: string): { counts: Record<string, number>; undo: () => void } {
  const counts: Record<string, number> = Object.fromEntries([...WATCHED, 'openShard'].map((n) => [n, 0]));
  const target = fsp as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const originals = WATCHED.map((name) => [name, target[name]!] as const);
  for (const [name, original] of originals) {
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (String(args[0]).startsWith(dir)) counts[name]! += 1;
      if (name === 'open' && /\/blobs\/[0-9a-f]{2}$/.test(String(args[0]))) counts.openShard! += 1;
      return original.apply(this, args);
    };
  }
  return {
    counts,
    undo: () => {
      for (const [name, original] of originals) target[name] = original;
    },
  };
}

describe('disk store: calls per delivery', () => {
  it('a committed body is delivered without a stat; an unused writer touches no file', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    const spy = countCalls(dir);
    try {
      await seed(store, 'alice');
      for (let i = 0; i < 3; i++) {
        const { blobId, size } = await commitBody(store, message(`m${i}`));
        await store.deliver({ blobId, index: fakeIndex(size), accounts: [A] });
      }
      assert.equal(spy.counts.stat, 0, 'no stat of a body the store just committed');
      assert.equal(spy.counts.unlink, 0, 'nothing to unlink after successful commits');
      const opensBefore = spy.counts.open;
      await store.createBlob().abort();
      assert.equal(spy.counts.open, opensBefore, 'a writer that got no bytes opens no file');
      assert.equal(spy.counts.unlink, 0, 'and unlinks none');
      assert.equal((await (await store.account(A)).listMessages('INBOX')).length, 3);
      // The same bytes again land in the same directory: its handle is kept for the fsync.
      const shardOpens = spy.counts.openShard ?? 0;
      const again = await commitBody(store, message('m0'));
      await store.deliver({ blobId: again.blobId, index: fakeIndex(again.size), accounts: [A] });
      assert.equal(spy.counts.openShard, shardOpens, 'the directory handle is reused');
      assert.ok(shardOpens >= 1 && shardOpens <= 3);
    } finally {
      spy.undo();
      await store.close();
    }
    assert.equal(openFdsIn(dir), 0, 'closing the store closes the kept directory handles');
    await removeDir(dir);
  });

  it('free space is read once for a burst of callers, and again after a second', async () => {
    const dir = await tempDir();
    const store = await openStore({ dir });
    const spy = countCalls(dir);
    try {
      const readings = await Promise.all(Array.from({ length: 20 }, () => store.freeBytes()));
      assert.ok(readings.every((r) => r > 0 && r === readings[0]));
      await store.freeBytes();
      assert.equal(spy.counts.statfs, 1);
    } finally {
      spy.undo();
      await store.close();
      await removeDir(dir);
    }
  });

  it('a body delivered after a restart is still checked on disk', async () => {
    const dir = await tempDir();
    let store = await openStore({ dir });
    await seed(store, 'alice');
    const { blobId, size } = await commitBody(store, message('kept'));
    await store.deliver({ blobId, index: fakeIndex(size), accounts: [A] });
    await store.close();
    store = await openStore({ dir });
    const spy = countCalls(dir);
    try {
      // Same bytes, delivered again by id only: the new process never committed them, so it asks the disk.
      await store.deliver({ blobId, index: fakeIndex(size), accounts: [A] });
      assert.equal(spy.counts.stat, 1);
      await assert.rejects(store.deliver({ blobId: 'f'.repeat(64), index: fakeIndex(1), accounts: [A] }), { kind: 'notFound' });
    } finally {
      spy.undo();
      await store.close();
      await removeDir(dir);
    }
  });
});
