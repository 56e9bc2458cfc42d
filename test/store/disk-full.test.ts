// On disk only: a full disk (ARCHITECTURE rule 5). Writes fail `temporary`,
// the store refuses everything until it has reopened LevelDB and proved with
// a synced test write that the disk takes writes again, and nothing that was
// acknowledged is lost.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { isMailError } from '../../src/errors.js';
import { diskFullError, openStore, type FaultHooks, type LetterboxStore } from '../../src/store/index.js';
import { rejectsKind } from './conformance-directory.js';
import { commitBody, deliverBody, fakeIndex, message, removeDir, seed, tempDir } from './store-fixtures.js';

const A = 'alice@example.com';
const FAST_REOPEN = { initialDelayMs: 10, maxDelayMs: 100 };

interface Acked {
  blobId: string;
  bytes: Buffer;
}

/** Reopens the store without faults and checks every acknowledged message is in A's INBOX, byte for byte. */
async function verifyAfterRestart(dir: string, acked: Acked[]): Promise<void> {
  const store = await openStore({ dir });
  try {
    const msgs = await (await store.account(A)).listMessages('INBOX');
    assert.equal(msgs.length, acked.length, 'exactly the acknowledged messages are there');
    const uids = msgs.map((m) => m.uid);
    assert.deepEqual(uids, [...uids].sort((a, b) => a - b));
    for (const [i, a] of acked.entries()) {
      assert.equal(msgs[i]?.blobId, a.blobId, `message ${i} in order`);
      assert.deepEqual(await store.readBlobRange(a.blobId, 0, a.bytes.length + 1), a.bytes);
    }
    assert.equal(await store.countBlobs(), new Set(acked.map((a) => a.blobId)).size, 'bodies of failed deliveries were swept');
  } finally {
    await store.close();
  }
}

/** A promise that resolves when `count()` reaches `n` (hooks call `check` on every change). */
function counter(): { bump(): void; reach(n: number): Promise<void> } {
  let value = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    bump() {
      value += 1;
      for (const w of waiting.filter((x) => value >= x.n)) w.resolve();
    },
    reach(n) {
      return value >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }));
    },
  };
}

/** How a scenario fills and frees the disk. */
interface DiskFiller {
  faults?: FaultHooks;
  fill(): Promise<void>;
  free(): Promise<void>;
}

/**
 * Delivers, fills the disk, keeps delivering committed bodies until the disk
 * bites, checks the store refuses writes, frees the disk, waits for the store
 * to heal itself, delivers more, and verifies everything after a restart.
 */
async function fullDiskScenario(dir: string, filler: DiskFiller): Promise<void> {
  const store: LetterboxStore = await openStore({ dir, faults: filler.faults, reopen: FAST_REOPEN });
  const acked: Acked[] = [];
  try {
    await seed(store, 'alice');
    for (let i = 0; i < 3; i++) {
      const bytes = message(`before ${i}`);
      acked.push({ blobId: (await deliverBody(store, [A], bytes)).blobId, bytes });
    }
    // Bodies committed while there is room; their index batches will meet the full disk.
    const pending: (Acked & { size: number })[] = [];
    for (let i = 0; i < 60; i++) {
      const bytes = message(`pending ${i}`, 300);
      pending.push({ ...(await commitBody(store, bytes, 4096)), bytes });
    }
    await filler.fill();
    let failure: unknown = null;
    for (const p of pending) {
      try {
        await store.deliver({ blobId: p.blobId, index: fakeIndex(p.size), accounts: [A] });
        acked.push(p);
      } catch (err) {
        failure = err;
        if (process.env.LETTERBOX_TEST_DEBUG) console.error('full disk after', acked.length, 'messages:', err);
        break;
      }
    }
    assert.ok(isMailError(failure, 'temporary'), `a delivery failed temporary on the full disk (got ${String(failure)})`);
    assert.equal(store.isWritable(), false);
    await rejectsKind(store.addDomain('later.example.org'), 'temporary');
    await rejectsKind(commitBody(store, message('refused')), 'temporary');

    await filler.free();
    await store.whenWritable();
    assert.equal(store.isWritable(), true);
    for (let i = 0; i < 2; i++) {
      const bytes = message(`after ${i}`);
      acked.push({ blobId: (await deliverBody(store, [A], bytes)).blobId, bytes });
    }
    await store.close();
    await verifyAfterRestart(dir, acked);
  } finally {
    await store.close();
  }
}

describe('disk store: disk full', () => {
  it('fault injection: failed batches and blob writes, self-healing reopen, nothing acknowledged lost', async () => {
    const dir = await tempDir();
    const fault = { batch: false, blobWrite: false };
    const batchFailures = counter();
    const faults: FaultHooks = {
      beforeBatch: () => {
        if (!fault.batch) return;
        batchFailures.bump();
        throw diskFullError();
      },
      beforeBlobWrite: () => {
        if (fault.blobWrite) throw diskFullError();
      },
    };
    const store = await openStore({ dir, faults, reopen: FAST_REOPEN });
    const acked: Acked[] = [];
    try {
      await seed(store, 'alice');
      for (let i = 0; i < 3; i++) {
        const bytes = message(`ok ${i}`);
        acked.push({ blobId: (await deliverBody(store, [A], bytes)).blobId, bytes });
      }
      const acct = await store.account(A);
      const waiting = await Promise.all([0, 1, 2, 3, 4].map(async (i) => ({ bytes: message(`during ${i}`), ...(await commitBody(store, message(`during ${i}`))) })));

      // Index batches fail: every delivery in flight fails, none is acknowledged.
      fault.batch = true;
      const outcomes = await Promise.allSettled(waiting.map((w) => store.deliver({ blobId: w.blobId, index: fakeIndex(w.size), accounts: [A] })));
      for (const o of outcomes) assert.ok(o.status === 'rejected' && isMailError(o.reason, 'temporary'), 'failed temporary');
      assert.equal(store.isWritable(), false);
      const healed = store.whenWritable();
      await rejectsKind(store.addDomain('x.example.org'), 'temporary');
      await rejectsKind(acct.setFlags('INBOX', [1], 'add', ['\\Seen']), 'temporary');
      await rejectsKind(store.createBlob().write(Buffer.from('x')), 'temporary');
      // While the disk stays full, reopen attempts keep failing and the store keeps refusing.
      await batchFailures.reach(3);
      assert.equal(store.isWritable(), false);

      fault.batch = false;
      await healed;
      const retried = waiting[0]!;
      await store.deliver({ blobId: retried.blobId, index: fakeIndex(retried.size), accounts: [A] });
      acked.push(retried);
      assert.deepEqual((await acct.listMessages('INBOX')).map((m) => m.uid), [1, 2, 3, 4], 'UIDs of failed deliveries were not used');

      // A body write fails: the store goes through the same reopen.
      fault.blobWrite = true;
      await rejectsKind(commitBody(store, message('blob fails')), 'temporary');
      assert.equal(store.isWritable(), false);
      fault.blobWrite = false;
      await store.whenWritable();
      const bytes = message('after');
      acked.push({ blobId: (await deliverBody(store, [A], bytes)).blobId, bytes });
      assert.ok((await store.freeBytes()) > 0);
      await store.close();
      await rejectsKind(store.whenWritable(), 'temporary');
      await verifyAfterRestart(dir, acked);
    } finally {
      await store.close();
      await removeDir(dir);
    }
  });

  it('a real full disk: 2 MB tmpfs (root), else the same scenario with injected faults', async () => {
    const isRoot = process.getuid?.() === 0;
    if (process.env.CI) assert.ok(isRoot, 'CI runs the store tests as root so that this test fills a real file system');
    const dir = await tempDir();
    let mounted = false;
    try {
      if (isRoot) {
        try {
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
          mounted = true;
        } catch (err) {
          // A container without CAP_SYS_ADMIN: fall through to the injected variant.
          assert.match(String((err as { stderr?: Buffer }).stderr ?? err), /permission|not permitted|denied|must be superuser/i);
        }
      }
      if (mounted) {
        const filler = join(dir, 'filler');
        await fullDiskScenario(dir, {
          async fill() {
            const fh = await fsp.open(filler, 'w');
            try {
              for (const size of [65536, 4096, 512, 1]) {
                for (;;) {
                  try {
                    await fh.write(Buffer.alloc(size, 0x41));
                  } catch (err) {
                    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
                    break;
                  }
                }
              }
            } finally {
              await fh.close();
            }
            const fs = await fsp.statfs(dir);
            assert.ok(fs.bavail * fs.bsize < 8192, 'the file system is full');
          },
          async free() {
            await fsp.unlink(filler);
          },
        });
      } else {
        const full = { on: false };
        await fullDiskScenario(dir, {
          faults: {
            beforeBatch: () => {
              if (full.on) throw diskFullError();
            },
            beforeBlobWrite: () => {
              if (full.on) throw diskFullError();
            },
          },
          async fill() {
            full.on = true;
          },
          async free() {
            full.on = false;
          },
        });
      }
    } finally {
      if (mounted) execFileSync('umount', [dir]);
      await removeDir(dir);
    }
  });
});
