import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'bin', 'letterbox.js');

function cli(dataDir: string, args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, LETTERBOX_SCRYPT_LN: '10' };
  delete env.LETTERBOX_DATA;
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', dataDir], { env, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('start prints each listener and "ready", serves the CLI, and stops cleanly on SIGTERM', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'letterbox-start-'));
  const dir = join(parent, 'data');
  const env: NodeJS.ProcessEnv = { ...process.env, LETTERBOX_SCRYPT_LN: '10' };
  delete env.LETTERBOX_DATA;
  let child: ReturnType<typeof spawn> | undefined;
  try {
    // First start with a config that only enables SMTP on a free loopback port.
    await mkdir(dir, { mode: 0o700 });
    const listen = { smtp: '127.0.0.1:0', submission: false, submissions: false, imap: false, imaps: false, pop3: false, pop3s: false, admin: false };
    await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ hostname: 'mail.example.com', listen }));

    const server = spawn(process.execPath, [BIN, 'start', '--data', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    let stdout = '';
    let stderr = '';
    server.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      server.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('ready')) resolve();
      });
      void exited.then((code) => reject(new Error(`start exited ${code}: ${stderr}`)));
    });
    const lines = stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^smtp listening on 127\.0\.0\.1:\d+$/);
    assert.notEqual(lines[0], 'smtp listening on 127.0.0.1:0', 'the real port is printed');
    assert.equal(lines.at(-1), `letterbox ready: data in ${dir}`);
    assert.equal((await stat(join(dir, 'control.sock'))).mode & 0o777, 0o600);

    // While it runs, the CLI works through the control socket.
    assert.equal(cli(dir, ['domain', 'add', 'example.com']).stdout, 'domain example.com added\n');
    assert.equal(cli(dir, ['user', 'add', 'alice@example.com'], 'a long good password\n').stdout, 'user alice@example.com added\n');
    const status = cli(dir, ['status']);
    assert.match(status.stdout, /^running: yes\n/);
    assert.match(status.stdout, /\nusers: 1\n/);
    assert.match(cli(dir, ['tls', 'ca']).stdout, /^-----BEGIN CERTIFICATE-----\r?\n/);

    server.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    child = undefined;
    assert.match(stdout, /letterbox stopping \(SIGTERM\)\nletterbox stopped\n$/);
    await assert.rejects(stat(join(dir, 'control.sock')), { code: 'ENOENT' });

    // Afterwards the CLI opens the store itself and sees the same data; the CA is read from its file.
    assert.equal(cli(dir, ['user', 'list']).stdout, 'alice@example.com\tquota=unlimited\tused=0\n');
    assert.match(cli(dir, ['status']).stdout, /^running: no\n/);
    const ca = cli(dir, ['tls', 'ca']);
    assert.equal(ca.code, 0, ca.stderr);
    assert.equal(ca.stdout, await readFile(join(dir, 'tls', 'ca.crt'), 'utf8'));
  } finally {
    // On a failed assertion, do not leave the server running.
    if (child && child.exitCode === null) {
      const gone = new Promise((resolve) => child?.once('close', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    await rm(parent, { recursive: true, force: true });
  }
});

test('start refuses an invalid boot file and names the key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-start-'));
  try {
    await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ listen: { smpt: '127.0.0.1:0' } }));
    const r = cli(dir, ['start']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /letterbox\.json: unknown key "listen\.smpt" \(expected one of smtp, .*did you mean "smtp"\?\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the first start writes the boot file with the host name', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'letterbox-start-'));
  const dir = join(parent, 'new-data');
  try {
    // A regular file where the control socket goes makes the start fail
    // cleanly after the boot file has been written, without binding real ports.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'control.sock'), 'not a socket');
    const r = cli(dir, ['start']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /control\.sock exists and is not a socket/);
    const written = JSON.parse(await readFile(join(dir, 'letterbox.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(written), ['hostname']);
    assert.equal(typeof written.hostname, 'string');
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
