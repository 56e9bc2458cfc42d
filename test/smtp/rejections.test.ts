import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let h: SmtpHarness;

before(async () => {
  h = await startSmtpHarness({ limits: { maxMessageBytes: 64 * 1024, rcptErrorsBeforeDelay: 10, rcptErrorDelayMs: 5, maxRcptErrors: 20, maxClientsPerIp: 5 } });
  await h.addUsers('example.com', 'alice', 'bob');
  await h.store.addAlias('@example.com', 'bob@example.com');
  await h.addUsers('example.org', 'full');
});
after(() => h.close());

async function session(): Promise<RawSmtp> {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  await c.command('EHLO client.example.net');
  return c;
}

// security-cases T01: every spelling of a foreign recipient is refused without AUTH.
test('relay matrix: no sender and no recipient spelling gets a non-local address accepted', async () => {
  const senders = ['<>', '<antispam@example.net>', '<postmaster@example.com>', '<alice@example.com>'];
  const targets = [
    'relaytest@example.net', 'relaytest%example.net@example.com', 'relaytest%example.net@[127.0.0.1]',
    '"relaytest@example.net"', '"relaytest%example.net"', 'relaytest@example.net@example.com',
    '"relaytest@example.net"@example.com', '@example.com:relaytest@example.net', '@[127.0.0.1]:relaytest@example.net',
    'example.net!relaytest', 'example.net!relaytest@example.com', 'example.net!relaytest@[127.0.0.1]',
    'relaytest@example.net.', 'relaytest@EXAMPLE.NET', 'relaytest@xn--exmple-cua.net', 'relaytest@[192.0.2.1]',
  ];
  const blobsBefore = await h.store.countBlobs();
  for (const from of senders) {
    const c = await session();
    for (const to of targets) {
      await c.command('RSET');
      const mail = await c.command(`MAIL FROM:${from}`);
      assert.equal(mail?.code, 250, `MAIL FROM:${from}`);
      const r = await c.command(`RCPT TO:<${to}>`);
      assert.ok(r && r.code >= 500 && r.code < 600, `RCPT TO:<${to}> from ${from} got ${r?.lines.join(' ')}`);
      if (to.endsWith('example.net') || to.endsWith('.net.') || to.includes('[')) {
        if (r.code === 550) assert.match(r.text, /^5\.(7\.1|1\.1) /);
      }
    }
    const data = await c.command('DATA');
    assert.equal(data?.code, 503, 'no recipient was accepted, so DATA is refused');
    c.close();
  }
  assert.equal(await h.store.countBlobs(), blobsBefore);
});

test('plain foreign recipient gets exactly 550 5.7.1; unknown local user 550 5.1.1 at RCPT time', async () => {
  const c = await session();
  await c.command('MAIL FROM:<x@example.net>');
  const relay = await c.command('RCPT TO:<someone@example.net>');
  assert.equal(relay?.lines[0], '550 5.7.1 Relaying denied: authentication required');
  const unknown = await c.command('RCPT TO:<nosuch@example.org>');
  assert.equal(unknown?.code, 550);
  assert.match(unknown?.text ?? '', /^5\.1\.1 /);
  c.close();
});

test('AUTH is neither offered nor accepted on port 25; STARTTLS is offered', async () => {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  const ehlo = await c.command('EHLO client.example.net');
  assert.ok(ehlo);
  assert.ok(!ehlo.lines.some((l) => /AUTH/i.test(l)), ehlo.lines.join('\n'));
  assert.ok(ehlo.lines.some((l) => /STARTTLS/.test(l)));
  assert.ok(ehlo.lines.some((l) => /SIZE 65536/.test(l)), 'SIZE advertised with the limit');
  const auth = await c.command('AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHNlY3JldA==');
  assert.ok(auth && auth.code >= 500, auth?.lines.join(' '));
  c.close();
});

test('over quota: 452 4.2.2 at RCPT time', async () => {
  await h.store.removeAccount('full@example.org');
  const { hashPassword } = await import('../../src/auth/password.js');
  await h.store.addAccount('full@example.org', await hashPassword('irrelevant-password', { ln: 10 }), { quotaBytes: 1000 });
  const c = await session();
  await c.command('MAIL FROM:<x@example.net> SIZE=5000');
  const r = await c.command('RCPT TO:<full@example.org>');
  assert.equal(r?.code, 452);
  assert.match(r?.text ?? '', /^4\.2\.2 /);
  c.close();
});

test('message size: declared SIZE over the limit and an undeclared oversized body get 552 5.3.4; nothing stored', async () => {
  const blobsBefore = await h.store.countBlobs();
  const c = await session();
  const declared = await c.command('MAIL FROM:<x@example.net> SIZE=999999999');
  assert.equal(declared?.code, 552);
  assert.match(declared?.text ?? '', /5\.3\.4/);
  await c.command('RSET');
  await c.command('MAIL FROM:<x@example.net>');
  const rc = await c.command('RCPT TO:<alice@example.com>');
  assert.equal(rc?.code, 250);
  await c.command('DATA');
  const line = 'x'.repeat(998) + '\r\n';
  for (let i = 0; i < 100; i++) c.write(line);
  const r = await c.command('.');
  assert.equal(r?.code, 552);
  assert.match(r?.text ?? '', /^5\.3\.4 /);
  assert.equal(await h.store.countBlobs(), blobsBefore);
  c.close();
});

test('recipient limit: the 101st distinct recipient gets 452 4.5.3', async () => {
  const c = await session();
  await c.command('MAIL FROM:<x@example.net>');
  for (let i = 0; i < 100; i++) {
    const r = await c.command(`RCPT TO:<list${i}@example.com>`);
    assert.equal(r?.code, 250, `recipient ${i}`);
  }
  const over = await c.command('RCPT TO:<list100@example.com>');
  assert.equal(over?.code, 452);
  assert.match(over?.text ?? '', /^4\.5\.3 /);
  c.close();
});

test('unknown commands and RCPT errors end the session with 421', async () => {
  const c = await session();
  let last = null;
  for (let i = 0; i < 12 && !c.closed; i++) last = (await c.command(`BOGUS${i}`)) ?? last;
  assert.equal(last?.code, 421);
  await c.waitClosed();

  const d = await session();
  await d.command('MAIL FROM:<x@example.net>');
  const codes: number[] = [];
  for (let i = 0; i < 25 && !d.closed; i++) {
    const r = await d.command(`RCPT TO:<harvest${i}@example.org>`);
    if (r) codes.push(r.code);
  }
  assert.deepEqual(codes.slice(0, 19), new Array(19).fill(550));
  assert.equal(codes[19], 421, 'the 20th error closes the session');
  assert.equal(codes.length, 20);
  await d.waitClosed();
});

test('command line length: an over-long line is refused and the server stays up', async () => {
  const c = await session();
  c.write('EHLO ' + 'a'.repeat(20000) + '\r\n');
  const r = await c.read();
  assert.ok(r === null || r.code >= 400, `got ${r?.lines.join(' ')}`);
  c.close();
  const ok = await session();
  assert.equal((await ok.command('NOOP'))?.code, 250);
  ok.close();
});

test('connections per IP are capped with 421 4.7.0', async () => {
  const open: RawSmtp[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await RawSmtp.open(h.port);
    await c.expect(220);
    open.push(c);
  }
  const extra = await RawSmtp.open(h.port);
  const r = await extra.read();
  assert.equal(r?.code, 421);
  assert.match(r?.text ?? '', /^4\.7\.0 /);
  await extra.waitClosed();
  for (const c of open) c.close();
  await Promise.all(open.map((c) => c.waitClosed()));
});
