// SPF/DKIM/DMARC on port 25 through the message-check hook, with a fake DNS:
// a signed, SPF-aligned message gets spf=pass dkim=pass dmarc=pass in an
// Authentication-Results field carrying our host name; a forged field that
// claims our name is removed; a DMARC p=reject failure is refused at DATA
// (or delivered with dmarc=fail when that is switched off); a check that
// throws is a 451 tempfail, never a crash or a silent accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { dkimSign } from 'mailauth';
import { DEFAULT_SMTP_LIMITS } from '../../src/config/index.js';
import { hashPassword } from '../../src/auth/password.js';
import { openStore } from '../../src/store/index.js';
import { openCertificates } from '../../src/tls/index.js';
import { createInboundSmtp } from '../../src/smtp/inbound-server.js';
import { inboundAuthCheck, type MessageCheck } from '../../src/smtp/inbound-auth.js';
import { RawSmtp } from '../helpers/raw-smtp.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const TXT: Record<string, string> = {
  'sender.example': 'v=spf1 ip4:127.0.0.1 -all',
  '_dmarc.sender.example': 'v=DMARC1; p=reject',
  'sel._domainkey.sender.example': `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`,
  'strict.example': 'v=spf1 -all',
  '_dmarc.strict.example': 'v=DMARC1; p=reject',
};
const resolver = async (name: string, type: string) => {
  const v = TXT[name.toLowerCase()];
  if (type === 'TXT' && v) return [[v]];
  throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
};

async function withInbound(checks: MessageCheck[], fn: (port: number, inbox: () => Promise<string[]>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-inauth-'));
  const store = await openStore({ dir });
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.test', addresses: ['127.0.0.1'] });
  await store.addDomain('mail.test');
  await store.addAccount('bob@mail.test', await hashPassword('bob-pw', { ln: 10 }));
  const smtp = createInboundSmtp({ store, certs, hostname: 'mail.test', limits: DEFAULT_SMTP_LIMITS, log: pino({ level: 'silent' }), closeTimeoutMs: 1000, checks });
  const { port } = await smtp.listen('127.0.0.1', 0);
  const inbox = async () => {
    const msgs = await (await store.account('bob@mail.test')).listMessages('INBOX');
    return Promise.all(msgs.map(async (m) => (await store.readBlobRange(m.blobId, 0, m.size)).toString('latin1')));
  };
  try {
    await fn(port, inbox);
    await smtp.close();
    assert.equal(await store.countBlobs(), (await inbox()).length, 'no stray message bodies left behind');
  } finally {
    await smtp.close();
    certs.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function deliver(port: number, from: string, message: string): Promise<number> {
  const c = await RawSmtp.open(port);
  await c.expect(220);
  await c.command('EHLO sender.example');
  await c.command(`MAIL FROM:<${from}>`);
  await c.command('RCPT TO:<bob@mail.test>');
  await c.command('DATA');
  const r = await c.command(`${message.replace(/\r\n$/, '')}\r\n.`);
  c.close();
  return r?.code ?? 0;
}

test('signed and SPF-aligned: spf=pass dkim=pass dmarc=pass under our host name; a forged "mail.test" result is removed', async () => {
  await withInbound([inboundAuthCheck({ hostname: 'mail.test', resolver: resolver as never })], async (port, inbox) => {
    const body = 'From: Ann <ann@sender.example>\r\nTo: bob@mail.test\r\nSubject: hello\r\nDate: Mon, 5 Jan 2026 09:00:00 +0000\r\nMessage-ID: <1@sender.example>\r\n\r\nhi bob\r\n';
    const signed = await dkimSign(body, { signatureData: [{ signingDomain: 'sender.example', selector: 'sel', privateKey, canonicalization: 'relaxed/relaxed' }] } as never);
    const forged = 'Authentication-Results: mail.test; dkim=pass header.d=bank.example\r\nAuthentication-Results: elsewhere.example; spf=none\r\n';
    assert.equal(await deliver(port, 'ann@sender.example', forged + signed.signatures + body), 250);
    const [msg] = await inbox();
    assert.ok(msg);
    const ar = /^Authentication-Results: mail\.test;(?:\r\n[ \t].*)*/m.exec(msg)?.[0] ?? '';
    assert.match(ar, /spf=pass/);
    assert.match(ar, /dkim=pass/);
    assert.match(ar, /dmarc=pass/);
    assert.equal(msg.match(/^Authentication-Results: mail\.test;/gm)?.length, 1, 'exactly our one result');
    assert.doesNotMatch(msg, /bank\.example/);
    assert.match(msg, /^Authentication-Results: elsewhere\.example; spf=none\r$/m, 'other hosts\u2019 results stay');
    assert.match(msg, /^Return-Path: <ann@sender\.example>\r\nReceived-SPF: pass/);
  });
});

test('DMARC p=reject failure is refused at DATA with 550 5.7.1; switched off, it is delivered with dmarc=fail', async () => {
  const forged = 'From: CEO <ceo@strict.example>\r\nTo: bob@mail.test\r\nSubject: wire money\r\n\r\nnow\r\n';
  await withInbound([inboundAuthCheck({ hostname: 'mail.test', resolver: resolver as never })], async (port, inbox) => {
    assert.equal(await deliver(port, 'ceo@strict.example', forged), 550);
    assert.deepEqual(await inbox(), []);
  });
  await withInbound([inboundAuthCheck({ hostname: 'mail.test', resolver: resolver as never, rejectOnDmarcReject: false })], async (port, inbox) => {
    assert.equal(await deliver(port, 'ceo@strict.example', forged), 250);
    const [msg] = await inbox();
    assert.match(msg!, /dmarc=fail/);
  });
});

test('a check that throws or times out is a 451 tempfail; the server keeps serving', async () => {
  const broken: MessageCheck = { name: 'broken', timeoutMs: 1000, run: async () => { throw new Error('boom'); } };
  const slow: MessageCheck = { name: 'slow', timeoutMs: 50, run: () => new Promise(() => undefined) };
  for (const check of [broken, slow]) {
    await withInbound([check], async (port, inbox) => {
      assert.equal(await deliver(port, 'x@example.net', 'Subject: x\r\n\r\ny\r\n'), 451);
      assert.deepEqual(await inbox(), []);
    });
  }
});
