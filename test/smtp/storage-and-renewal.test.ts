import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import nodemailer from 'nodemailer';
import { startSmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp } from '../helpers/raw-smtp.js';
import type { MailStore } from '../../src/store/types.js';

/** The certificate the server presents after STARTTLS, with or without SNI. */
async function servedCertificate(port: number, ca: string, servername?: string): Promise<PeerCertificate> {
  const c = await RawSmtp.open(port);
  await c.expect(220);
  await c.command('EHLO cert.example.net');
  assert.equal((await c.command('STARTTLS'))?.code, 220);
  c.socket.removeAllListeners('data');
  return new Promise((resolve, reject) => {
    const t = tlsConnect({ socket: c.socket, ca, servername, checkServerIdentity: () => undefined }, () => {
      const cert = t.getPeerCertificate();
      t.destroy();
      resolve(cert);
    });
    t.on('error', reject);
  });
}

test('a renewed certificate reaches new STARTTLS sessions without a restart, with and without SNI', async () => {
  const h = await startSmtpHarness();
  try {
    const before = await servedCertificate(h.port, h.caPem, 'localhost');
    const beforeNoSni = await servedCertificate(h.port, h.caPem, '');
    assert.equal(before.fingerprint256, beforeNoSni.fingerprint256);
    // Renew now: "expires within 10 000 days" is always true.
    assert.equal(await h.certs.renewIfNeeded(10_000), true);
    const after = await servedCertificate(h.port, h.caPem, 'localhost');
    const afterNoSni = await servedCertificate(h.port, h.caPem, '');
    assert.notEqual(after.fingerprint256, before.fingerprint256);
    assert.equal(afterNoSni.fingerprint256, after.fingerprint256);
  } finally {
    await h.close();
  }
});

test('free space below 1.5 x the maximum message size: mail is refused with 452 4.3.1', async () => {
  let free = 1e12;
  const wrap = (store: MailStore): MailStore =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'freeBytes') return async () => free;
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  const h = await startSmtpHarness({ wrapStore: wrap, limits: { maxMessageBytes: 1_000_000 } });
  try {
    await h.addUsers('example.com', 'alice');
    const c = await RawSmtp.open(h.port);
    await c.expect(220);
    await c.command('EHLO space.example.net');
    assert.equal((await c.command('MAIL FROM:<a@example.net>'))?.code, 250);
    await c.command('RSET');
    free = 1_400_000;
    const r = await c.command('MAIL FROM:<a@example.net>');
    assert.equal(r?.code, 452);
    assert.match(r?.text ?? '', /^4\.3\.1 /);
    free = 1_600_000;
    assert.equal((await c.command('MAIL FROM:<a@example.net>'))?.code, 250);
    c.close();
  } finally {
    await h.close();
  }
});

test('delivery stores the MIME index IMAP will serve: parts, offsets and envelope', async () => {
  const h = await startSmtpHarness();
  try {
    await h.addUsers('example.com', 'alice');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: '"Bob Sender" <bob@example.net>',
      to: 'alice@example.com',
      subject: 'with attachment',
      messageId: '<index-test@example.net>',
      text: 'see attached',
      attachments: [{ filename: 'note.txt', content: 'attached text\n' }],
    });
    transport.close();
    const account = await h.store.account('alice@example.com');
    const [m] = await account.listMessages('INBOX');
    assert.ok(m);
    const index = await h.store.getIndex(m.blobId);
    const raw = await h.store.readBlobRange(m.blobId, 0, m.size);
    assert.equal(index.size, raw.length);
    assert.equal(`${index.root.type}/${index.root.subtype}`, 'multipart/mixed');
    assert.equal(index.root.children.length, 2);
    const [text, file] = index.root.children;
    assert.equal(text?.path, '1');
    assert.equal(raw.subarray(text?.bodyStart, text?.bodyEnd).toString(), 'see attached');
    assert.equal(file?.disposition?.params.filename, 'note.txt');
    assert.equal(index.root.envelope?.subject, 'with attachment');
    assert.equal(index.root.envelope?.messageId, '<index-test@example.net>');
    assert.deepEqual(index.root.envelope?.from, [{ name: 'Bob Sender', adl: null, mailbox: 'bob', host: 'example.net' }]);
  } finally {
    await h.close();
  }
});
