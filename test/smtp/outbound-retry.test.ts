// The queue against a scripted remote with an injected clock: 4xx then 250 is
// delivered on the retry (and not before the backoff), 5xx gives exactly one
// DSN in the sender's INBOX, per-recipient results, null MX, the null sender,
// delay warning and expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOutboundHarness, message, T0 } from './outbound-harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

async function dsns(h: Awaited<ReturnType<typeof startOutboundHarness>>): Promise<string[]> {
  return (await h.sub.inbox('alice@mail.test')).map((b) => b.toString('latin1')).filter((t) => /^From: Mail Delivery System/m.test(t));
}

test('4xx then 250: delivered on the retry after the backoff, exactly once, no DSN', async () => {
  const h = await startOutboundHarness({ script: { rcpt: (_a, n) => (n === 1 ? '451 4.3.0 try later' : '250 2.1.5 ok') } });
  try {
    await h.send(['carol@example.net'], message('retry me'));
    await h.queue.kick();
    let [entry] = await h.sub.store.listQueue();
    assert.ok(entry);
    assert.equal(entry.attempts, 1);
    assert.equal(entry.attemptStartedAt, null);
    assert.deepEqual(entry.recipients.map((r) => [r.state, r.status]), [['pending', '4.3.0']]);
    assert.equal(entry.nextAttemptAt, T0 + 5 * MIN, 'first retry after 5 minutes');
    assert.equal(h.capture.transactions.length, 0);
    assert.equal(h.deliveredCount, 0);

    h.advance(4 * MIN);
    await h.queue.kick();
    assert.equal(h.capture.commands.filter((c) => c.startsWith('RCPT')).length, 1, 'not retried before the backoff');

    h.advance(1 * MIN);
    await h.queue.kick();
    assert.equal(h.capture.transactions.length, 1);
    assert.deepEqual(h.capture.transactions[0]!.to, ['carol@example.net']);
    assert.equal(h.capture.transactions[0]!.from, 'alice@mail.test');
    assert.deepEqual(await h.sub.store.listQueue(), [], 'the entry is gone once delivered');
    assert.equal(h.deliveredCount, 1, 'the delivery is reported once (the admin page counts it as sent)');
    assert.deepEqual(await dsns(h), []);
    [entry] = await h.sub.store.listQueue();
    assert.equal(entry, undefined);
  } finally {
    await h.close();
  }
});

test('retry waits double up to the cap', async () => {
  const h = await startOutboundHarness({ script: { rcpt: () => '451 4.3.0 later' }, settings: { retry: { delayWarningAfterMs: 0 } } });
  try {
    await h.send(['carol@example.net'], message('backoff'));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await h.queue.kick();
      const [e] = await h.sub.store.listQueue();
      waits.push(e!.nextAttemptAt - h.clock.now);
      h.advance(e!.nextAttemptAt - h.clock.now);
    }
    assert.deepEqual(waits.map((w) => w / MIN), [5, 10, 20, 40, 80, 160, 240, 240]);
  } finally {
    await h.close();
  }
});

test('5xx: exactly one DSN (multipart/report) in the sender INBOX, entry removed, no retry', async () => {
  const h = await startOutboundHarness({ script: { rcpt: () => '550 5.1.1 no such user here' } });
  try {
    await h.send(['nobody@example.net'], message('bounce me', 'nobody@example.net'));
    await h.queue.kick();
    assert.deepEqual(await h.sub.store.listQueue(), []);
    h.advance(10 * HOUR);
    await h.queue.kick();
    const list = await dsns(h);
    assert.equal(list.length, 1);
    const dsn = list[0]!;
    assert.match(dsn, /^Return-Path: <>\r\n/);
    assert.match(dsn, /^Content-Type: multipart\/report; report-type=delivery-status; boundary="/m);
    assert.match(dsn, /^Auto-Submitted: auto-replied\r$/m);
    assert.match(dsn, /^Reporting-MTA: dns; mail\.test\r$/m);
    assert.match(dsn, /^Final-Recipient: rfc822; nobody@example\.net\r$/m);
    assert.match(dsn, /^Action: failed\r$/m);
    assert.match(dsn, /^Status: 5\.1\.1\r$/m);
    assert.match(dsn, /^Remote-MTA: dns; mx\.example\.net\r$/m);
    assert.match(dsn, /^Diagnostic-Code: smtp; 550 5\.1\.1 no such user here\r$/m);
    assert.match(dsn, /^Content-Type: text\/rfc822-headers\r\n\r\n(?:.*\r\n)*Subject: bounce me\r$/m);
    assert.equal(h.capture.commands.filter((c) => c.startsWith('RCPT')).length, 1);
  } finally {
    await h.close();
  }
});

test('per-recipient results: one accepted, one refused → one transaction for the accepted, a DSN naming only the refused', async () => {
  const h = await startOutboundHarness({ script: { rcpt: (a) => (a.startsWith('bad') ? '550 5.1.1 unknown' : '250 ok') } });
  try {
    await h.send(['good@example.net', 'bad@example.net'], message('mixed', 'good@example.net, bad@example.net'));
    await h.queue.kick();
    assert.equal(h.capture.transactions.length, 1);
    assert.deepEqual(h.capture.transactions[0]!.to, ['good@example.net']);
    const [dsn, more] = await dsns(h);
    assert.equal(more, undefined);
    assert.match(dsn!, /Final-Recipient: rfc822; bad@example\.net/);
    assert.doesNotMatch(dsn!, /Final-Recipient: rfc822; good@example\.net/);
    assert.deepEqual(await h.sub.store.listQueue(), []);
  } finally {
    await h.close();
  }
});

test('two messages to one destination share one connection; other domains on the same MX get their own transaction', async () => {
  const h = await startOutboundHarness();
  try {
    await h.send(['a@example.net'], message('one', 'a@example.net'));
    await h.send(['b@example.net'], message('two', 'b@example.net'));
    await h.queue.kick();
    assert.equal(h.capture.transactions.length, 2);
    assert.equal(h.capture.connections, 1);
    assert.ok(h.capture.commands.includes('RSET'));
  } finally {
    await h.close();
  }
});

test('null MX (RFC 7505): bounced at once with 5.1.10, no connection made', async () => {
  const h = await startOutboundHarness();
  try {
    await h.send(['x@nomail.example'], message('null mx', 'x@nomail.example'));
    await h.queue.kick();
    assert.equal(h.capture.connections, 0);
    const [dsn] = await dsns(h);
    assert.match(dsn!, /^Status: 5\.1\.10\r$/m);
    assert.deepEqual(await h.sub.store.listQueue(), []);
  } finally {
    await h.close();
  }
});

test('no MX: falls back to the domain A record (implicit MX); NXDOMAIN bounces with 5.1.2', async () => {
  const h = await startOutboundHarness();
  try {
    await h.send(['x@implicit.example'], message('implicit', 'x@implicit.example'));
    await h.send(['x@nxdomain.example'], message('nx', 'x@nxdomain.example'));
    await h.queue.kick();
    assert.deepEqual(h.capture.transactions.map((t) => t.to), [['x@implicit.example']]);
    const [dsn, more] = await dsns(h);
    assert.equal(more, undefined);
    assert.match(dsn!, /^Status: 5\.1\.2\r$/m);
  } finally {
    await h.close();
  }
});

test('a failing message with the null sender never produces a DSN', async () => {
  const h = await startOutboundHarness({ script: { rcpt: () => '550 5.1.1 unknown' } });
  try {
    const blob = h.sub.store.createBlob();
    const bytes = Buffer.from('From: MAILER-DAEMON@mail.test\r\nTo: x@example.net\r\nSubject: a bounce\r\n\r\nx\r\n');
    await blob.write(bytes);
    const { blobId } = await blob.commit();
    const { indexMessage } = await import('../../src/mime/index.js');
    await h.sub.store.queueTransaction({ add: [{ blobId, index: indexMessage(bytes), sender: '', recipients: ['x@example.net'], createdAt: h.clock.now }] });
    await h.queue.kick();
    assert.equal(h.capture.commands.filter((c) => c.startsWith('MAIL FROM:<>')).length, 1);
    assert.deepEqual(await h.sub.store.listQueue(), []);
    assert.deepEqual(await dsns(h), []);
    assert.equal((await h.sub.store.listQueue()).length, 0, 'no bounce queued for anyone either');
  } finally {
    await h.close();
  }
});

test('delay warning after 4 h (once), final failure 4.4.7 after 5 days (once)', async () => {
  const h = await startOutboundHarness({ script: { rcpt: () => '451 4.4.1 greylisted forever' } });
  try {
    await h.send(['carol@example.net'], message('slow'));
    for (let i = 0; i < 60 && (await h.sub.store.listQueue()).length > 0; i++) {
      await h.queue.kick();
      const [e] = await h.sub.store.listQueue();
      if (e) h.advance(Math.max(e.nextAttemptAt - h.clock.now, 1));
    }
    assert.deepEqual(await h.sub.store.listQueue(), []);
    const list = await dsns(h);
    assert.equal(list.length, 2);
    assert.match(list[0]!, /^Action: delayed\r$/m);
    assert.match(list[0]!, /^Will-Retry-Until: /m);
    assert.match(list[1]!, /^Action: failed\r$/m);
    assert.match(list[1]!, /^Status: 4\.4\.7\r$/m);
    assert.ok(h.clock.now - T0 >= 5 * 24 * HOUR);
  } finally {
    await h.close();
  }
});
