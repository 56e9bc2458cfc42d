// Real clients on both submission ports: nodemailer and swaks (and curl) with
// STARTTLS on the 587-style port and implicit TLS on the 465-style port, the
// certificate verified against our CA. Local recipients land in their INBOX at
// once; remote ones are in the persistent queue before the 250.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { startSubmissionHarness, type SubmissionHarness } from './submission-harness.js';

const run = promisify(execFile);
let h: SubmissionHarness;

before(async () => {
  h = await startSubmissionHarness();
});
after(() => h.close());

function transport(port: number, secure: boolean, user = 'alice@mail.test', pass = 'alice-pw') {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure,
    requireTLS: !secure,
    auth: { user, pass },
    tls: { ca: h.caPem, servername: 'mail.test' },
  });
}

for (const [label, secure] of [['587 STARTTLS', false], ['465 implicit TLS', true]] as const) {
  test(`nodemailer on ${label}: local copy delivered, remote recipient queued, Bcc stripped, Date/Message-ID added`, async () => {
    const port = secure ? h.port465 : h.port587;
    const before = (await h.inbox('bob@mail.test')).length;
    const queuedBefore = (await h.store.listQueue()).length;
    const kicks = h.kicks;
    const t = transport(port, secure);
    const raw = 'From: Alice <alice@mail.test>\r\nTo: bob@mail.test\r\nBcc: carol@example.net\r\nSubject: via ' + label + '\r\n\r\nhello\r\n';
    const info = await t.sendMail({ envelope: { from: 'alice@mail.test', to: ['bob@mail.test', 'carol@example.net'] }, raw });
    t.close();
    assert.deepEqual([...info.accepted].sort(), ['bob@mail.test', 'carol@example.net']);
    const inbox = await h.inbox('bob@mail.test');
    assert.equal(inbox.length, before + 1);
    const text = (inbox.at(-1) as Buffer).toString('latin1');
    assert.match(text, /^Return-Path: <alice@mail\.test>\r\nReceived: from .* with ESMTPSA id /s);
    assert.doesNotMatch(text, /^Bcc:/im);
    assert.match(text, /^Date: [A-Z][a-z]{2}, \d+ [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r$/m);
    assert.match(text, /^Message-ID: <[0-9a-f]{24}@mail\.test>\r$/m);
    const queue = await h.store.listQueue();
    assert.equal(queue.length, queuedBefore + 1);
    const entry = queue.at(-1)!;
    assert.equal(entry.sender, 'alice@mail.test');
    assert.equal(entry.submitter, 'alice@mail.test');
    assert.deepEqual(entry.recipients.map((r) => [r.address, r.state]), [['carol@example.net', 'pending']]);
    // The queued body is the same blob the local copy references (stored once).
    const bobMessages = await (await h.store.account('bob@mail.test')).listMessages('INBOX');
    assert.equal(entry.blobId, bobMessages.at(-1)!.blobId);
    assert.equal(h.kicks, kicks + 1, 'the queue runner was told');
  });
}

test('a message with Date and Message-ID keeps them unchanged', async () => {
  const t = transport(h.port465, true);
  const raw = 'From: alice@mail.test\r\nTo: bob@mail.test\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <keep-me@mail.test>\r\nSubject: keep\r\n\r\nx\r\n';
  await t.sendMail({ envelope: { from: 'alice@mail.test', to: ['bob@mail.test'] }, raw });
  t.close();
  const text = ((await h.inbox('bob@mail.test')).at(-1) as Buffer).toString('latin1');
  assert.equal(text.match(/^Date:/gm)?.length, 1);
  assert.equal(text.match(/^Message-ID:/gim)?.length, 1);
  assert.match(text, /^Message-ID: <keep-me@mail\.test>\r$/m);
});

test('an alias of the user may be the sender and the From address', async () => {
  const t = transport(h.port587, false);
  const info = await t.sendMail({ from: 'Sales <sales@mail.test>', to: 'bob@mail.test', subject: 'alias', text: 'x' });
  t.close();
  assert.deepEqual(info.accepted, ['bob@mail.test']);
});

test('swaks: STARTTLS + AUTH PLAIN on 587 and implicit TLS + AUTH LOGIN on 465, certificate verified', async () => {
  const before = (await h.inbox('bob@mail.test')).length;
  const a = await run('swaks', ['--server', '127.0.0.1', '--port', String(h.port587), '--tls', '--tls-verify', '--tls-ca-path', h.caFile,
    '--auth', 'PLAIN', '--auth-user', 'alice@mail.test', '--auth-password', 'alice-pw', '--from', 'alice@mail.test', '--to', 'bob@mail.test',
    '--h-From', 'alice@mail.test', '--h-Subject', 'swaks starttls+auth']);
  assert.match(a.stdout, /<~ {2}235 /);
  assert.match(a.stdout, /<~ {2}250 2\.6\.0 Ok: queued as [0-9a-f]+/);
  const b = await run('swaks', ['--server', '127.0.0.1', '--port', String(h.port465), '--tls-on-connect', '--tls-verify', '--tls-ca-path', h.caFile,
    '--auth', 'LOGIN', '--auth-user', 'alice@mail.test', '--auth-password', 'alice-pw', '--from', 'alice@mail.test', '--to', 'bob@mail.test',
    '--h-From', 'alice@mail.test']);
  assert.match(b.stdout, /<~ {2}250 2\.6\.0 Ok: queued as [0-9a-f]+/);
  assert.equal((await h.inbox('bob@mail.test')).length, before + 2);
});

test('swaks: AUTH before STARTTLS on 587 is not even offered (AUTH is hidden in clear text)', async () => {
  const r = await run('swaks', ['--server', '127.0.0.1', '--port', String(h.port587), '--auth', 'PLAIN', '--auth-user', 'alice@mail.test',
    '--auth-password', 'alice-pw', '--from', 'alice@mail.test', '--to', 'bob@mail.test']).then(
    () => ({ code: 0, stdout: '' }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  assert.equal(r.code, 28, r.stdout);
});

test('curl: STARTTLS required + AUTH on 587, and SMTPS on 465', async () => {
  const file = join(h.dir, 'curl.eml');
  await writeFile(file, 'From: alice@mail.test\r\nTo: bob@mail.test\r\nSubject: curl\r\n\r\nbody\r\n');
  const before = (await h.inbox('bob@mail.test')).length;
  await run('curl', ['-sS', '--ssl-reqd', '--cacert', h.caFile, '--url', `smtp://127.0.0.1:${h.port587}`, '--mail-from', 'alice@mail.test',
    '--mail-rcpt', 'bob@mail.test', '--user', 'alice@mail.test:alice-pw', '-T', file]);
  await run('curl', ['-sS', '--cacert', h.caFile, '--url', `smtps://127.0.0.1:${h.port465}`, '--mail-from', 'alice@mail.test',
    '--mail-rcpt', 'bob@mail.test', '--user', 'alice@mail.test:alice-pw', '-T', file]);
  assert.equal((await h.inbox('bob@mail.test')).length, before + 2);
});
