// security-cases T10: outbound SMTP smuggling. Whatever bytes a message holds,
// what leaves the box is CRLF-only, dot-stuffed, ends with exactly one
// CRLF "." CRLF, is one transaction, and its DKIM signature verifies over the
// captured bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth';
import { indexMessage } from '../../src/mime/index.js';
import { dkimTxtValue, listDkimKeys, splitTxt } from '../../src/smtp/outbound/dkim-keys.js';
import { startOutboundHarness, type OutboundHarness } from './outbound-harness.js';
import type { CapturedTransaction } from './outbound-capture.js';

/** Checks the framing rules on raw DATA bytes and returns the message they carry (dots unstuffed). */
function checkFraming(t: CapturedTransaction): Buffer {
  const raw = t.raw;
  assert.ok(raw.subarray(-5).equals(Buffer.from('\r\n.\r\n')), 'ends with CRLF . CRLF');
  const body = raw.subarray(0, -3); // keep the CRLF before the final dot
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x0d) assert.equal(body[i + 1], 0x0a, `bare CR at ${i}`);
    if (body[i] === 0x0a) assert.equal(body[i - 1], 0x0d, `bare LF at ${i}`);
  }
  const lines = body.toString('latin1').split('\r\n');
  lines.pop();
  for (const line of lines) if (line.startsWith('.')) assert.ok(line.startsWith('..'), `line not dot-stuffed: ${JSON.stringify(line)}`);
  return Buffer.from(lines.map((l) => (l.startsWith('.') ? l.slice(1) : l)).join('\r\n') + '\r\n', 'latin1');
}

async function verifyDkim(h: OutboundHarness, message: Buffer): Promise<string[]> {
  const keys = await listDkimKeys(h.sub.store, 'mail.test');
  const resolver = async (name: string, type: string) => {
    const key = keys.find((k) => `${k.selector}._domainkey.mail.test` === name);
    if (type === 'TXT' && key) return [splitTxt(dkimTxtValue(key))];
    throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
  };
  const result = await dkimVerify(message, { resolver: resolver as never });
  return result.results.map((r) => `${r.signingDomain}:${r.status.result}`);
}

test('T10: a submitted body with "\\n.\\n", smuggled commands and ".hidden" goes out as one stuffed transaction, DKIM verifies', async () => {
  const h = await startOutboundHarness();
  try {
    const body = 'line one\n.\nMAIL FROM:<x@mail.test>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n.hidden\r\n..two dots\r\nend\r\n';
    await h.send(['carol@example.net'], `From: alice@mail.test\r\nTo: carol@example.net\r\nSubject: smuggle\r\n\r\n${body}`);
    await h.queue.kick();
    assert.equal(h.capture.transactions.length, 1, 'exactly one transaction');
    assert.equal(h.capture.commands.filter((c) => c.startsWith('MAIL')).length, 1);
    const message = checkFraming(h.capture.transactions[0]!);
    const text = message.toString('latin1');
    assert.match(text, /^DKIM-Signature: /);
    assert.match(text, /\r\n\.\r\nMAIL FROM:<x@mail\.test>\r\n/, 'the lone dot is content, not an end of data');
    assert.match(text, /\r\n\.hidden\r\n\.\.two dots\r\n/);
    assert.deepEqual(await verifyDkim(h, message), ['mail.test:pass']);
  } finally {
    await h.close();
  }
});

test('T10: bare CR / bare LF sequences in a stored message are normalised on the wire (dot after a converted CR stuffed)', async () => {
  const h = await startOutboundHarness();
  try {
    const nasty = ['a\n.\nMAIL FROM:<x@mail.test>\r\n', 'b\r.\r', 'c\r.\r\n', 'd\r\n.\n', 'e\r\n.hidden\r\n'].join('');
    const bytes = Buffer.from(`From: alice@mail.test\r\nTo: carol@example.net\r\nSubject: raw\r\n\r\n${nasty}end\r\n`, 'latin1');
    const blob = h.sub.store.createBlob();
    await blob.write(bytes);
    const { blobId } = await blob.commit();
    await h.sub.store.queueTransaction({ add: [{ blobId, index: indexMessage(bytes), sender: 'alice@mail.test', recipients: ['carol@example.net'], createdAt: h.clock.now }] });
    await h.queue.kick();
    assert.equal(h.capture.transactions.length, 1);
    assert.equal(h.capture.commands.filter((c) => /^(MAIL|RCPT|DATA)/.test(c)).length, 3, 'no smuggled command reached the remote');
    const message = checkFraming(h.capture.transactions[0]!);
    const text = message.toString('latin1');
    assert.match(text, /\r\na\r\n\.\r\nMAIL FROM:<x@mail\.test>\r\nb\r\n\.\r\nc\r\n\.\r\nd\r\n\.\r\ne\r\n\.hidden\r\nend\r\n$/, 'bare CRs became line breaks; the dots after them were stuffed on the wire');
    assert.deepEqual(await verifyDkim(h, message), ['mail.test:pass']);
  } finally {
    await h.close();
  }
});

test('submission refuses bare CR in DATA (550 5.5.2): nothing is queued or sent', async () => {
  const h = await startOutboundHarness();
  try {
    await assert.rejects(h.send(['carol@example.net'], 'From: alice@mail.test\r\nSubject: cr\r\n\r\nx\r.\rMAIL FROM:<y@mail.test>\r\n'), /550 5\.5\.2/);
    await h.queue.kick();
    assert.deepEqual(await h.sub.store.listQueue(), []);
    assert.equal(h.capture.connections, 0);
  } finally {
    await h.close();
  }
});
