// End to end across protocols: a message delivered over SMTP shows up as `* N EXISTS` in an IDLE
// session (imapflow) within a second, and FETCH returns exactly the bytes the store holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { ImapFlow } from 'imapflow';
import { AuthThrottle } from '../../src/auth/index.js';
import { hashPassword } from '../../src/auth/password.js';
import type { LocalCertificateStore } from '../../src/tls/index.js';
import { createImapServer, type ImapServer } from '../../src/imap/server.js';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const PASSWORD = 'smtp to imap password';
let smtp: SmtpHarness;
let imap: ImapServer;
let imapPort: number;

before(async () => {
  smtp = await startSmtpHarness();
  await smtp.store.addDomain('example.com');
  await smtp.store.addAccount('alice@example.com', await hashPassword(PASSWORD, { ln: 10 }));
  imap = createImapServer({
    store: smtp.store,
    certs: smtp.certs as LocalCertificateStore,
    throttle: new AuthThrottle(),
    log: pino({ level: 'silent' }),
    hostname: 'mail.example.com',
    implicitTls: true,
  });
  imapPort = (await imap.listen('127.0.0.1', 0)).port;
});

after(async () => {
  await imap.close();
  await smtp.close();
});

test('SMTP delivery → EXISTS in IDLE → FETCH returns the stored bytes', async () => {
  const c = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: true, auth: { user: 'alice@example.com', pass: PASSWORD }, tls: { ca: [smtp.caPem], servername: 'localhost' }, logger: false });
  await c.connect();
  await c.mailboxOpen('INBOX');
  const exists = new Promise<{ count: number; at: number }>((resolve) => c.on('exists', (d: { count: number }) => resolve({ count: d.count, at: Date.now() })));
  const idling = c.idle();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const raw = 'From: Bob <bob@example.net>\r\nTo: alice@example.com\r\nSubject: over the wire\r\n\r\nline one\r\n..line starting with a dot\r\n';
  await transport.sendMail({ envelope: { from: 'bob@example.net', to: 'alice@example.com' }, raw });
  const accepted = Date.now();
  const got = await exists;
  assert.equal(got.count, 1);
  // The IDLE session heard of it within a second of the 250 (generous for a loaded CI box: 5 s).
  assert.ok(got.at - accepted < 5000, `EXISTS after ${got.at - accepted} ms`);
  const stored = (await smtp.inbox('alice@example.com'))[0]!;
  const msg = await c.fetchOne('1', { source: true, envelope: true });
  assert.ok(msg && msg.source);
  assert.ok(msg.source.equals(stored), 'FETCH bytes equal the stored message');
  assert.match(msg.source.toString(), /Subject: over the wire\r\n\r\nline one\r\n\.\.line starting with a dot\r\n$/);
  assert.equal(msg.envelope?.subject, 'over the wire');
  await idling.catch(() => undefined);
  await c.logout();
  transport.close();
});
