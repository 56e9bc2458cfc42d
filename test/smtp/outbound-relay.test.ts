// security-cases T01/T04/T06 seen from the outbound side: with the queue
// runner live and a capture server standing in for "the Internet", nothing
// that arrives on port 25 without AUTH ever reaches the queue or the capture
// server, whatever the spelling; a null-sender message is delivered locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { DEFAULT_SMTP_LIMITS } from '../../src/config/index.js';
import { createInboundSmtp } from '../../src/smtp/inbound-server.js';
import { RawSmtp } from '../helpers/raw-smtp.js';
import { startOutboundHarness } from './outbound-harness.js';

const SENDERS = ['<>', '<antispam@example.net>', '<postmaster@mail.test>', '<alice@mail.test>'];
const RECIPIENTS = [
  'relaytest@example.net', 'relaytest%example.net@mail.test', 'relaytest%example.net@[127.0.0.1]', '"relaytest@example.net"',
  '"relaytest%example.net"', 'relaytest@example.net@mail.test', '"relaytest@example.net"@mail.test', '@mail.test:relaytest@example.net',
  '@[127.0.0.1]:relaytest@example.net', 'example.net!relaytest', 'example.net!relaytest@mail.test', 'example.net!relaytest@[127.0.0.1]',
  'relaytest@example.net.', 'relaytest@EXAMPLE.NET', 'relaytest@xn--exmple-cua.net', 'relaytest@[192.0.2.1]',
];

test('T01: the open-relay matrix on port 25 queues nothing and the capture server sees nothing; T04: <> to a local user is delivered', async () => {
  const h = await startOutboundHarness();
  const inbound = createInboundSmtp({ store: h.sub.store, certs: h.sub.certs, hostname: 'mail.test', limits: { ...DEFAULT_SMTP_LIMITS, maxRcptErrors: 1000, rcptErrorsBeforeDelay: 1000 }, log: pino({ level: 'silent' }), closeTimeoutMs: 1000 });
  const { port } = await inbound.listen('127.0.0.1', 0);
  try {
    const c = await RawSmtp.open(port);
    await c.expect(220);
    await c.command('EHLO relay-tester.example');
    for (const from of SENDERS) {
      for (const to of RECIPIENTS) {
        await c.command('RSET');
        await c.command(`MAIL FROM:${from}`);
        const r = await c.command(`RCPT TO:<${to}>`);
        assert.ok(r && r.code >= 500, `${from} → ${to}: ${r?.lines.join(' ')}`);
      }
    }
    // T04: the null sender may deliver locally (DSNs must be accepted).
    await c.command('RSET');
    assert.equal((await c.command('MAIL FROM:<>'))?.code, 250);
    assert.equal((await c.command('RCPT TO:<alice@mail.test>'))?.code, 250);
    assert.equal((await c.command('DATA'))?.code, 354);
    assert.equal((await c.command('From: MAILER-DAEMON@example.net\r\nSubject: a bounce\r\n\r\nx\r\n.'))?.code, 250);
    await c.command('QUIT');
    c.close();
    await h.queue.kick();
    assert.deepEqual(await h.sub.store.listQueue(), [], 'the outbound queue stays empty');
    assert.equal(h.capture.connections, 0, 'the Internet received nothing');
    assert.equal((await h.sub.inbox('alice@mail.test')).length, 1);
  } finally {
    await inbound.close();
    await h.close();
  }
});

test('T06: a forged sender refused at RCPT/DATA on port 25 produces no DSN to the victim', async () => {
  const h = await startOutboundHarness();
  const inbound = createInboundSmtp({ store: h.sub.store, certs: h.sub.certs, hostname: 'mail.test', limits: DEFAULT_SMTP_LIMITS, log: pino({ level: 'silent' }), closeTimeoutMs: 1000 });
  const { port } = await inbound.listen('127.0.0.1', 0);
  try {
    const c = await RawSmtp.open(port);
    await c.expect(220);
    await c.command('EHLO forger.example');
    await c.command('MAIL FROM:<victim@example.net>');
    assert.equal((await c.command('RCPT TO:<nosuch@mail.test>'))?.code, 550);
    await c.command('RSET');
    await c.command('MAIL FROM:<victim@example.net>');
    await c.command('RCPT TO:<bob@mail.test>');
    await c.command('DATA');
    // A bare LF makes the message unacceptable: refused at DATA, not bounced later.
    assert.equal((await c.command('Subject: x\r\n\r\nbare\nlf\r\n.'))?.code, 550);
    c.close();
    await h.queue.kick();
    assert.deepEqual(await h.sub.store.listQueue(), []);
    assert.equal(h.capture.connections, 0);
  } finally {
    await inbound.close();
    await h.close();
  }
});
