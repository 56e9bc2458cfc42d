import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const run = promisify(execFile);
let h: SmtpHarness;

before(async () => {
  h = await startSmtpHarness();
  await h.addUsers('example.com', 'alice', 'bob', 'carol');
  await h.addUsers('example.org', 'dave');
  await h.store.addAlias('team@example.com', 'alice@example.com');
  await h.store.addAlias('team@example.com', 'bob@example.com');
  await h.store.addAlias('@example.org', 'dave@example.org');
});
after(() => h.close());

/** Splits a stored message into the headers we prepended and the bytes the client sent. */
function splitTrace(raw: Buffer): { trace: string; rest: Buffer } {
  const text = raw.toString('latin1');
  assert.match(text, /^Return-Path: <[^>]*>\r\nReceived: from /);
  // Our Received header is three lines (from / by ... id / date); the client's bytes follow.
  const m = /^Return-Path: <[^>]*>\r\nReceived: [^\r]*\r\n\t[^\r]*\r\n(?:\t[^\r]*\r\n)?\t[^\r]*\+0000\r\n/.exec(text);
  assert.ok(m, `trace headers not recognised in ${JSON.stringify(text.slice(0, 300))}`);
  return { trace: m[0], rest: raw.subarray(Buffer.byteLength(m[0], 'latin1')) };
}

test('swaks delivers to a local user; the stored message is the sent bytes plus Return-Path and Received', async () => {
  const body = 'From: Sender <sender@example.net>\r\nTo: alice@example.com\r\nSubject: byte check\r\nMessage-ID: <swaks-1@example.net>\r\n\r\nLine one\r\n..leading dot line\r\n\xe9 8-bit byte';
  const file = join(h.dir, 'swaks-msg.eml');
  await writeFile(file, Buffer.from(body, 'latin1'));
  const before = (await h.inbox('alice@example.com')).length;
  const { stdout } = await run('swaks', ['--server', '127.0.0.1', '--port', String(h.port), '--from', 'sender@example.net', '--to', 'alice@example.com', '--data', `@${file}`, '--helo', 'client.example.net']);
  assert.match(stdout, /<- {2}250 2\.6\.0 Ok: queued as [0-9a-f]+/);
  const inbox = await h.inbox('alice@example.com');
  assert.equal(inbox.length, before + 1);
  const { trace, rest } = splitTrace(inbox[inbox.length - 1] as Buffer);
  assert.match(trace, /^Return-Path: <sender@example\.net>\r\n/);
  assert.match(trace, /Received: from client\.example\.net \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.com \(Letterbox\) with ESMTP id [0-9a-f]+\r\n\tfor <alice@example\.com>;/);
  // swaks dot-stuffs ".." → "...", the server unstuffs, and swaks ends the data with
  // CRLF "." CRLF: what we store is the file plus the CRLF that precedes the final dot.
  assert.deepEqual(rest, Buffer.from(body + '\r\n', 'latin1'));
});

test('nodemailer: one message to three local users is stored once and appears in three INBOXes', async () => {
  const blobsBefore = await h.store.countBlobs();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
  const info = await transport.sendMail({
    from: 'sender@example.net',
    to: ['alice@example.com', 'bob@example.com', 'carol@example.com'],
    subject: 'three recipients',
    text: 'hello all',
  });
  transport.close();
  assert.deepEqual(info.accepted.sort(), ['alice@example.com', 'bob@example.com', 'carol@example.com']);
  assert.equal(await h.store.countBlobs(), blobsBefore + 1);
  const ids = new Set<string>();
  for (const user of ['alice', 'bob', 'carol']) {
    const account = await h.store.account(`${user}@example.com`);
    const msgs = await account.listMessages('INBOX');
    const last = msgs[msgs.length - 1];
    assert.ok(last);
    ids.add(last.blobId);
    const raw = (await h.store.readBlobRange(last.blobId, 0, last.size)).toString('latin1');
    assert.match(raw, /Subject: three recipients/);
    assert.doesNotMatch(raw, /\tfor </, 'a multi-recipient Received line names no recipient');
  }
  assert.equal(ids.size, 1, 'all three records point at the same body');
});

test('aliases, catch-all, plus-addressing, case and postmaster reach the right accounts', async () => {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
  const counts = async () => ({
    alice: (await h.inbox('alice@example.com')).length,
    bob: (await h.inbox('bob@example.com')).length,
    dave: (await h.inbox('dave@example.org')).length,
  });
  const send = (to: string) => transport.sendMail({ envelope: { from: 'x@example.net', to }, raw: `Subject: to ${to}\r\n\r\nbody\r\n` });
  let c = await counts();
  await send('team@example.com');
  let d = await counts();
  assert.deepEqual([d.alice - c.alice, d.bob - c.bob], [1, 1], 'alias fans out');
  c = d;
  await send('anything-at-all@example.org');
  d = await counts();
  assert.equal(d.dave - c.dave, 1, 'catch-all');
  c = d;
  await send('Alice+Newsletters@EXAMPLE.COM');
  d = await counts();
  assert.equal(d.alice - c.alice, 1, 'plus-address and case');
  c = d;
  await send('postmaster@example.com');
  d = await counts();
  assert.equal(d.alice + d.bob - c.alice - c.bob, 1, 'postmaster always exists');
  transport.close();
});

test('STARTTLS with our certificate: swaks verifies it against `letterbox tls ca`', async () => {
  const ca = join(h.dir, 'ca.pem');
  await writeFile(ca, h.caPem);
  const { stdout } = await run('swaks', ['--server', '127.0.0.1', '--port', String(h.port), '--tls', '--tls-verify', '--tls-ca-path', ca, '--from', 'sender@example.net', '--to', 'bob@example.com']);
  assert.match(stdout, /TLS started with cipher TLSv1\.[23]/);
  assert.match(stdout, /<~ {2}250 2\.6\.0 Ok: queued as/);
  const inbox = await h.inbox('bob@example.com');
  assert.match((inbox[inbox.length - 1] as Buffer).toString('latin1'), /with ESMTPS id/);
});
