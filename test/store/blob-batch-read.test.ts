// The one batch reader behind readBlobs on disk (POP3 read-ahead, IMAP SEARCH BODY):
// exact bytes in order from both of its ways to read, one memory budget across both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { BlobBatchReader } from '../../src/store/blob-batch-read.js';
import { MailError } from '../../src/errors.js';
import { removeDir, tempDir } from './store-fixtures.js';

/** Bytes that differ at every position, so a misplaced or shifted slice is seen. */
function pattern(length: number, seed: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
}

const isKind = (kind: string) => (e: unknown): boolean => e instanceof MailError && e.kind === kind;

describe('store batch body reader', () => {
  let dir: string;
  const small = pattern(3000, 1);
  const empty = Buffer.alloc(0);
  // Above the size read on the event loop: this one always goes through the reader thread.
  const big = pattern(300 * 1024, 2);
  let paths: { small: string; empty: string; big: string; missing: string };
  before(async () => {
    dir = await tempDir('letterbox-batch-read-');
    paths = { small: join(dir, 'small'), empty: join(dir, 'empty'), big: join(dir, 'big'), missing: join(dir, 'missing') };
    await fsp.writeFile(paths.small, small);
    await fsp.writeFile(paths.empty, empty);
    await fsp.writeFile(paths.big, big);
  });
  after(() => removeDir(dir));

  it('reads small and large bodies byte for byte in the order asked, null for a missing one', async () => {
    const r = new BlobBatchReader();
    try {
      const got = await r.read([paths.big, paths.small, paths.missing, paths.empty, paths.big, paths.small], 1 << 20);
      assert.deepEqual(got, [big, small, null, empty, big, small]);
      assert.equal(r.threadRunning, true, 'the large body went to the reader thread');
      assert.deepEqual(await r.read([], 0), []);
    } finally {
      await r.close();
    }
  });

  it('reads small cached bodies on the event loop, or all in the thread when asked (POP3 read-ahead)', async () => {
    const r = new BlobBatchReader();
    try {
      assert.deepEqual(await r.read([paths.small, paths.empty, paths.missing], 1 << 20), [small, empty, null]);
      assert.equal(r.threadRunning, false, 'small cached files need no thread');
      assert.deepEqual(await r.read([paths.small, paths.empty, paths.missing], 1 << 20, true), [small, empty, null]);
      assert.equal(r.threadRunning, true, 'inThread sends the batch to the reader thread');
      await assert.rejects(r.read([paths.small, paths.small], 2 * small.length - 1, true), isKind('tooBig'));
    } finally {
      await r.close();
    }
  });

  it('holds one budget across both ways of reading: exactly the total fits, one byte less fails tooBig', async () => {
    const r = new BlobBatchReader();
    try {
      const total = small.length + big.length;
      assert.equal((await r.read([paths.small, paths.big], total)).length, 2);
      await assert.rejects(r.read([paths.small, paths.big], total - 1), isKind('tooBig'));
      await assert.rejects(r.read([paths.small, paths.small], 2 * small.length - 1), isKind('tooBig'));
      assert.deepEqual(await r.read([paths.small], small.length), [small], 'still works after a refusal');
    } finally {
      await r.close();
    }
  });

  it('passes other errors on with their code; after close every read fails temporary', async () => {
    const r = new BlobBatchReader();
    await assert.rejects(r.read([paths.small, dir], 1 << 20), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EISDIR');
    assert.deepEqual(await r.read([paths.small], small.length), [small]);
    await r.close();
    await assert.rejects(r.read([paths.small], small.length), isKind('temporary'));
    assert.equal(r.threadRunning, false);
  });
});
