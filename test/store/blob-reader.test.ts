// The reader thread behind readBlobs on disk: its life cycle and its failures.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { BlobReadThread } from '../../src/store/blob-reader.js';
import { MailError } from '../../src/errors.js';
import { removeDir, tempDir } from './store-fixtures.js';

describe('store body reader thread', () => {
  let dir: string;
  const files: string[] = [];
  before(async () => {
    dir = await tempDir('letterbox-reader-');
    for (const [i, text] of ['one', '', 'three'.repeat(1000)].entries()) {
      const path = join(dir, `f${i}`);
      await fsp.writeFile(path, text);
      files.push(path);
    }
  });
  after(() => removeDir(dir));

  it('reads files whole, null for a missing one, and refuses more than the budget before reading', async () => {
    const t = new BlobReadThread();
    try {
      const got = await t.read([...files, join(dir, 'missing')], 1 << 20);
      assert.deepEqual(got.map((b) => b?.toString() ?? null), ['one', '', 'three'.repeat(1000), null]);
      await assert.rejects(t.read(files, 5002), (e: unknown) => e instanceof MailError && e.kind === 'tooBig');
      assert.equal((await t.read(files, 5003)).length, 3, 'exactly the total fits');
    } finally {
      await t.close();
    }
  });

  it('passes other errors on with their code and keeps working', async () => {
    const t = new BlobReadThread();
    try {
      await assert.rejects(t.read([files[0]!, dir], 1 << 20), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EISDIR');
      assert.equal((await t.read([files[0]!], 10))[0]?.toString(), 'one');
    } finally {
      await t.close();
    }
  });

  it('stops when idle and starts again on the next read; after close every read fails temporary', async () => {
    const t = new BlobReadThread(1);
    assert.equal(t.running, false, 'started lazily');
    await t.read([files[0]!], 10);
    for (let i = 0; t.running; i++) {
      assert.ok(i < 10_000, 'the idle thread never stopped');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal((await t.read([files[2]!], 1 << 20))[0]?.length, 5000, 'a new thread');
    const temporary = (e: unknown): boolean => e instanceof MailError && e.kind === 'temporary';
    const pending = assert.rejects(t.read([files[0]!], 10), temporary); // waiting when the store closes
    await t.close();
    await pending;
    await assert.rejects(t.read([files[0]!], 10), temporary);
    assert.equal(t.running, false);
  });
});
