// Security cases after login: T38 (literals), T39/T40 (line and nesting), T41 (sequence sets),
// T44 (wildcards and search input), T48 (per-user caps, IDLE keepalive and autologout), T49 (auth failures).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle } from '../../src/auth/index.js';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

async function session(h: ImapHarness, user = ALICE): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  const r = await c.login(user, PASSWORD);
  assert.equal(r.status, 'OK', r.line);
  return c;
}

describe('imap after login', () => {
  let h: ImapHarness;
  const throttle = new AuthThrottle({ threshold: 3, baseDelayMs: 1, maxDelayMs: 1 });
  before(async () => {
    h = await startImapHarness({ throttle, limits: { maxConnectionsPerUserIp: 3, autologoutMs: 3000, idleKeepaliveMs: 300 } });
    await h.addUser(ALICE);
    await h.addUser(BOB);
    for (let i = 1; i <= 3; i++) await h.deliver(ALICE, sampleMessage(i));
  });
  after(() => h.close());

  it('T38: refuses an oversized APPEND before the continuation and never runs literal bytes as commands', async () => {
    const c = await session(h);
    c.write('a APPEND INBOX {999999999}\r\n');
    const r = await c.tagged('a');
    assert.match(r.line, /^a NO \[TOOBIG\]/);
    assert.ok(!r.untagged.some((l) => l.startsWith('+')));
    // A non-synchronising literal (LITERAL+) is message content, not commands.
    const body = Buffer.from(`Subject: smuggle\r\n\r\nx DELETE Trash\r\n${'y'.repeat(4950)}`);
    c.write(Buffer.concat([Buffer.from(`b APPEND Junk {${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
    assert.match((await c.tagged('b')).line, /^b OK \[APPENDUID \d+ 1\]/);
    assert.ok(!c.lines.some((l) => l.startsWith('x ')));
    assert.equal((await c.command('STATUS Trash (MESSAGES)')).status, 'OK');
    assert.equal((await c.command(`SEARCH TEXT {70000}`)).status, 'BAD');
    assert.equal((await c.command('NOOP')).status, 'OK');
    c.close();
  });

  it('a nearly full disk: APPEND is refused with NO [UNAVAILABLE] before the literal, and works again once there is room', async () => {
    const c = await session(h);
    const before = await c.command('STATUS Sent (MESSAGES)');
    const store = h.store as { freeBytes(): Promise<number> };
    const real = store.freeBytes;
    store.freeBytes = async () => 1e6; // far below 1.5 × the 25 MiB APPENDLIMIT
    try {
      c.write('a APPEND Sent {40}\r\n');
      const r = await c.tagged('a');
      assert.match(r.line, /^a NO \[UNAVAILABLE\] /);
      assert.ok(!r.untagged.some((l) => l.startsWith('+')), 'no continuation: the client keeps its message');
    } finally {
      store.freeBytes = real;
    }
    assert.deepEqual((await c.command('STATUS Sent (MESSAGES)')).untagged, before.untagged, 'nothing was stored');
    const body = Buffer.from('Subject: room again\r\n\r\nhello\r\n');
    c.write(Buffer.concat([Buffer.from(`b APPEND Sent {${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
    assert.match((await c.tagged('b')).line, /^b OK \[APPENDUID \d+ \d+\]/);
    c.close();
  });

  it('T39/T40: bounds line length and nesting after login without a stack overflow', async () => {
    const c = await session(h);
    await c.command('SELECT INBOX');
    assert.equal((await c.command(`SEARCH ${'('.repeat(1000)}ALL${')'.repeat(1000)}`)).status, 'BAD');
    assert.equal((await c.command(`SEARCH ${'NOT '.repeat(10000)}ALL`)).status, 'BAD');
    assert.equal((await c.command(`SEARCH ${'OR ALL '.repeat(5000)}ALL`)).status, 'BAD');
    assert.equal((await c.command(`FETCH 1 BODY[${'1.'.repeat(30000)}1]`)).status, 'BAD');
    assert.equal((await c.command('NOOP')).status, 'OK');
    c.write(`z NOOP ${'x'.repeat(70000)}\r\n`);
    await c.closedByServer();
    assert.ok(c.lines.some((l) => /^(\* BYE|z BAD)/.test(l)));
  });

  it('T41: handles sequence sets at the edges', async () => {
    const c = await session(h);
    await c.command('SELECT INBOX');
    assert.equal((await c.command('FETCH 1:* (FLAGS)')).untagged.length, 3);
    assert.equal((await c.command('FETCH 1:4294967295 (FLAGS)')).untagged.length, 3);
    assert.equal((await c.command('FETCH *:1 (FLAGS)')).untagged.length, 3);
    assert.equal((await c.command('FETCH 0 (FLAGS)')).status, 'BAD');
    assert.equal((await c.command('FETCH 4294967296 (FLAGS)')).status, 'BAD');
    assert.equal((await c.command('UID FETCH 4294967296 (FLAGS)')).status, 'BAD');
    const many = await c.command(`FETCH ${'1,'.repeat(30000)}1 (FLAGS)`);
    assert.equal(many.status, 'OK');
    assert.equal(many.untagged.length, 1);
    assert.equal((await c.command('SELECT Drafts')).status, 'OK');
    assert.match((await c.command('FETCH 1:* (FLAGS)')).status, /BAD|NO/);
    assert.equal((await c.command('UID FETCH 1:* (FLAGS)')).status, 'OK');
    c.close();
  });

  it('T44: matches LIST wildcards in linear time and SEARCH strings literally', async () => {
    const c = await session(h);
    let t = Date.now();
    const r1 = await c.command(`LIST "" "${'*%'.repeat(20)}x"`);
    const r2 = await c.command(`LIST "" "${'*'.repeat(5000)}"`);
    assert.ok(Date.now() - t < 2000);
    assert.equal(r1.status, 'OK');
    assert.equal(r2.untagged.length, 6);
    await c.command('SELECT INBOX');
    t = Date.now();
    assert.deepEqual((await c.command('SEARCH TEXT "(a+)+$"')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('SEARCH HEADER Subject ".*.*.*.*=="')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('SEARCH HEADER Subject "message 2"')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH BODY zzz')).untagged, ['* SEARCH']);
    c.close();
  });

  it('T48: caps sessions per user and IP with NO [UNAVAILABLE]', async () => {
    const open = [await session(h, BOB), await session(h, BOB), await session(h, BOB)];
    const extra = await RawImap.openTls(h.tlsPort, h.caPem);
    await extra.greeting();
    assert.match((await extra.login(BOB, PASSWORD)).line, /NO \[UNAVAILABLE\]/);
    open.pop()!.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await extra.login(BOB, PASSWORD)).status, 'OK');
    for (const c of [...open, extra]) c.close();
  });

  it('T48: keeps an IDLE alive with "Still here", then logs it out', async () => {
    const c = await session(h);
    await c.command('SELECT INBOX');
    c.write('i IDLE\r\n');
    await c.continuation();
    await c.waitFor((l) => l === '* OK Still here');
    await c.closedByServer(8000);
    assert.match(c.lines[c.lines.length - 1]!, /^\* BYE .*[Aa]utologout/);
  });

  it('T49: answers unknown users and wrong passwords alike and feeds the shared throttle', async () => {
    const c = await RawImap.openTls(h.tlsPort, h.caPem);
    await c.greeting();
    const wrong = await c.login(ALICE, 'wrong1');
    const unknown = await c.login('nobody@example.com', 'wrong2');
    const plain = Buffer.from(`\0${ALICE}\0wrong3`).toString('base64');
    const sasl = await c.command(`AUTHENTICATE PLAIN ${plain}`);
    for (const r of [wrong, unknown, sasl]) assert.match(r.line, /^t\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed$/);
    assert.ok(throttle.delayFor('127.0.0.1') > 0);
    // The continuation form of AUTHENTICATE PLAIN works too.
    c.write('a AUTHENTICATE PLAIN\r\n');
    await c.continuation();
    c.write(`${Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64')}\r\n`);
    assert.equal((await c.tagged('a')).status, 'OK');
    c.close();
  });

  it('T49: every malformed AUTHENTICATE PLAIN response gets the same BAD, in both forms (RFC 4616 §2)', async () => {
    const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64');
    const malformed = [
      'not*base64',
      '=',
      b64(ALICE),
      b64(`\0${ALICE}`),
      b64(`\0${ALICE}\0${PASSWORD}\0`),
      b64(`\0${ALICE}\0`),
      b64(`\0\0${PASSWORD}`),
      b64(`${BOB}\0${ALICE}\0${PASSWORD}`),
      b64(Uint8Array.from([0, 0x61, 0, 0xc0, 0xaf])),
    ];
    for (const response of malformed) {
      // A fresh connection each time: three BADs before login are all a client gets.
      const c = await RawImap.openTls(h.tlsPort, h.caPem);
      await c.greeting();
      // The parser turns a lone "=" initial response into the empty one (RFC 4959 §3).
      if (response !== 'not*base64') assert.equal((await c.command(`AUTHENTICATE PLAIN ${response}`, 'a')).line, 'a BAD Invalid PLAIN response', response);
      c.write('b AUTHENTICATE PLAIN\r\n');
      await c.continuation();
      c.write(`${response}\r\n`);
      assert.equal((await c.tagged('b')).line, 'b BAD Invalid PLAIN response', response);
      c.close();
    }
  });
});
