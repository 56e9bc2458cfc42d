import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { startSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';
import type { ChangeEvent } from '../../src/store/types.js';
import type { LocalCertificateStore } from '../../src/tls/index.js';
import { hashPassword } from '../../src/auth/password.js';
import { RawPop3 } from './raw-pop3.js';
import { ImapFlow } from 'imapflow';
import pino from 'pino';
import { AuthThrottle } from '../../src/auth/index.js';
import { createImapServer, type ImapServer } from '../../src/imap/server.js';
import { startPop3Harness, type Pop3Harness } from './pop3-harness.js';

// SMTP delivers, POP3 lists and deletes, and a mail program that has the
// INBOX open over IMAP (imapflow) is told with EXPUNGE (ARCHITECTURE rule 4);
// the store's change event and journal are checked too, since IMAP reads them.
describe('pop3 across protocols', () => {
  let smtp: SmtpHarness;
  let pop: Pop3Harness;
  let imap: ImapServer;
  let imapPort: number;
  const bob = 'bob@example.com';

  before(async () => {
    smtp = await startSmtpHarness();
    await smtp.store.addDomain('example.com');
    await smtp.store.addAccount(bob, await hashPassword('bob-pw', { ln: 10 }));
    pop = await startPop3Harness({ store: smtp.store, certs: smtp.certs as LocalCertificateStore, dir: smtp.dir });
    imap = createImapServer({
      store: smtp.store,
      certs: smtp.certs as LocalCertificateStore,
      throttle: new AuthThrottle(),
      log: pino({ level: 'silent' }),
      hostname: 'mail.example.com',
      implicitTls: true,
      closeTimeoutMs: 1000,
    });
    imapPort = (await imap.listen('127.0.0.1', 0)).port;
  });
  after(async () => {
    await imap.close();
    await pop.close();
    await smtp.close();
  });

  it('delivered by SMTP, listed by POP3, deleted by POP3, expunged for IMAP; kept mail stays', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const raws = ['one', 'two', 'three'].map((n) => `From: a@example.net\r\nTo: ${bob}\r\nSubject: cross ${n}\r\n\r\n.dotted ${n}\r\n`);
    for (const raw of raws) await transport.sendMail({ envelope: { from: 'a@example.net', to: bob }, raw });
    transport.close();

    const stored = await smtp.inbox(bob);
    assert.equal(stored.length, 3);
    const account = await smtp.store.account(bob);
    const box = await account.getMailbox('INBOX');
    const [uid1, uid2, uid3] = (await account.listMessages('INBOX')).map((m) => m.uid);

    const c = await RawPop3.open(pop.tlsPort, { ca: smtp.caPem });
    await c.line();
    assert.match(await c.login(bob, 'bob-pw'), /^\+OK .*3 messages/);
    const list = await c.multi('LIST');
    assert.deepEqual(list.lines.map(String), stored.map((m, i) => `${i + 1} ${m.length}`));
    for (let i = 0; i < 3; i++) assert.ok((await c.multi(`RETR ${i + 1}`)).body.equals(stored[i]!), 'byte-identical to the stored message');

    // A phone has the INBOX open over IMAP while the laptop downloads over POP3.
    const phone = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: true, tls: { ca: [smtp.caPem] }, auth: { user: bob, pass: 'bob-pw' }, logger: false });
    await phone.connect();
    const expungedSeqs: number[] = [];
    phone.on('expunge', (e: { seq: number }) => expungedSeqs.push(e.seq));
    await phone.mailboxOpen('INBOX');
    assert.equal((phone.mailbox as { exists: number }).exists, 3);

    const events: ChangeEvent[] = [];
    const off = smtp.store.onChange((e) => events.push(e));
    assert.match(await c.cmd('DELE 1'), /^\+OK/);
    assert.match(await c.cmd('DELE 3'), /^\+OK/);
    assert.equal(events.length, 0, 'DELE alone changes nothing');
    assert.match(await c.cmd('QUIT'), /^\+OK/);
    await c.waitClosed();
    off();

    assert.deepEqual((await account.listMessages('INBOX')).map((m) => m.uid), [uid2], 'the message left on the server stays visible');
    assert.equal(events.length, 1, 'one atomic commit');
    assert.equal(events[0]!.mailbox, 'INBOX');
    const journal = (await account.changesSince('INBOX', box.highestModseq)).entries;
    const expunged = journal.filter((j) => j.type === 'expunge').map((j) => j.uid).sort((a, b) => a - b);
    assert.deepEqual(expunged, [uid1, uid3]);
    assert.equal(journal.length, 2, 'nothing else changed');
    assert.equal(Math.max(...journal.map((j) => j.modseq)), events[0]!.modseq, 'the one event an IMAP session is told about covers both');

    // The IMAP session learns of both deletions at its next command (RFC 3501 §7.4.1),
    // and the message left on the server is still there, byte for byte.
    await phone.noop();
    assert.equal(expungedSeqs.length, 2, `EXPUNGE responses: ${expungedSeqs.join(', ')}`);
    assert.equal((phone.mailbox as { exists: number }).exists, 1);
    const left = await phone.fetchOne('1', { uid: true, source: true });
    assert.ok(left);
    assert.equal(left.uid, uid2);
    assert.ok(left.source?.equals(stored[1]!), 'the kept message reads the same over IMAP');
    await phone.logout();
  });
});
