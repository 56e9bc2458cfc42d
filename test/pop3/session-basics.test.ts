import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawPop3 } from './raw-pop3.js';
import { message, startPop3Harness, type Pop3Harness } from './pop3-harness.js';
import { uidlOf } from '../../src/pop3/index.js';
import { waitFor } from './wait-for.js';

// RFC 1939 TRANSACTION commands over implicit TLS, against messages in the store.
describe('pop3 session basics', () => {
  let h: Pop3Harness;
  const alice = 'alice@example.com';
  const bodies: Buffer[] = [];
  const uids: number[] = [];

  before(async () => {
    h = await startPop3Harness();
    await h.addUser(alice, 'alice-pw');
    bodies.push(message('one', 'Hello\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n'));
    bodies.push(message('two', 'line1\r\nline2\r\nline3\r\nline4\r\n'));
    bodies.push(message('three', 'x'.repeat(70_000) + '\r\n.\r\n' + 'y'.repeat(10) + '\r\n'));
    for (const b of bodies) uids.push(await h.deliver(alice, b));
  });
  after(async () => h.close());

  /** Ends a session with QUIT and waits until the server has closed it (and released the maildrop lock). */
  const quit = async (c: RawPop3): Promise<void> => {
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  };

  /** A logged-in session: over implicit TLS, or over STLS on the plain port. */
  const session = async (stls = false): Promise<RawPop3> => {
    const c = await RawPop3.open(stls ? h.plainPort : h.tlsPort, stls ? undefined : { ca: h.caPem });
    assert.match((await c.line()) ?? '', /^\+OK /);
    if (stls) {
      assert.match(await c.cmd('STLS'), /^\+OK/);
      await c.startTls(h.caPem);
    }
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK .*3 messages/);
    return c;
  };

  it('greets without an APOP timestamp and lists capabilities (T55, RFC 2449)', async () => {
    const c = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    const greeting = (await c.line()) ?? '';
    assert.match(greeting, /^\+OK /);
    assert.doesNotMatch(greeting, /<.*>/);
    const caps = (await c.multi('CAPA')).lines.map((l) => l.toString());
    for (const cap of ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'USER', 'SASL PLAIN', 'EXPIRE NEVER', 'LOGIN-DELAY 0']) assert.ok(caps.includes(cap), cap);
    assert.ok(!caps.includes('STLS'), 'no STLS on the implicit-TLS port');
    assert.ok(!caps.some((cap) => cap.startsWith('APOP')));
    assert.match(await c.cmd('APOP alice@example.com 0123456789abcdef0123456789abcdef'), /^-ERR/);
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
  });

  it('STAT and LIST octets equal the bytes RETR delivers, byte-exact after un-stuffing', async () => {
    const c = await session();
    const total = bodies.reduce((n, b) => n + b.length, 0);
    assert.equal(await c.cmd('STAT'), `+OK 3 ${total}`);
    const list = await c.multi('LIST');
    assert.deepEqual(list.lines.map(String), bodies.map((b, i) => `${i + 1} ${b.length}`));
    for (let i = 0; i < bodies.length; i++) {
      assert.equal(await c.cmd(`LIST ${i + 1}`), `+OK ${i + 1} ${bodies[i]!.length}`);
      const retr = await c.multi(`RETR ${i + 1}`);
      assert.ok(retr.body.equals(bodies[i]!), `message ${i + 1} round-trips`);
    }
    await quit(c);
  });

  it('RETR sends dot-stuffed lines on the wire', async () => {
    const c = await session();
    c.write('RETR 1\r\n');
    assert.match((await c.line()) ?? '', /^\+OK/);
    const wire: string[] = [];
    for (let l = await c.line(); l !== '.'; l = await c.line()) wire.push(l ?? '<closed>');
    assert.ok(wire.includes('..leading dot'));
    assert.ok(wire.includes('...two dots'));
    assert.ok(wire.includes('..'));
    await quit(c);
  });

  it('UIDL values derive from UIDVALIDITY and UID and stay the same across sessions', async () => {
    const box = await (await h.store.account(alice)).getMailbox('INBOX');
    const expected = uids.map((u, i) => `${i + 1} ${uidlOf(box.uidValidity, u)}`);
    for (let round = 0; round < 2; round++) {
      const c = await session();
      const listing = (await c.multi('UIDL')).lines.map(String);
      assert.deepEqual(listing, expected);
      for (const l of listing) assert.match(l.split(' ')[1] as string, /^[\x21-\x7e]{1,70}$/);
      assert.equal(await c.cmd('UIDL 2'), `+OK ${expected[1]}`);
      c.write('QUIT\r\n');
      await c.waitClosed();
    }
  });

  it('TOP returns the header, the blank line and n body lines', async () => {
    const c = await session();
    const raw = bodies[1]!.toString();
    const header = raw.slice(0, raw.indexOf('\r\n\r\n') + 4);
    assert.equal((await c.multi('TOP 2 0')).body.toString(), header);
    assert.equal((await c.multi('TOP 2 2')).body.toString(), header + 'line1\r\nline2\r\n');
    assert.equal((await c.multi('TOP 2 100')).body.toString(), raw);
    const top3 = await c.multi('TOP 3 1');
    assert.equal(top3.body.toString(), bodies[2]!.toString().slice(0, bodies[2]!.indexOf('\r\n\r\n') + 4) + 'x'.repeat(70_000) + '\r\n');
    await quit(c);
  });

  it('DELE marks, RSET unmarks, and a session without QUIT deletes nothing', async () => {
    const c = await session(true);
    assert.match(await c.cmd('DELE 2'), /^\+OK/);
    assert.match(await c.cmd('DELE 2'), /^-ERR/);
    assert.match(await c.cmd('RETR 2'), /^-ERR/);
    assert.match(await c.cmd('LIST 2'), /^-ERR/);
    assert.deepEqual((await c.multi('LIST')).lines.map((l) => l.toString().split(' ')[0]), ['1', '3']);
    assert.match(await c.cmd('STAT'), /^\+OK 2 /);
    assert.match(await c.cmd('RSET'), /^\+OK .*3 messages/);
    assert.match(await c.cmd('STAT'), /^\+OK 3 /);
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    c.reset();
    await c.waitClosed();
    await waitFor(() => h.plain.connections === 0);
    const d = await session(); // also proves the lock was released by the reset
    assert.match(await d.cmd('STAT'), /^\+OK 3 /);
    assert.match(await d.cmd('NOOP'), /^\+OK/);
    await quit(d);
    assert.equal((await (await h.store.account(alice)).listMessages('INBOX')).length, 3);
  });

  it('a second session for the same user gets -ERR [IN-USE] until the first ends (T57)', async () => {
    const first = await session();
    const second = await RawPop3.open(h.plainPort);
    await second.line();
    assert.match(await second.cmd('STLS'), /^\+OK/);
    await second.startTls(h.caPem);
    assert.match(await second.login(alice, 'alice-pw'), /^-ERR \[IN-USE\]/);
    assert.match(await first.cmd('QUIT'), /^\+OK/);
    await first.waitClosed();
    assert.match(await second.login(alice, 'alice-pw'), /^\+OK/);
    await quit(second);
  });

  it('answers pipelined commands in order (RFC 2449 PIPELINING)', async () => {
    const c = await session();
    c.write('STAT\r\nLIST 1\r\nUIDL 1\r\nNOOP\r\nTOP 2 1\r\nNOOP\r\n');
    assert.match((await c.line()) ?? '', /^\+OK 3 /);
    assert.match((await c.line()) ?? '', /^\+OK 1 /);
    assert.match((await c.line()) ?? '', /^\+OK 1 [0-9A-F]{16}$/);
    assert.equal(await c.line(), '+OK');
    const top = await c.readMulti();
    assert.ok(top.body.toString().endsWith('\r\n\r\nline1\r\n'));
    assert.equal(await c.line(), '+OK');
    await quit(c);
  });
});
