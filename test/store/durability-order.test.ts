// On disk only: a delivery resolves only after its body was fsynced, its
// directory entry was fsynced and its index batch was written with sync:true
// (ARCHITECTURE rule 5: a 250 means durable). Watched two ways: through the
// store's fault hooks, and by spying on the real fsync calls and on the
// options that reach LevelDB's native batch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { openStore, type SyncEvent } from '../../src/store/index.js';
import { commitBody, fakeIndex, message, removeDir, seed, tempDir } from './store-fixtures.js';

const A = 'alice@example.com';

type Patchable = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Replaces `proto[name]` with a wrapper; returns the undo function. */
function spy(proto: Patchable, name: string, before: (self: unknown, args: unknown[]) => void): () => void {
  const original = proto[name]!;
  proto[name] = async function (this: unknown, ...args: unknown[]) {
    before(this, args);
    return original.apply(this, args);
  };
  return () => {
    proto[name] = original;
  };
}

/** Spies on every FileHandle.sync() and on the native batch; records what reached the disk. */
async function spyOnDisk(dir: string, log: string[]): Promise<() => void> {
  const probe = await fsp.open(join(dir, 'probe'), 'w');
  const fileHandleProto = Object.getPrototypeOf(probe) as Patchable;
  await probe.close();
  const undoSync = spy(fileHandleProto, 'sync', (self) => {
    const path = readlinkSync(`/proc/self/fd/${(self as { fd: number }).fd}`);
    log.push(`fsync ${path.startsWith(dir) ? path.slice(dir.length) : path}`);
  });
  const undoBatch = spy(ClassicLevel.prototype as unknown as Patchable, '_batch', (_self, args) => {
    const options = args[1] as { sync?: boolean } | undefined;
    log.push(`native-batch sync=${String(options?.sync)}`);
  });
  return () => {
    undoSync();
    undoBatch();
  };
}

function indexOf(log: string[], pred: (e: string) => boolean, from = 0, what = ''): number {
  const i = log.findIndex((e, n) => n >= from && pred(e));
  assert.ok(i >= 0, `expected ${what} after position ${from} in:\n${log.join('\n')}`);
  return i;
}

describe('disk store: durability order', () => {
  it('fsyncs body and directory, then writes a synced batch, before deliver() resolves', async () => {
    const dir = await tempDir();
    const log: string[] = [];
    const store = await openStore({
      dir,
      faults: {
        onSync: (event: SyncEvent, d) => void log.push(`hook ${event} ${d.blobId ?? ''}${d.sync === undefined ? '' : `sync=${d.sync}`}`.trim()),
        beforeBatch: ({ options }) => {
          log.push(`hook before-batch sync=${options.sync}`);
        },
      },
    });
    const undo = await spyOnDisk(dir, log);
    try {
      await seed(store, 'alice');
      for (let i = 0; i < 4; i++) {
        log.length = 0;
        const { blobId, size } = await commitBody(store, message(`d${i}`));
        log.push('committed');
        const shard = `/blobs/${blobId.slice(0, 2)}`;
        const done = store.deliver({ blobId, index: fakeIndex(size), accounts: [A] }).then(() => log.push('resolved'));
        await done;
        const tmpSync = indexOf(log, (e) => /^fsync \/blobs\/tmp\/[0-9a-f]+\.part$/.test(e), 0, 'fsync of the temp body file');
        const blobHook = indexOf(log, (e) => e === `hook blob-fsync ${blobId}`, tmpSync, 'blob-fsync hook');
        const dirSync = indexOf(log, (e) => e === `fsync ${shard}`, blobHook, 'fsync of the blob directory');
        const dirHook = indexOf(log, (e) => e === `hook dir-fsync ${blobId}`, dirSync, 'dir-fsync hook');
        const committed = indexOf(log, (e) => e === 'committed', dirHook, 'commit() resolving');
        const before = indexOf(log, (e) => e === 'hook before-batch sync=true', committed, 'batch with sync:true');
        const native = indexOf(log, (e) => e.startsWith('native-batch'), before, 'native batch');
        assert.equal(log[native], 'native-batch sync=true', 'LevelDB got sync:true');
        const synced = indexOf(log, (e) => e.startsWith('hook batch-sync'), native, 'batch-sync hook');
        assert.equal(log[synced], 'hook batch-sync sync=true');
        indexOf(log, (e) => e === 'resolved', synced, 'deliver() resolving');
      }
    } finally {
      undo();
      await store.close();
      await removeDir(dir);
    }
  });

  it('50 parallel deliveries share batches and all survive a reopen', async () => {
    const dir = await tempDir();
    const N = 50;
    let held = false;
    let release: Promise<void> | null = null;
    let store = await openStore({
      dir,
      faults: {
        // The first batch is slow (as on an SD card): hold it until every other
        // delivery has queued behind it, then let the disk finish.
        beforeBatch: async () => {
          if (held || !release) return;
          held = true;
          await release;
        },
      },
    });
    try {
      await seed(store, 'alice', 'bob');
      const bodies = Array.from({ length: N }, (_, i) => message(`p${i}`, i));
      const blobs = await Promise.all(bodies.map((b) => commitBody(store, b, 64)));
      let queuedAll!: () => void;
      release = new Promise<void>((r) => (queuedAll = r));
      const before = store.commitStats();
      const results = blobs.map((b) =>
        store.deliver({ blobId: b.blobId, index: fakeIndex(b.size), accounts: [A, 'bob@example.com'] }),
      );
      // Every delivery prepares (in order) while the first batch is held; the
      // last one queued means all are waiting for the disk.
      const lastQueued = store.deliver({ blobId: blobs[0]!.blobId, index: fakeIndex(blobs[0]!.size), accounts: ['bob@example.com'] });
      void waitQueued(store, N).then(() => queuedAll());
      const delivered = await Promise.all(results);
      await lastQueued;
      const after = store.commitStats();
      assert.equal(after.mutations - before.mutations, N + 1);
      assert.ok(after.batches - before.batches < N, `group commit: ${after.batches - before.batches} batches for ${N + 1} deliveries`);
      assert.deepEqual(delivered.map((d) => d.delivered[0]?.uid).sort((a, b) => a! - b!), Array.from({ length: N }, (_, i) => i + 1));
      await store.close();

      store = await openStore({ dir });
      const msgs = await (await store.account(A)).listMessages('INBOX');
      assert.equal(msgs.length, N);
      for (const m of msgs) {
        const i = blobs.findIndex((b) => b.blobId === m.blobId);
        assert.ok(i >= 0);
        assert.deepEqual(await store.readBlobRange(m.blobId, 0, 1 << 20), bodies[i]);
      }
      assert.equal((await (await store.account('bob@example.com')).listMessages('INBOX')).length, N + 1);
      assert.equal(await store.countBlobs(), N);
    } finally {
      await store.close();
      await removeDir(dir);
    }
  });
});

/** Resolves once `n` mutations wait behind the batch being written (checked on every turn of the event loop). */
async function waitQueued(store: { commitStats(): { queued: number } }, n: number): Promise<void> {
  for (let turns = 0; turns < 1_000_000; turns++) {
    if (store.commitStats().queued >= n) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('deliveries never queued');
}
