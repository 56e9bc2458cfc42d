import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawPop3 } from './raw-pop3.js';
import { message, startPop3Harness, type Pop3Harness } from './pop3-harness.js';
import { waitFor } from './wait-for.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('pop3 SASL PLAIN, throttling and limits', () => {
  let h: Pop3Harness;
  const alice = 'alice@example.com';
  const longPassword = 'p'.repeat(400) + ' with spaces';

  before(async () => {
    h = await startPop3Harness({
      limits: { maxClientsPerIp: 3 },
      throttle: { threshold: 2, baseDelayMs: 20, maxDelayMs: 40 },
    });
    await h.addUser(alice, 'alice-pw');
    await h.addUser('long@example.com', longPassword);
    await h.deliver(alice, message('hello', 'hi\r\n'));
  });
  after(async () => h.close());

  const tls = async (): Promise<RawPop3> => {
    const c = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    assert.match((await c.line()) ?? '', /^\+OK/);
    return c;
  };
  const quit = async (c: RawPop3): Promise<void> => {
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  };

  it('AUTH PLAIN with an initial response, after an empty challenge, and cancelled (RFC 5034)', async () => {
    const a = await tls();
    assert.match(await a.cmd(`AUTH PLAIN ${b64('\0alice@example.com\0alice-pw')}`), /^\+OK/);
    assert.match(await a.cmd('AUTH PLAIN =' ), /^-ERR/, 'no second AUTH after login');
    await quit(a);

    const b = await tls();
    assert.equal(await b.cmd('AUTH PLAIN'), '+ ');
    assert.match(await b.cmd(b64('alice@example.com\0alice@example.com\0alice-pw')), /^\+OK/);
    await quit(b);

    const c = await tls();
    assert.equal(await c.cmd('AUTH PLAIN'), '+ ');
    assert.match(await c.cmd('*'), /^-ERR/);
    assert.match(await c.cmd('AUTH PLAIN not*base64'), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd(`AUTH PLAIN ${b64('bob@example.com\0alice@example.com\0alice-pw')}`), /^-ERR \[AUTH\]/, 'no proxy logins');
    assert.match(await c.cmd('AUTH CRAM-MD5'), /^-ERR/);
    await quit(c);
  });

  it('every malformed PLAIN response gets the same reply, in both forms (RFC 4616 §2, RFC 5034 §4)', async () => {
    const malformed = [
      'not*base64',
      '=',
      b64('alice@example.com'),
      b64('\0alice@example.com'),
      b64('\0alice@example.com\0alice-pw\0'),
      b64('\0alice@example.com\0'),
      b64('\0\0alice-pw'),
      b64('bob@example.com\0alice@example.com\0alice-pw'),
      Buffer.from([0, 0x61, 0, 0xc0, 0xaf]).toString('base64'),
    ];
    const c = await tls();
    for (const response of malformed) {
      assert.equal(await c.cmd(`AUTH PLAIN ${response}`), '-ERR [AUTH] Invalid SASL PLAIN response', response);
      assert.equal(await c.cmd('AUTH PLAIN'), '+ ');
      assert.equal(await c.cmd(response), '-ERR [AUTH] Invalid SASL PLAIN response', response);
    }
    // None of them counted as a failed password: the connection is still open and the right one works.
    assert.match(await c.cmd(`AUTH PLAIN ${b64('\0alice@example.com\0alice-pw')}`), /^\+OK/);
    await quit(c);
  });

  it('credential lines may exceed 255 octets (long passwords), other lines may not', async () => {
    const line = `AUTH PLAIN ${b64(`\0long@example.com\0${longPassword}`)}`;
    assert.ok(line.length > 255);
    const a = await tls();
    assert.match(await a.cmd(line), /^\+OK/);
    await quit(a);
    const b = await tls();
    assert.match(await b.login('long@example.com', longPassword), /^\+OK/);
    await quit(b);
    const c = await tls();
    assert.match(await c.cmd(`USER ${'u'.repeat(300)}@example.com`), /^-ERR Line too long/);
    assert.match(await c.cmd(`PASS ${'x'.repeat(5000)}`), /^-ERR Line too long/);
    await quit(c);
  });

  it('failed logins feed the shared per-IP throttle and close the connection after 3', async () => {
    const c = await tls();
    assert.match(await c.login(alice, 'wrong-1'), /^-ERR \[AUTH\]/);
    assert.match(await c.login('nobody@example.com', 'wrong-2'), /^-ERR \[AUTH\]/);
    assert.ok(h.throttle.delayFor('127.0.0.1') > 0, 'this client is now delayed');
    assert.match(await c.login(alice, 'wrong-3'), /^-ERR \[AUTH\]/);
    await c.waitClosed();
    const d = await tls();
    assert.match(await d.login(alice, 'alice-pw'), /^\+OK/, 'the right password still works, later');
    await quit(d);
  });

  it('an idle session is dropped without deleting anything (RFC 1939 autologout)', async () => {
    const idle = await startPop3Harness({ limits: { idleTimeoutMs: 1000 } });
    try {
      await idle.addUser(alice, 'alice-pw');
      await idle.deliver(alice, message('stay', 'stay\r\n'));
      const c = await RawPop3.open(idle.tlsPort, { ca: idle.caPem });
      await c.line();
      assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
      assert.match(await c.cmd('DELE 1'), /^\+OK/);
      assert.match((await c.line()) ?? '', /^-ERR .*[Ii]dle/);
      await c.waitClosed();
      await waitFor(() => idle.tls.connections === 0);
      assert.equal((await (await idle.store.account(alice)).listMessages('INBOX')).length, 1);
    } finally {
      await idle.close();
    }
  });

  it('limits connections per client address', async () => {
    const open = await Promise.all([tls(), tls(), tls()]);
    const extra = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    assert.match((await extra.line()) ?? '', /^-ERR \[SYS\/TEMP\]/);
    await extra.waitClosed();
    for (const c of open) await quit(c);
  });

  it('closing the server ends sessions without committing their deletions', async () => {
    const other = await startPop3Harness();
    try {
      await other.addUser(alice, 'alice-pw');
      await other.deliver(alice, message('keep', 'keep me\r\n'));
      const c = await RawPop3.open(other.tlsPort, { ca: other.caPem });
      await c.line();
      assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
      assert.match(await c.cmd('DELE 1'), /^\+OK/);
      await other.tls.close();
      await c.waitClosed();
      assert.equal((await (await other.store.account(alice)).listMessages('INBOX')).length, 1);
    } finally {
      await other.close();
    }
  });

  it('allowPlaintextAuth lets the owner turn USER/PASS on without TLS', async () => {
    const open = await startPop3Harness({ allowPlaintextAuth: true });
    try {
      await open.addUser(alice, 'alice-pw');
      const c = await RawPop3.open(open.plainPort);
      await c.line();
      const caps = (await c.multi('CAPA')).lines.map(String);
      assert.ok(caps.includes('USER') && caps.includes('STLS'));
      assert.match(await c.login(alice, 'alice-pw'), /^\+OK .*0 messages/);
      await quit(c);
    } finally {
      await open.close();
    }
  });
});
