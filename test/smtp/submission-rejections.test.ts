// Every refusal of the submission service, on both ports where it applies:
// security-cases T02 (AUTH required, sender owned), T03 (canonical spellings),
// T05 (no proxy headers), T13 (AUTH before STARTTLS → 538 5.7.11), T23
// (throttled brute force, same answer for unknown users), T24 (AUTH protocol
// edges), the From-header check and the per-user rate limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { RawSmtp } from '../helpers/raw-smtp.js';
import { AuthThrottle } from '../../src/auth/throttle.js';
import { DEFAULT_SMTP_LIMITS } from '../../src/config/defaults.js';
import { startSubmissionHarness, type SubmissionHarness } from './submission-harness.js';

let h: SubmissionHarness;
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

before(async () => {
  // A throttle with tiny delays: the same code path, without waiting seconds.
  h = await startSubmissionHarness({ throttle: new AuthThrottle({ threshold: 5, baseDelayMs: 20, maxDelayMs: 80 }), settings: { rateLimit: { messagesPerHour: 1000, recipientsPerHour: 1000 } } });
});
after(() => h.close());

/** A session on the 587-style port after STARTTLS and EHLO. */
async function tls587(): Promise<RawSmtp> {
  const c = await RawSmtp.open(h.port587);
  await c.expect(220);
  await c.command('EHLO client.test');
  assert.equal((await c.command('STARTTLS'))?.code, 220);
  await c.startTls(h.caPem, 'mail.test');
  await c.command('EHLO client.test');
  return c;
}

/** A session on the 465-style port (TLS from the first byte) after EHLO; optionally from another loopback address. */
async function tls465(localAddress = '127.0.0.1'): Promise<RawSmtp> {
  const plain = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port: h.port465, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
  const socket = await new Promise<ReturnType<typeof tlsConnect>>((resolve, reject) => {
    const s = tlsConnect({ socket: plain, ca: h.caPem, servername: 'mail.test' }, () => resolve(s));
    s.once('error', reject);
  });
  const c = new (RawSmtp as unknown as new (s: unknown) => RawSmtp)(socket);
  await c.expect(220);
  await c.command('EHLO client.test');
  return c;
}

const login = (c: RawSmtp, user = 'alice@mail.test', pw = 'alice-pw') => c.command(`AUTH PLAIN ${b64(`\0${user}\0${pw}`)}`);

test('T02: without AUTH every transaction is refused with 530 5.7.0 (both ports)', async () => {
  for (const open of [tls587, tls465]) {
    const c = await open();
    const r = await c.command('MAIL FROM:<alice@mail.test>');
    assert.equal(r?.code, 530);
    assert.match(r!.text, /^5\.7\.0 /);
    assert.equal((await c.command('RCPT TO:<x@example.net>'))?.code, 530);
    c.close();
  }
});

test('T02: after AUTH the sender must be owned (553 5.7.1); own address and relay to a remote → 250', async () => {
  for (const open of [tls587, tls465]) {
    const c = await open();
    assert.equal((await login(c))?.code, 235);
    const bad = await c.command('MAIL FROM:<bob@mail.test>');
    assert.equal(bad?.code, 553);
    assert.match(bad!.text, /^5\.7\.1 /);
    assert.equal((await c.command('MAIL FROM:<>'))?.code, 553, 'no null sender from a user');
    assert.equal((await c.command('MAIL FROM:<someone@example.net>'))?.code, 553);
    assert.equal((await c.command('MAIL FROM:<alice@mail.test>'))?.code, 250);
    assert.equal((await c.command('RCPT TO:<x@example.net>'))?.code, 250);
    c.close();
  }
});

test('T03: sender and recipient spellings are canonical: ALICE@Mail.Test, alice+tag@, the alias; bob@MAIL.TEST is local', async () => {
  const c = await tls587();
  await login(c);
  for (const from of ['ALICE@Mail.Test', 'alice+news@mail.test', 'sales@mail.test', 'Sales+x@MAIL.test']) {
    assert.equal((await c.command(`MAIL FROM:<${from}>`))?.code, 250, from);
    assert.equal((await c.command('RSET'))?.code, 250);
  }
  await c.command('MAIL FROM:<alice@mail.test>');
  assert.equal((await c.command('RCPT TO:<bob@MAIL.TEST>'))?.code, 250);
  assert.equal((await c.command('RCPT TO:<nosuch@mail.test>'))?.code, 550);
  c.close();
});

test('relay spellings after AUTH: routing tricks are refused (501/550), never queued', async () => {
  const c = await tls465();
  await login(c);
  await c.command('MAIL FROM:<alice@mail.test>');
  const tricks = ['relaytest%example.net@[127.0.0.1]', '"relaytest@example.net"', 'example.net!relaytest', 'relaytest@example.net.', 'relaytest@[192.0.2.1]'];
  for (const t of tricks) {
    const r = await c.command(`RCPT TO:<${t}>`);
    assert.ok(r && r.code >= 500, `${t} → ${r?.lines.join(' ')}`);
  }
  assert.equal((await c.command('RCPT TO:<relaytest@EXAMPLE.NET>'))?.code, 250);
  c.close();
});

test('From header not owned by the user → 553 5.7.1 at end of DATA, nothing stored or queued', async () => {
  const c = await tls587();
  await login(c);
  await c.command('MAIL FROM:<alice@mail.test>');
  await c.command('RCPT TO:<bob@mail.test>');
  await c.command('RCPT TO:<x@example.net>');
  assert.equal((await c.command('DATA'))?.code, 354);
  const r = await c.command('From: Boss <bob@mail.test>\r\nSubject: spoof\r\n\r\nhi\r\n.');
  assert.equal(r?.code, 553);
  assert.match(r!.text, /^5\.7\.1 /);
  assert.equal((await h.inbox('bob@mail.test')).filter((m) => m.includes('Subject: spoof')).length, 0);
  assert.equal((await h.store.listQueue()).length, 0);
  c.close();
});

test('T13: AUTH PLAIN and AUTH LOGIN before STARTTLS → 538 5.7.11 (no password check); AUTH not advertised in clear', async () => {
  const c = await RawSmtp.open(h.port587);
  await c.expect(220);
  const ehlo = await c.command('EHLO client.test');
  assert.ok(!ehlo!.lines.some((l) => /AUTH/i.test(l)), ehlo!.lines.join('|'));
  assert.ok(ehlo!.lines.some((l) => /STARTTLS/.test(l)));
  for (const cmd of [`AUTH PLAIN ${b64('\0alice@mail.test\0alice-pw')}`, 'AUTH LOGIN']) {
    const r = await c.command(cmd);
    assert.equal(r?.code, 538);
    assert.match(r!.text, /^5\.7\.11 /);
  }
  c.close();
  const t = await tls587();
  const after = await t.command('EHLO again.test');
  assert.ok(after!.lines.some((l) => /^250[ -]AUTH PLAIN LOGIN$/.test(l)), after!.lines.join('|'));
  t.close();
});

test('T05: XCLIENT, XFORWARD and a PROXY header are refused', async () => {
  const c = await tls587();
  assert.ok(((await c.command('XCLIENT ADDR=127.0.0.1'))?.code ?? 0) >= 500);
  assert.ok(((await c.command('XFORWARD ADDR=127.0.0.1'))?.code ?? 0) >= 500);
  c.close();
  const p = await RawSmtp.open(h.port587);
  p.write('PROXY TCP4 127.0.0.1 127.0.0.1 1111 587\r\n');
  const r = await p.read();
  assert.ok(r === null || r.code >= 400, `PROXY before the banner → ${r?.lines.join(' ')}`);
  p.close();
});

test('T24: AUTH protocol edges', async () => {
  const c = await tls587();
  assert.equal((await c.command('AUTH PLAIN ===='))?.code, 501);
  assert.equal((await c.command('AUTH PLAIN'))?.code, 334);
  assert.equal((await c.command('*'))?.code, 501, 'cancelled');
  const authz = await c.command(`AUTH PLAIN ${b64('bob@mail.test\0alice@mail.test\0alice-pw')}`);
  assert.equal(authz?.code, 535, 'authzid different from authcid');
  assert.equal((await c.command(`AUTH PLAIN ${b64('\0ali\rce@mail.test\0x')}`))?.code, 501);
  assert.equal((await c.command(`AUTH PLAIN ${b64('\0alice@mail.test\0x\0y')}`))?.code, 501);
  assert.equal((await c.command('AUTH CRAM-MD5'))?.code, 504, 'CRAM-MD5 is not offered');
  const huge = await c.command(`AUTH PLAIN ${'A'.repeat(300 * 1024)}`);
  assert.ok(huge === null || huge.code === 421 || huge.code >= 500, `a 300 KB line is refused: ${huge?.lines.join('|')}`);
  c.close();
  const d = await tls587();
  assert.equal((await d.command('MAIL FROM:<alice@mail.test>'))?.code, 530);
  assert.equal((await login(d))?.code, 235);
  assert.equal((await login(d))?.code, 503, 'second AUTH');
  await d.command('MAIL FROM:<alice@mail.test>');
  assert.equal((await login(d))?.code, 503, 'AUTH after MAIL FROM');
  d.close();
});

test('T23: failures are throttled per IP in the shared throttle, unknown users get the same answer, another IP is not locked out', async () => {
  const wrong = await tls465();
  const unknown = await tls465();
  const a = await login(wrong, 'alice@mail.test', 'wrong-1');
  const b = await login(unknown, 'nosuch@mail.test', 'x');
  assert.equal(a?.code, 535);
  assert.deepEqual(b?.lines, a?.lines, 'same reply for an unknown user');
  for (let i = 0; i < 6; i++) await login(wrong, 'alice@mail.test', `wrong-${i + 2}`);
  wrong.close();
  unknown.close();
  assert.ok(h.throttle.delayFor('127.0.0.1') > 0, 'the shared throttle now delays this IP');
  const other = await tls465('127.0.0.2');
  assert.equal((await login(other))?.code, 235, 'the right password from another IP works at once');
  other.close();
  assert.equal(h.throttle.delayFor('127.0.0.2'), 0);
});

test('per-user rate limit: over the hourly budget MAIL FROM gets 450 4.7.1', async () => {
  let clock = Date.UTC(2026, 0, 1);
  const limited = await startSubmissionHarness({ settings: { rateLimit: { messagesPerHour: 2, recipientsPerHour: 100 } }, now: () => clock });
  try {
    const c = await RawSmtp.open(limited.port587);
    await c.expect(220);
    await c.command('EHLO x');
    await c.command('STARTTLS');
    await c.startTls(limited.caPem, 'mail.test');
    await c.command('EHLO x');
    await login(c);
    for (let i = 0; i < 2; i++) {
      assert.equal((await c.command('MAIL FROM:<alice@mail.test>'))?.code, 250);
      await c.command('RCPT TO:<bob@mail.test>');
      await c.command('DATA');
      assert.equal((await c.command(`From: alice@mail.test\r\nSubject: n${i}\r\n\r\nx\r\n.`))?.code, 250);
    }
    const r = await c.command('MAIL FROM:<alice@mail.test>');
    assert.equal(r?.code, 450);
    assert.match(r!.text, /^4\.7\.1 .*rate limit/);
    clock += 61 * 60_000;
    assert.equal((await c.command('MAIL FROM:<alice@mail.test>'))?.code, 250, 'the window slides');
    c.close();
  } finally {
    await limited.close();
  }
});

test('connections per IP are capped with 421 4.7.0 on submission too, and a closed one frees its slot', async () => {
  const open: RawSmtp[] = [];
  for (let i = 0; i < DEFAULT_SMTP_LIMITS.maxClientsPerIp; i++) {
    const c = await RawSmtp.open(h.port587);
    await c.expect(220);
    open.push(c);
  }
  const extra = await RawSmtp.open(h.port587);
  const r = await extra.read();
  assert.equal(r?.code, 421);
  assert.equal(r?.text, '4.7.0 Too many connections from your address, try again later');
  await extra.waitClosed();
  const first = open.shift()!;
  assert.equal((await first.command('QUIT'))?.code, 221);
  await first.waitClosed();
  // The server counts the QUIT session out when it closes; a new client may take the slot once it has.
  let admitted: number | undefined;
  for (let attempt = 0; attempt < 50 && admitted !== 220; attempt++) {
    const again = await RawSmtp.open(h.port587);
    admitted = (await again.read())?.code;
    if (admitted === 220) open.push(again);
    else await again.waitClosed();
  }
  assert.equal(admitted, 220);
  for (const c of open) c.close();
  await Promise.all(open.map((c) => c.waitClosed()));
});

test('a nearly full disk: submission refuses MAIL FROM with 452 4.3.1 like port 25, and accepts again once there is room', async () => {
  const c = await RawSmtp.open(h.port587);
  await c.expect(220);
  await c.command('EHLO x');
  await c.command('STARTTLS');
  await c.startTls(h.caPem, 'mail.test');
  await c.command('EHLO x');
  await login(c);
  const store = h.store as { freeBytes(): Promise<number> };
  const real = store.freeBytes;
  // 1.5 × the default 25 MiB limit is ~39 MB: 30 MB free is too little.
  store.freeBytes = async () => 30e6;
  try {
    const r = await c.command('MAIL FROM:<alice@mail.test>');
    assert.equal(r?.code, 452);
    assert.match(r!.text, /^4\.3\.1 /);
  } finally {
    store.freeBytes = real;
  }
  assert.equal((await c.command('MAIL FROM:<alice@mail.test>'))?.code, 250);
  c.close();
});
