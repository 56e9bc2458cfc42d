import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawPop3 } from './raw-pop3.js';
import { message, startPop3Harness, type Pop3Harness } from './pop3-harness.js';
import { waitFor } from './wait-for.js';

// security-cases.md B.7: T53–T58.
describe('pop3 security cases T53–T58', () => {
  let h: Pop3Harness;
  const alice = 'alice@example.com';
  let uids: number[] = [];

  before(async () => {
    h = await startPop3Harness();
    await h.addUser(alice, 'alice-pw');
  });
  after(async () => h.close());

  /** Empties alice's INBOX and delivers three fresh messages. */
  const refill = async (): Promise<void> => {
    const account = await h.store.account(alice);
    await account.expunge('INBOX', (await account.listMessages('INBOX')).map((m) => m.uid));
    uids = [];
    for (const n of ['first', 'second', 'third']) uids.push(await h.deliver(alice, message(`${n}-${Date.now()}`, `body of ${n}\r\n`)));
  };
  const plain = async (): Promise<RawPop3> => {
    const c = await RawPop3.open(h.plainPort);
    assert.match((await c.line()) ?? '', /^\+OK/);
    return c;
  };
  const loggedIn = async (): Promise<RawPop3> => {
    const c = await RawPop3.open(h.tlsPort, { ca: h.caPem });
    await c.line();
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
    return c;
  };
  const quit = async (c: RawPop3): Promise<string> => {
    const reply = await c.cmd('QUIT');
    await c.waitClosed();
    return reply;
  };
  const inbox = async (): Promise<number[]> => (await (await h.store.account(alice)).listMessages('INBOX')).map((m) => m.uid);

  it('T53: no plaintext authentication before STLS; it works after STLS and on 995', async () => {
    const c = await plain();
    const caps = (await c.multi('CAPA')).lines.map(String);
    assert.ok(caps.includes('STLS'));
    assert.ok(!caps.includes('USER'));
    assert.ok(!caps.some((l) => l.startsWith('SASL')));
    assert.match(await c.cmd('USER alice@example.com'), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd('PASS wrong-password'), /^-ERR/);
    assert.match(await c.cmd('AUTH PLAIN ' + Buffer.from('\0alice@example.com\0alice-pw').toString('base64')), /^-ERR/);
    assert.equal(h.throttle.size, 0, 'no password was checked');
    assert.match(await c.cmd('STLS'), /^\+OK/);
    await c.startTls(h.caPem);
    const after = (await c.multi('CAPA')).lines.map(String);
    assert.ok(after.includes('USER') && after.includes('SASL PLAIN') && !after.includes('STLS'));
    assert.match(await c.cmd('STLS'), /^-ERR/);
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
    assert.match(await quit(c), /^\+OK/);
    const d = await loggedIn();
    assert.match(await quit(d), /^\+OK/);
  });

  it('T54: STLS discards pipelined plaintext', async () => {
    const c = await plain();
    c.write('STLS\r\nUSER alice@example.com\r\nPASS alice-pw\r\n');
    assert.match((await c.line()) ?? '', /^\+OK/);
    await c.startTls(h.caPem);
    assert.match(await c.cmd('STAT'), /^-ERR/);
    assert.match(await quit(c), /^\+OK/); // the very next line: no leftover +OK from the injected commands

    const p = await plain();
    p.write('STLS\r\nUSE');
    assert.match((await p.line()) ?? '', /^\+OK/);
    await p.startTls(h.caPem);
    assert.match(await p.cmd('R alice@example.com'), /^-ERR/);
    assert.match(await p.login(alice, 'alice-pw'), /^\+OK/);
    assert.match(await quit(p), /^\+OK/);
  });

  it('T55: APOP is refused before and after TLS', async () => {
    const c = await plain();
    assert.match(await c.cmd('APOP alice@example.com 0123456789abcdef0123456789abcdef'), /^-ERR/);
    assert.match(await quit(c), /^\+OK/);
  });

  it('T56: argument abuse gets -ERR and never echoes control bytes', async () => {
    await refill();
    const c = await loggedIn();
    for (const bad of ['RETR 0', 'RETR -1', 'RETR 4', 'RETR 99999999999999999999', 'RETR 1a', 'TOP 1 -1', 'TOP 1 99999999999', 'LIST x', 'DELE 0', 'UIDL 4']) {
      assert.match(await c.cmd(bad), /^-ERR/, bad);
    }
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    assert.match(await c.cmd('DELE 1'), /^-ERR/);
    assert.match(await c.cmd('RETR 1'), /^-ERR/);
    assert.match(await c.cmd('TOP 1 0'), /^-ERR/);
    assert.match(await c.cmd('NOOP ' + 'x'.repeat(300)), /^-ERR/);
    c.write('RETR \x1b[31m\x00\x07\r\n');
    const reply = await c.lineBytes();
    assert.ok(reply && reply.every((b) => b >= 0x20 && b < 0x7f), 'reply is printable ASCII');
    assert.match(await c.cmd('STAT'), /^\+OK 2 /, 'still usable after 13 errors');
    assert.match(await c.cmd('RSET'), /^\+OK/);
    assert.match(await quit(c), /^\+OK/);
    assert.deepEqual(await inbox(), uids);

    const p = await plain();
    assert.match(await p.cmd('HELO x'), /^-ERR/);
    assert.match(await p.cmd('STAT'), /^-ERR/);
    assert.match(await p.cmd('\x1b[2J'), /^-ERR/);
    await p.waitClosed(); // the third bad command before login closes the connection
  });

  it('T57: a reset after DELE 1–3 deletes nothing; QUIT deletes durably; UIDL survives other expunges', async () => {
    await refill();
    const c = await RawPop3.open(h.plainPort);
    await c.line();
    await c.cmd('STLS');
    await c.startTls(h.caPem);
    assert.match(await c.login(alice, 'alice-pw'), /^\+OK/);
    for (const n of [1, 2, 3]) assert.match(await c.cmd(`DELE ${n}`), /^\+OK/);
    c.reset();
    await waitFor(() => h.plain.connections === 0);
    assert.deepEqual(await inbox(), uids);

    const d = await loggedIn();
    const before = (await d.multi('UIDL')).lines.map(String);
    assert.equal(new Set(before.map((l) => l.split(' ')[1])).size, 3, 'unique');
    assert.match(await d.cmd('DELE 2'), /^\+OK/);
    assert.match(await quit(d), /^\+OK .*1 messages deleted/);
    assert.deepEqual(await inbox(), [uids[0], uids[2]], 'gone as soon as +OK arrived');

    const e = await loggedIn();
    const afterUidl = (await e.multi('UIDL')).lines.map((l) => String(l).split(' ')[1]);
    assert.deepEqual(afterUidl, [before[0]!.split(' ')[1], before[2]!.split(' ')[1]]);
    assert.match(await quit(e), /^\+OK/);
  });

  it('T58: an IMAP-side expunge during the session never yields a different message', async () => {
    await refill();
    const account = await h.store.account(alice);
    const c = await loggedIn();
    assert.match(await c.cmd('STAT'), /^\+OK 3 /);
    const box = await account.getMailbox('INBOX');
    await account.expunge('INBOX', [uids[1] as number]);
    assert.match(await c.cmd('RETR 2'), /^-ERR/);
    assert.match(await c.cmd('LIST 2'), /^\+OK 2 /, 'numbers keep referring to the login snapshot');
    assert.ok((await c.multi('RETR 3')).body.toString().includes('body of third'));
    assert.match(await c.cmd('DELE 2'), /^\+OK/);
    assert.match(await quit(c), /^\+OK/);
    assert.deepEqual(await inbox(), [uids[0], uids[2]]);
    const expunges = (await account.changesSince('INBOX', box.highestModseq)).entries.filter((j) => j.type === 'expunge');
    assert.deepEqual(expunges.map((j) => j.uid), [uids[1]], 'expunged once');
  });

  it('mail that arrives during a session is not in its listing', async () => {
    await refill();
    const c = await loggedIn();
    await h.deliver(alice, message('late', 'arrived later\r\n'));
    assert.match(await c.cmd('STAT'), /^\+OK 3 /);
    assert.match(await c.cmd('RETR 4'), /^-ERR/);
    assert.match(await quit(c), /^\+OK/);
    const d = await loggedIn();
    assert.match(await d.cmd('STAT'), /^\+OK 4 /);
    assert.match(await quit(d), /^\+OK/);
  });
});
