import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

let h: SmtpHarness;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

before(async () => {
  process.on('uncaughtException', onUncaught);
  h = await startSmtpHarness();
  await h.addUsers('example.com', 'bob');
});
after(async () => {
  process.off('uncaughtException', onUncaught);
  await h.close();
});

/** Opens a session and issues STARTTLS, returning the raw socket ready for the handshake. */
async function afterStartTls(): Promise<RawSmtp> {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  await c.command('EHLO hostile.example.net');
  const r = await c.command('STARTTLS');
  assert.equal(r?.code, 220);
  c.socket.removeAllListeners('data');
  return c;
}

/** Proves the server still works: a normal STARTTLS session delivers a message. */
async function stillServes(): Promise<void> {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  await c.command('EHLO ok.example.net');
  assert.equal((await c.command('STARTTLS'))?.code, 220);
  await c.startTls(h.caPem, 'localhost');
  assert.equal((await c.command('EHLO ok.example.net'))?.code, 250);
  assert.equal((await c.command('MAIL FROM:<a@example.net>'))?.code, 250);
  assert.equal((await c.command('RCPT TO:<bob@example.com>'))?.code, 250);
  assert.equal((await c.command('DATA'))?.code, 354);
  assert.equal((await c.command('Subject: alive\r\n\r\nalive\r\n.'))?.code, 250);
  c.close();
  assert.deepEqual(uncaught, []);
}

function handshakeFails(options: object): Promise<string> {
  return afterStartTls().then(
    (c) =>
      new Promise<string>((resolve) => {
        const t = tlsConnect({ socket: c.socket, rejectUnauthorized: false, ...options }, () => {
          t.destroy();
          resolve('connected');
        });
        t.on('error', (e: Error) => resolve(e.message));
      }),
  );
}

test('T22(a/b): TLS 1.0 and 1.1 hellos after STARTTLS are refused and the server lives on', async () => {
  for (const v of ['TLSv1', 'TLSv1.1'] as const) {
    const result = await handshakeFails({ minVersion: v, maxVersion: v, ciphers: 'DEFAULT:@SECLEVEL=0' });
    assert.notEqual(result, 'connected', v);
  }
  await stillServes();
});

test('T66: TLS 1.2 without forward secrecy or with CBC is refused; ECDHE-GCM and TLS 1.3 work', async () => {
  for (const cipher of ['AES256-SHA', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA']) {
    const result = await handshakeFails({ maxVersion: 'TLSv1.2', ciphers: cipher });
    assert.notEqual(result, 'connected', cipher);
  }
  assert.equal(await handshakeFails({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), 'connected');
  assert.equal(await handshakeFails({ minVersion: 'TLSv1.3' }), 'connected');
});

test('T22(c/d): random bytes and an SSLv2 hello after STARTTLS close only that connection', async () => {
  const garbage = await afterStartTls();
  garbage.write(randomBytes(300));
  await garbage.waitClosed();
  const sslv2 = await afterStartTls();
  // SSLv2 CLIENT-HELLO: 2-byte record header with the high bit set, msg type 1, version 0x0002.
  sslv2.write(Buffer.from('802e0100020015000000100700c00500800300800100800600400400800200804a6f686e54686553534c763248692121', 'hex'));
  await sslv2.waitClosed();
  await stillServes();
});

test('T21: a stalled partial ClientHello does not block other sessions', async () => {
  const stalled = await afterStartTls();
  stalled.write(Buffer.from('160301', 'hex'));
  await stillServes();
  stalled.close();
});
