import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlServer } from '../../src/control/server.js';
import { createLogger } from '../../src/log/logger.js';
import { openStore } from '../../src/store/index.js';

// Runs the real command (bin/letterbox.js over dist/) as a user would.
const BIN = join(process.cwd(), 'bin', 'letterbox.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function letterbox(dataDir: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LETTERBOX_SCRYPT_LN: '10' };
    delete env.LETTERBOX_DATA;
    const child = spawn(process.execPath, [BIN, ...args, '--data', dataDir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

async function expectOk(run: Promise<Run>, stdout: string | RegExp): Promise<void> {
  const r = await run;
  assert.equal(r.code, 0, `exit ${r.code}; stderr: ${r.stderr}`);
  if (typeof stdout === 'string') assert.equal(r.stdout, stdout);
  else assert.match(r.stdout, stdout);
}

async function expectFail(run: Promise<Run>, code: number, stderr: RegExp): Promise<void> {
  const r = await run;
  assert.equal(r.code, code, `stdout: ${r.stdout} stderr: ${r.stderr}`);
  assert.match(r.stderr, stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack traces for expected failures');
}

/** The same script, run once with no server (CLI opens the store) and once against a control server. */
async function script(dir: string): Promise<void> {
  await expectOk(letterbox(dir, ['domain', 'add', 'Example.com']), 'domain example.com added\n');
  await expectFail(letterbox(dir, ['domain', 'add', 'not a domain']), 1, /^letterbox: .*not a domain/);
  await expectOk(letterbox(dir, ['domain', 'list']), 'example.com\n');

  await expectOk(letterbox(dir, ['user', 'add', 'alice@example.com'], 'a long good password\nignored second line\n'), 'user alice@example.com added\n');
  await expectFail(letterbox(dir, ['user', 'add', 'alice@example.com'], 'a long good password\n'), 1, /^letterbox: .*already exists/);
  await expectFail(letterbox(dir, ['user', 'add', 'bob@example.com'], 'short\n'), 1, /^letterbox: weak password: the password is too short/);
  await expectFail(letterbox(dir, ['user', 'add', 'bob@example.com'], ''), 1, /^letterbox: weak password: the password is empty/);
  await expectFail(letterbox(dir, ['user', 'add', 'bob@example.com'], 'bob@example.com\n'), 1, /must not be the address/);
  await expectOk(letterbox(dir, ['user', 'add', 'bob@example.com', '--quota', '1M'], 'bobs own long password\r\n'), 'user bob@example.com added\n');
  await expectOk(letterbox(dir, ['user', 'list']), /^alice@example\.com\tquota=unlimited\tused=0\nbob@example\.com\tquota=1048576\tused=0\n$/);
  await expectOk(letterbox(dir, ['user', 'passwd', 'bob@example.com'], 'bobs newer long password\n'), 'password changed for bob@example.com\n');
  await expectFail(letterbox(dir, ['user', 'passwd', 'carol@example.com'], 'carols long password\n'), 1, /carol@example\.com/);

  await expectOk(letterbox(dir, ['alias', 'add', '@example.com', 'alice@example.com']), 'alias @example.com -> alice@example.com added\n');
  await expectOk(letterbox(dir, ['alias', 'add', 'info@example.com', 'bob@example.com']), 'alias info@example.com -> bob@example.com added\n');
  const aliases = await letterbox(dir, ['alias', 'list']);
  assert.equal(aliases.code, 0, aliases.stderr);
  assert.deepEqual(aliases.stdout.split('\n').filter(Boolean).sort(), ['@example.com -> alice@example.com', 'info@example.com -> bob@example.com']);
  await expectOk(letterbox(dir, ['alias', 'remove', 'info@example.com']), 'alias info@example.com removed\n');

  await expectFail(letterbox(dir, ['user', 'frobnicate']), 2, /unknown command "user frobnicate"/);
  await expectFail(letterbox(dir, ['domain', 'remove', 'example.com']), 1, /^letterbox: /);
  await expectOk(letterbox(dir, ['status']), /^running: (yes|no)\n(.*\n)*domains: 1\n(.*\n)*users: 2\n/);
}

async function cleanUp(dir: string): Promise<void> {
  await expectOk(letterbox(dir, ['alias', 'remove', '@example.com']), 'alias @example.com removed\n');
  await expectOk(letterbox(dir, ['user', 'remove', 'alice@example.com']), 'user alice@example.com removed\n');
  await expectOk(letterbox(dir, ['user', 'remove', 'bob@example.com']), 'user bob@example.com removed\n');
  await expectOk(letterbox(dir, ['domain', 'remove', 'example.com']), 'domain example.com removed\n');
  await expectOk(letterbox(dir, ['domain', 'list']), '');
}

test('CLI without a running server opens the data directory itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-cli-'));
  try {
    await script(dir);
    await expectOk(letterbox(dir, ['status']), /^running: no\n/);
    await expectFail(letterbox(dir, ['tls', 'ca']), 1, /no certificate authority yet/);
    await cleanUp(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('CLI with a running server goes through the control socket', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-cli-'));
  // This process holds the store (and its lock) as the appliance would.
  const store = await openStore({ dir });
  const server = await startControlServer({
    socketPath: join(dir, 'control.sock'),
    store,
    certs: { caPem: () => '-----BEGIN CERTIFICATE-----\nRUNNING\n-----END CERTIFICATE-----\n' },
    status: () => ({ pid: process.pid }),
    log: createLogger({ level: 'silent' }),
  });
  try {
    await script(dir);
    await expectOk(letterbox(dir, ['status']), new RegExp(`^running: yes\npid: ${process.pid}\n`));
    await expectOk(letterbox(dir, ['tls', 'ca']), /-----BEGIN CERTIFICATE-----\nRUNNING\n/);
    // The server's store sees the CLI's changes directly.
    assert.deepEqual(await store.listDomains(), ['example.com']);
    await cleanUp(dir);
  } finally {
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2 and never echo a password option', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-cli-'));
  try {
    await expectFail(letterbox(dir, ['bogus']), 2, /unknown command "bogus"/);
    await expectFail(letterbox(dir, ['user', 'add', 'a@example.com', '--password', 'x']), 2, /never taken from the command line/);
    await expectFail(letterbox(dir, ['user', 'add', 'a@example.com', '--quota', 'lots']), 2, /invalid quota "lots"/);
    await expectFail(letterbox(dir, ['domain', 'add']), 2, /usage: letterbox domain add NAME/);
    await expectFail(letterbox(dir, []), 2, /Usage: letterbox COMMAND/);
    await expectOk(letterbox(dir, ['--help']), /Usage: letterbox COMMAND/);
    await expectOk(letterbox(dir, ['--version']), /^letterbox \d+\.\d+\.\d+\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
