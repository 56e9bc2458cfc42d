import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICE_DATA_DIR, ensureDataDir, loadConfig, resolveDataDir } from '../../src/config/load.js';
import type { BootEnvironment } from '../../src/config/environment.js';
import { isMailError } from '../../src/errors.js';

const env: BootEnvironment = { hostname: 'devbox', privilegedPorts: false, device: false };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-config-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a missing file gives defaults and is written with the hostname only when asked', async () => {
  await withDir(async (dir) => {
    const config = await loadConfig(dir, { env });
    assert.equal(config.hostname, 'devbox');
    await assert.rejects(stat(join(dir, 'letterbox.json')), { code: 'ENOENT' });

    await loadConfig(dir, { env, writeDefault: true });
    const written = JSON.parse(await readFile(join(dir, 'letterbox.json'), 'utf8')) as unknown;
    assert.deepEqual(written, { hostname: 'devbox' });
    // Reading it back gives the same config, even if the OS hostname changes later.
    const again = await loadConfig(dir, { env: { ...env, hostname: 'renamed' } });
    assert.equal(again.hostname, 'devbox');
  });
});

test('the file is validated and errors name the file path and key', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ listen: { smtp: '127.0.0.1:0', smpt: false } }));
    await assert.rejects(loadConfig(dir, { env }), (err: unknown) => {
      assert.ok(isMailError(err, 'invalid'));
      assert.ok(err.message.startsWith(`${join(dir, 'letterbox.json')}: unknown key "listen.smpt"`), err.message);
      return true;
    });
    await writeFile(join(dir, 'letterbox.json'), '{ "hostname": ');
    await assert.rejects(loadConfig(dir, { env }), /letterbox\.json: not valid JSON/);
    await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ listen: { smtp: '127.0.0.1:0' } }));
    const config = await loadConfig(dir, { env });
    assert.deepEqual(config.listen.smtp, { host: '127.0.0.1', port: 0 });
  });
});

test('data directory: --data, then LETTERBOX_DATA, then device or checkout default', () => {
  assert.equal(resolveDataDir({ flag: '/srv/mail', environ: { LETTERBOX_DATA: '/other' } }), '/srv/mail');
  assert.equal(resolveDataDir({ environ: { LETTERBOX_DATA: '/other' }, device: true }), '/other');
  assert.equal(resolveDataDir({ environ: {}, device: true, root: '/opt/letterbox/app' }), DEVICE_DATA_DIR);
  assert.equal(resolveDataDir({ environ: {}, device: false, root: '/home/dev/letterbox' }), '/home/dev/letterbox/data');
  assert.equal(resolveDataDir({ flag: 'rel', environ: {} }), join(process.cwd(), 'rel'));
});

test('ensureDataDir creates the directory with mode 0700', async () => {
  await withDir(async (dir) => {
    const target = join(dir, 'a', 'b');
    await ensureDataDir(target);
    assert.equal((await stat(target)).mode & 0o777, 0o700);
    await ensureDataDir(target); // idempotent
  });
});
