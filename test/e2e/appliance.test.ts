import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli, startAppliance, writeLoopbackConfig } from '../helpers/appliance-process.js';
import { RawSmtp } from '../helpers/raw-smtp.js';
import { openStore } from '../../src/store/index.js';

const run = promisify(execFile);

// The "done when" path, through the real `letterbox` command: create a
// domain and a user with the CLI, deliver with swaks over STARTTLS verified
// against `letterbox tls ca`, stop with SIGTERM in the middle of a DATA, restart,
// and find every acknowledged message byte for byte.
test('CLI + swaks + SIGTERM mid-DATA + restart: acknowledged mail is stored exactly and survives', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'letterbox-e2e-'));
  const dir = join(parent, 'data');
  await writeLoopbackConfig(dir, ['smtp']);
  let app = await startAppliance(dir);
  try {
    const domain = cli(dir, ['domain', 'add', 'Example.COM']);
    assert.equal(domain.code, 0, domain.stderr);
    const add = cli(dir, ['user', 'add', 'alice@example.com'], 'a long good password\n');
    assert.equal(add.code, 0, add.stderr);
    const dup = cli(dir, ['user', 'add', 'alice@example.com'], 'another good password\n');
    assert.notEqual(dup.code, 0, 'a duplicate user is an error');
    const ca = cli(dir, ['tls', 'ca']);
    assert.equal(ca.code, 0);
    const caFile = join(parent, 'ca.pem');
    await writeFile(caFile, ca.stdout);

    const body = 'From: swaks <sender@example.net>\r\nTo: alice@example.com\r\nSubject: end to end\r\n\r\nHello Alice.\r\n';
    const msgFile = join(parent, 'msg.eml');
    await writeFile(msgFile, body.replace(/\r\n$/, ''));
    const port = app.ports.smtp as number;
    const swaks = await run('swaks', ['--server', '127.0.0.1', '--port', String(port), '--tls', '--tls-verify', '--tls-ca-path', caFile,
      '--from', 'sender@example.net', '--to', 'alice@example.com', '--data', `@${msgFile}`]);
    assert.match(swaks.stdout, /<~ {2}250 2\.6\.0 /);

    // A DATA in progress when SIGTERM arrives is finished and acknowledged.
    const c = await RawSmtp.open(port);
    await c.expect(220);
    await c.command('EHLO inflight.example.net');
    await c.command('MAIL FROM:<late@example.net>');
    assert.equal((await c.command('RCPT TO:<alice@example.com>'))?.code, 250);
    assert.equal((await c.command('DATA'))?.code, 354);
    c.write('Subject: in flight\r\n\r\nfirst half\r\n');
    app.child.kill('SIGTERM');
    await app.waitFor('stopping');
    const done = await c.command('second half\r\n.');
    assert.equal(done?.code, 250, done?.lines.join(' '));
    c.close();
    assert.equal(await app.exited, 0);

    // Restart: same CA, same mail.
    app = await startAppliance(dir);
    assert.equal(cli(dir, ['tls', 'ca']).stdout, ca.stdout, 'the CA is reused, not regenerated');
    app.child.kill('SIGTERM');
    assert.equal(await app.exited, 0);

    const store = await openStore({ dir });
    try {
      const account = await store.account('alice@example.com');
      const messages = await account.listMessages('INBOX');
      assert.equal(messages.length, 2);
      const [first, second] = await Promise.all(messages.map((m) => store.readBlobRange(m.blobId, 0, m.size)));
      const text = (first as Buffer).toString('latin1');
      const start = text.indexOf('From: swaks');
      assert.ok(start > 0);
      // Everything in front of the client's bytes is ours: the trace headers and the
      // SPF/DKIM/DMARC results (temperror here: DNS points at a closed loopback port).
      const ours = text.slice(0, start);
      assert.match(ours, /^Return-Path: <sender@example\.net>\r\n/);
      assert.match(ours, /\r\nReceived: from [^\r]+\r\n\tby mail\.example\.com \(Letterbox\) with ESMTPS id/);
      assert.match(ours, /\r\nAuthentication-Results: mail\.example\.com;/);
      const names = ours.split('\r\n').filter((l) => l && !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
      assert.deepEqual([...new Set(names)].sort(), ['Authentication-Results', 'Received', 'Received-SPF', 'Return-Path']);
      assert.equal(text.slice(start), body, 'stored bytes = sent bytes after our two trace headers');
      assert.match((second as Buffer).toString('latin1'), /\r\nSubject: in flight\r\n\r\nfirst half\r\nsecond half\r\n$/);
    } finally {
      await store.close();
    }
  } finally {
    await app.kill();
    await rm(parent, { recursive: true, force: true });
  }
});
