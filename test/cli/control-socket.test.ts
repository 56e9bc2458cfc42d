import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callControl, isServerAbsent } from '../../src/control/client.js';
import { startControlServer } from '../../src/control/server.js';
import type { ControlResponse } from '../../src/control/protocol.js';
import { isMailError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { openMemoryStore } from '../../src/store/index.js';
import type { MailStore } from '../../src/store/types.js';
import { createFakeStore } from './fake-store.js';

process.env.LETTERBOX_SCRYPT_LN = '10';
const log = createLogger({ level: 'silent' });

function openTestStore(): Promise<MailStore> {
  return openMemoryStore();
}

async function withServer(fn: (socketPath: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-control-'));
  const store = await openTestStore();
  const socketPath = join(dir, 'control.sock');
  const server = await startControlServer({
    socketPath,
    store,
    certs: { caPem: () => '-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n' },
    status: () => ({ pid: 42, services: { smtp: '127.0.0.1:2525' } }),
    log,
  });
  try {
    await fn(socketPath, dir);
  } finally {
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function ok(response: ControlResponse): unknown {
  assert.equal(response.ok, true, JSON.stringify(response));
  return (response as { result: unknown }).result;
}

function failed(response: ControlResponse, kind: string, pattern: RegExp): void {
  assert.equal(response.ok, false, JSON.stringify(response));
  const r = response as { kind: string; message: string };
  assert.equal(r.kind, kind, r.message);
  assert.match(r.message, pattern);
}

test('management round trip over the control socket', async () => {
  await withServer(async (socketPath) => {
    assert.equal((await stat(socketPath)).mode & 0o777, 0o600);
    assert.deepEqual(ok(await callControl(socketPath, { op: 'domain.add', name: 'Example.COM' })), { name: 'example.com' });
    assert.deepEqual(ok(await callControl(socketPath, { op: 'domain.list' })), { domains: ['example.com'] });
    failed(await callControl(socketPath, { op: 'domain.add', name: 'example.com' }), 'exists', /exists/);

    failed(await callControl(socketPath, { op: 'user.add', address: 'alice@example.com', password: 'short' }), 'invalid', /weak password: .*too short/);
    assert.deepEqual(ok(await callControl(socketPath, { op: 'user.add', address: 'Alice@example.com', password: 'a good long passphrase', quotaBytes: 1024 })), {
      address: 'alice@example.com',
    });
    failed(await callControl(socketPath, { op: 'user.add', address: 'alice@example.com', password: 'a good long passphrase' }), 'exists', /alice@example\.com already exists/);

    const users = ok(await callControl(socketPath, { op: 'user.list' })) as { users: Record<string, unknown>[] };
    assert.equal(users.users.length, 1);
    assert.equal(users.users[0]?.address, 'alice@example.com');
    assert.equal(users.users[0]?.quotaBytes, 1024);
    assert.equal('passwordHash' in (users.users[0] ?? {}), false, 'hashes never leave the box');

    ok(await callControl(socketPath, { op: 'user.passwd', address: 'alice@example.com', password: 'another long passphrase' }));
    failed(await callControl(socketPath, { op: 'user.passwd', address: 'bob@example.com', password: 'another long passphrase' }), 'notFound', /bob@example\.com/);

    assert.deepEqual(ok(await callControl(socketPath, { op: 'alias.add', source: '@example.com', target: 'alice@example.com' })), {
      source: '@example.com',
      target: 'alice@example.com',
    });
    assert.deepEqual(ok(await callControl(socketPath, { op: 'alias.list' })), { aliases: [{ source: '@example.com', targets: ['alice@example.com'] }] });
    ok(await callControl(socketPath, { op: 'alias.remove', source: '@example.com' }));

    assert.match((ok(await callControl(socketPath, { op: 'tls.ca' })) as { pem: string }).pem, /BEGIN CERTIFICATE/);
    const status = ok(await callControl(socketPath, { op: 'status' })) as Record<string, unknown>;
    assert.equal(status.running, true);
    assert.equal(status.pid, 42);
    assert.equal(status.users, 1);
    assert.equal(status.domains, 1);

    ok(await callControl(socketPath, { op: 'user.remove', address: 'alice@example.com' }));
    ok(await callControl(socketPath, { op: 'domain.remove', name: 'example.com' }));
  });
});

/** Sends raw text and collects reply lines until the server closes or `count` lines arrived. */
function rawExchange(socketPath: string, text: string, count: number): Promise<ControlResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = '';
    const replies = (): ControlResponse[] => buffered.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ControlResponse);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (replies().length >= count) {
        socket.destroy();
        resolve(replies());
      }
    });
    socket.on('close', () => resolve(replies()));
    socket.on('error', reject);
    socket.write(text);
  });
}

test('bad requests get invalid replies; several requests on one connection are answered in order', async () => {
  await withServer(async (socketPath) => {
    const [a, b, c] = await rawExchange(
      socketPath,
      '{"op":"domain.add","name":"one.example"}\n{"op":"domain.add","name":"two.example"}\n{"op":"domain.list"}\n',
      3,
    );
    assert.deepEqual([a?.ok, b?.ok], [true, true]);
    assert.deepEqual(ok(c as ControlResponse), { domains: ['one.example', 'two.example'] });

    failed((await rawExchange(socketPath, 'not json\n', 1))[0] as ControlResponse, 'invalid', /not valid JSON/);
    failed((await rawExchange(socketPath, '{"op":"user.nuke"}\n', 1))[0] as ControlResponse, 'invalid', /unknown operation "user\.nuke"/);
    failed((await rawExchange(socketPath, '{"op":"domain.add"}\n', 1))[0] as ControlResponse, 'invalid', /missing field "name"/);
    failed((await rawExchange(socketPath, '{"op":"domain.add","name":1}\n', 1))[0] as ControlResponse, 'invalid', /field "name" must be a string/);
    failed((await rawExchange(socketPath, '{"op":"domain.list","x":1}\n', 1))[0] as ControlResponse, 'invalid', /unexpected field "x"/);
    failed((await rawExchange(socketPath, 'x'.repeat(70 * 1024), 1))[0] as ControlResponse, 'invalid', /too long/);
  });
});

test('a second server on a live socket fails inUse; close removes the socket', async () => {
  let path = '';
  await withServer(async (socketPath) => {
    path = socketPath;
    await assert.rejects(
      startControlServer({ socketPath, store: createFakeStore(), status: () => ({}), log }),
      (err: unknown) => isMailError(err, 'inUse'),
    );
    // The first server still answers.
    ok(await callControl(socketPath, { op: 'domain.list' }));
  });
  await assert.rejects(stat(path), { code: 'ENOENT' });
  await assert.rejects(callControl(path, { op: 'status' }), (err: unknown) => isServerAbsent(err));
});

test('a stale socket left by a crashed process is replaced; a regular file is not touched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-control-'));
  try {
    const socketPath = join(dir, 'control.sock');
    // A process that dies by SIGKILL right after listening leaves its socket file behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.ok((await stat(socketPath)).isSocket(), 'precondition: stale socket exists');
    await assert.rejects(callControl(socketPath, { op: 'status' }), (err: unknown) => isServerAbsent(err));

    const server = await startControlServer({ socketPath, store: createFakeStore(), status: () => ({}), log });
    ok(await callControl(socketPath, { op: 'domain.list' }));
    await server.close();

    const filePath = join(dir, 'not-a-socket');
    await writeFile(filePath, 'keep me');
    await assert.rejects(startControlServer({ socketPath: filePath, store: createFakeStore(), status: () => ({}), log }), (err: unknown) => isMailError(err, 'inUse'));
    assert.ok((await stat(filePath)).isFile());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
