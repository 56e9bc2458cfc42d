// Security cases before login: T37 (literal bombs), T39 (line length), T40 (nesting), T45 (NUL/CTL),
// T46 (LOGINDISABLED before TLS), T47 (STARTTLS injection), T48 (bad commands, login timeout, per-IP cap).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const ALICE = 'alice@example.com';

describe('imap before login', () => {
  let h: ImapHarness;
  before(async () => {
    h = await startImapHarness({ limits: { loginTimeoutMs: 3000, maxConnectionsPerIp: 6 } });
    await h.addUser(ALICE);
  });
  after(() => h.close());

  it('T46: advertises STARTTLS and LOGINDISABLED in plaintext and refuses passwords without checking them', async () => {
    const c = await RawImap.open(h.plainPort);
    const greeting = await c.greeting();
    assert.match(greeting, /^\* OK /);
    assert.doesNotMatch(greeting, /PREAUTH/);
    const cap = await c.command('CAPABILITY');
    const caps = cap.untagged.join(' ');
    assert.match(caps, /STARTTLS/);
    assert.match(caps, /LOGINDISABLED/);
    assert.doesNotMatch(caps, /AUTH=PLAIN/);
    assert.doesNotMatch(caps, /IMAP4rev2/);
    assert.match((await c.command(`LOGIN ${ALICE} "${PASSWORD}"`)).line, /^t\d+ NO \[PRIVACYREQUIRED\]/);
    const plain = Buffer.from(`\0${ALICE}\0${PASSWORD}`).toString('base64');
    assert.match((await c.command(`AUTHENTICATE PLAIN ${plain}`)).line, /NO \[PRIVACYREQUIRED\]/);
    // Refused without verification: the shared throttle saw no failure.
    assert.equal(h.throttle.delayFor('127.0.0.1'), 0);
    assert.equal((await c.command('STARTTLS', 's1')).status, 'OK');
    await c.startTls(h.caPem);
    const after = (await c.command('CAPABILITY')).untagged.join(' ');
    assert.doesNotMatch(after, /LOGINDISABLED|STARTTLS/);
    assert.match(after, /AUTH=PLAIN/);
    assert.equal((await c.command(`AUTHENTICATE PLAIN ${plain}`)).status, 'OK');
    c.close();
    // On the implicit-TLS port LOGIN works at once.
    const t = await RawImap.openTls(h.tlsPort, h.caPem);
    await t.greeting();
    assert.match((await t.login(ALICE, PASSWORD)).line, /OK \[CAPABILITY [^\]]*IDLE/);
    t.close();
  });

  it('T47: drops commands pipelined after STARTTLS, whole and partial', async () => {
    const c = await RawImap.open(h.plainPort);
    await c.greeting();
    c.write(`a STARTTLS\r\nb LOGIN ${ALICE} "${PASSWORD}"\r\nc SELECT INBOX\r\n`);
    await c.tagged('a');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(c.pending(), []);
    await c.startTls(h.caPem);
    const cap = await c.command('CAPABILITY', 'd');
    assert.equal(cap.untagged.length, 1);
    assert.match(cap.untagged[0]!, /^\* CAPABILITY /);
    assert.equal((await c.command('SELECT INBOX', 'e')).status, 'BAD');
    assert.ok(!c.lines.some((l) => l.startsWith('b ') || l.startsWith('c ')));
    c.close();

    const p = await RawImap.open(h.plainPort);
    await p.greeting();
    p.write('a STARTTLS\r\nb LOG');
    await p.tagged('a');
    await p.startTls(h.caPem);
    p.write(`IN ${ALICE} "${PASSWORD}"\r\n`);
    const r = await p.command('NOOP', 'z');
    assert.equal(r.status, 'OK');
    assert.ok(!p.lines.some((l) => /^(b|IN) OK/.test(l)), p.lines.join('\n'));
    assert.equal((await p.command('SELECT INBOX')).status, 'BAD');
    p.close();
  });

  it('T37: refuses literal bombs without a continuation, and closes', async () => {
    for (const size of ['999999999', '4294967296', '18446744073709551616']) {
      const c = await RawImap.open(h.plainPort);
      await c.greeting();
      c.write(`a LOGIN {${size}}\r\n`);
      const r = await c.tagged('a');
      assert.match(r.line, /^a (NO|BAD) \[TOOBIG\]/);
      assert.ok(!c.lines.some((l) => l.startsWith('+')));
      await c.closedByServer();
    }
    for (const bad of ['{-1}', '{1a}', '{ 5}']) {
      const c = await RawImap.open(h.plainPort);
      await c.greeting();
      assert.equal((await c.command(`LOGIN ${bad}`)).status, 'BAD');
      c.close();
    }
    const c = await RawImap.open(h.plainPort);
    await c.greeting();
    c.write('a LOGIN {5+}\r\n');
    // Non-synchronising literal past the pre-login budget: disconnect without reading it.
    c.write(Buffer.alloc(1024 * 1024, 0x61));
    await c.closedByServer();
    assert.ok(c.lines.some((l) => /^\* BYE/.test(l)));
  });

  it('T39/T40: bounds line length and nesting before login', async () => {
    const c = await RawImap.open(h.plainPort);
    await c.greeting();
    c.write(`a LOGIN ${'x'.repeat(9000)}\r\n`);
    await c.closedByServer();
    assert.ok(c.lines.some((l) => /^(\* BYE|a BAD)/.test(l)));

    const d = await RawImap.open(h.plainPort);
    await d.greeting();
    assert.equal((await d.command(`NOOP ${'('.repeat(2)}x${')'.repeat(2)}`)).status, 'BAD');
    d.write(`a NOOP ${'('.repeat(4000)}${')'.repeat(4000)}\r\n`);
    await d.closedByServer();

    const e = await RawImap.open(h.plainPort);
    await e.greeting();
    e.write(Buffer.alloc(10 * 1024 * 1024, 0x78));
    await e.closedByServer();
    assert.ok(e.lines.some((l) => /^\* BYE/.test(l)));
  });

  it('T45: refuses NUL and bare CR in strings', async () => {
    const c = await RawImap.openTls(h.tlsPort, h.caPem);
    await c.greeting();
    assert.equal((await c.command('LOGIN "al\x00ice@example.com" "pw"')).status, 'BAD');
    assert.equal((await c.command('LOGIN "alice@example.com" "p\rw"')).status, 'BAD');
    assert.equal((await c.command('LOGIN "alice@example.com" "pw\\')).status, 'BAD');
    c.close();
  });

  it('T48: says BYE after too many bad commands, refuses IDLE before login, and times out logins', async () => {
    const c = await RawImap.open(h.plainPort);
    await c.greeting();
    for (let i = 0; i < 3; i++) assert.equal((await c.command('FOO')).status, 'BAD');
    assert.equal((await c.command('IDLE')).status, 'BAD');
    await c.closedByServer();
    assert.match(c.lines[c.lines.length - 1]!, /^\* BYE/);

    const slow = await RawImap.open(h.plainPort);
    await slow.greeting();
    await slow.closedByServer(5000);
    assert.match(slow.lines[slow.lines.length - 1]!, /^\* BYE .*timeout/i);
  });

  it('T48: caps unauthenticated connections per IP', async () => {
    const open: RawImap[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await RawImap.open(h.plainPort);
      await c.greeting();
      open.push(c);
    }
    const extra = await RawImap.open(h.plainPort);
    await extra.closedByServer();
    assert.match(extra.lines[0]!, /^\* BYE .*Too many/);
    for (const c of open) c.close();
  });
});
