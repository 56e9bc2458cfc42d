import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp, type Reply } from '../helpers/raw-smtp.js';

let h: SmtpHarness;

before(async () => {
  // A long greeting pause makes the early-talker case (T14a) deterministic.
  h = await startSmtpHarness({ limits: { greetingDelayMs: 300 } });
  await h.addUsers('example.com', 'bob', 'ceo');
});
after(() => h.close());

async function session(): Promise<RawSmtp> {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  await c.command('EHLO client.example.net');
  return c;
}

/** Reads replies until the server has been quiet for our final command's reply or closed. */
async function readAll(c: RawSmtp, expected: number): Promise<Reply[]> {
  const out: Reply[] = [];
  while (out.length < expected) {
    const r = await c.read();
    if (!r) break;
    out.push(r);
  }
  return out;
}

const SEPARATORS = ['\n.\n', '\n.\r\n', '\r\n.\n', '\r.\r', '\r\n.\r', '\r.\r\n', '\r\n\x00.\r\n'];

// security-cases T09: a second message hidden behind a non-standard end-of-data.
for (const sep of SEPARATORS) {
  test(`smuggling with separator ${JSON.stringify(sep)}: at most one 250 and no bare CR/LF stored`, async () => {
    const before = (await h.inbox('bob@example.com')).length;
    const c = await session();
    await c.command('MAIL FROM:<carol@example.net>');
    assert.equal((await c.command('RCPT TO:<bob@example.com>'))?.code, 250);
    assert.equal((await c.command('DATA'))?.code, 354);
    c.write('From: carol@example.net\r\nSubject: outer\r\n\r\nouter' + sep +
      'MAIL FROM:<ceo@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nFrom: ceo@example.com\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\n');
    c.write('\r\n.\r\n');
    const replies = await readAll(c, 1);
    await c.command('QUIT');
    c.close();
    const accepted = replies.filter((r) => r.code === 250).length;
    assert.ok(accepted <= 1);
    const inbox = await h.inbox('bob@example.com');
    assert.ok(inbox.length <= before + 1, 'at most one message');
    for (const m of inbox) assert.doesNotMatch(m.toString('latin1'), /\r(?!\n)|(?<!\r)\n/);
    if (/\r(?!\n)|(?<!\r)\n/.test(sep)) {
      assert.equal(replies[0]?.code, 550, `bare line ending is refused: ${replies[0]?.lines.join(' ')}`);
      assert.match(replies[0]?.text ?? '', /^5\.5\.2 /);
      assert.equal(inbox.length, before, 'nothing stored');
    } else {
      // No bare line ending: one message whose body merely contains the would-be commands.
      assert.equal(replies[0]?.code, 250);
      const last = (inbox[inbox.length - 1] as Buffer).toString('latin1');
      assert.match(last, /Subject: outer[\s\S]*MAIL FROM:<ceo@example\.com>/);
    }
  });
}

test('T11(c): a lone ".." split from the rest of its line does not end DATA early', async () => {
  const before = (await h.inbox('bob@example.com')).length;
  const c = await session();
  await c.command('MAIL FROM:<carol@example.net>');
  await c.command('RCPT TO:<bob@example.com>');
  await c.command('DATA');
  c.write('Subject: dots\r\n\r\n..');
  await new Promise((r) => setImmediate(r));
  const r = await c.command('\r\nline2\r\n.');
  assert.equal(r?.code, 250);
  c.close();
  const inbox = await h.inbox('bob@example.com');
  assert.equal(inbox.length, before + 1);
  assert.match((inbox[inbox.length - 1] as Buffer).toString('latin1'), /\r\n\r\n\.\r\nline2\r\n$/);
});

test('T14(a): talking before the greeting gets 421 and the session ends', async () => {
  const c = await RawSmtp.open(h.port);
  c.write('EHLO early.example.net\r\n');
  const replies = await readAll(c, 3);
  assert.ok(replies.some((r) => r.code === 421), replies.map((r) => r.lines.join(' ')).join(' / '));
  await c.waitClosed();
});

test('T14(c): commands pipelined behind a refused DATA are not run as a new transaction', async () => {
  const before = (await h.inbox('bob@example.com')).length;
  const c = await session();
  c.write('MAIL FROM:<carol@example.net>\r\nRCPT TO:<nosuch@example.com>\r\nDATA\r\nMAIL FROM:<ceo@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nsmuggled\r\n.\r\n');
  const replies = await readAll(c, 6);
  await c.waitClosed();
  assert.ok(replies.some((r) => r.code === 554 && /^5\.5\.0 /.test(r.text)), replies.map((r) => r.lines.join(' ')).join(' / '));
  assert.ok(!replies.some((r) => r.code === 354), 'no DATA was started');
  assert.equal((await h.inbox('bob@example.com')).length, before, 'bob received nothing');
});

test('T14(b): a well-formed pipelined group ending in DATA is served in order', async () => {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  c.write('EHLO x\r\nMAIL FROM:<carol@example.net>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n');
  const replies = await readAll(c, 4);
  assert.deepEqual(replies.map((r) => r.code), [250, 250, 250, 354]);
  const done = await c.command('Subject: pipelined\r\n\r\nok\r\n.');
  assert.equal(done?.code, 250);
  c.close();
});

test('T12: plaintext pipelined after STARTTLS is discarded', async () => {
  const c = await session();
  c.write('STARTTLS\r\nRSET\r\nMAIL FROM:<inject@example.net>\r\nRCPT TO:<bob@example.com>\r\n');
  const go = await c.read();
  assert.equal(go?.code, 220);
  await c.startTls(h.caPem, 'localhost');
  const ehlo = await c.command('EHLO after-tls.example.net');
  assert.equal(ehlo?.code, 250);
  const rcpt = await c.command('RCPT TO:<bob@example.com>');
  assert.equal(rcpt?.code, 503, 'no transaction survived the upgrade');
  c.close();
});

test('T15: an HTTP request on the SMTP port is refused and the connection closed', async () => {
  const c = await RawSmtp.open(h.port);
  await c.expect(220);
  c.write('GET / HTTP/1.1\r\nHost: mail.example.com\r\n\r\n');
  const r = await c.read();
  assert.equal(r?.code, 421);
  await c.waitClosed();
});
