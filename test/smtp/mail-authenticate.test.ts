// Our SPF/DKIM/ARC/DMARC composition must write exactly what mailauth's own
// authenticate() writes, for signed and unsigned mail, passing and failing,
// while reading an unsigned message's header block only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { authenticate, dkimSign } from 'mailauth';
import { authenticateMessage, authInput } from '../../src/smtp/mail-authenticate.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const TXT: Record<string, string> = {
  'sender.example': 'v=spf1 ip4:192.0.2.7 -all',
  '_dmarc.sender.example': 'v=DMARC1; p=reject; pct=50',
  'sel._domainkey.sender.example': `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`,
  '_dmarc.quiet.example': 'v=DMARC1; p=none',
};
const resolver = async (name: string, type: string): Promise<never> => {
  const v = TXT[name.toLowerCase()];
  if (type === 'TXT' && v) return [[v]] as never;
  if (name.endsWith('.broken.example')) throw Object.assign(new Error('server failure'), { code: 'ESERVFAIL' });
  throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
};

const plain = (from: string): string =>
  `Return-Path: <x@sender.example>\r\nFrom: Ann <${from}>\r\nTo: bob@mail.test\r\nSubject: hello\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\n\r\nBody line one\r\nline two\r\n`;

async function signed(message: string): Promise<string> {
  const r = await dkimSign(message, { signatureData: [{ signingDomain: 'sender.example', selector: 'sel', privateKey, canonicalization: 'relaxed/relaxed' }] } as never);
  assert.match(r.signatures, /^DKIM-Signature: /);
  return r.signatures + message;
}

/** Both results with the parts that depend on the moment (timestamps in comments) made equal. */
const stable = (headers: string): string => headers.replace(/\(\s*[^)]*\d{2}:\d{2}:\d{2}[^)]*\)/g, '(time)');

const cases: { name: string; ip: string; helo: string; sender: string; message: () => Promise<string>; expect: RegExp }[] = [
  { name: 'unsigned, SPF pass, DMARC pass', ip: '192.0.2.7', helo: 'out.sender.example', sender: 'x@sender.example', message: async () => plain('ann@sender.example'), expect: /spf=pass[\s\S]*dmarc=pass/ },
  { name: 'unsigned, SPF fail, DMARC fail under p=reject', ip: '198.51.100.1', helo: 'h.example', sender: 'x@sender.example', message: async () => plain('ceo@sender.example'), expect: /spf=fail[\s\S]*dmarc=fail/ },
  { name: 'signed, DKIM pass from another address', ip: '198.51.100.1', helo: '', sender: '', message: async () => signed(plain('ann@sender.example')), expect: /dkim=pass[\s\S]*dmarc=pass/ },
  { name: 'signed, body changed after signing', ip: '192.0.2.7', helo: 'x', sender: 'x@sender.example', message: async () => (await signed(plain('ann@sender.example'))).replace('line two', 'line 2'), expect: /dkim=(neutral|fail)/ },
  { name: 'DNS failures: temperror', ip: '192.0.2.9', helo: 'a.broken.example', sender: 'x@a.broken.example', message: async () => plain('y@a.broken.example'), expect: /temperror/ },
  { name: 'no From domain', ip: '192.0.2.9', helo: 'quiet.example', sender: 'x@quiet.example', message: async () => 'Subject: none\r\n\r\nhi\r\n', expect: /dkim=none/ },
];

for (const c of cases) {
  test(`same Authentication-Results as mailauth.authenticate: ${c.name}`, async () => {
    const bytes = Buffer.from(await c.message(), 'latin1');
    const theirs = await authenticate(bytes, { ip: c.ip, helo: c.helo, sender: c.sender, mta: 'mail.test', resolver, disableBimi: true });
    const fromBytes = await authenticateMessage({ message: bytes, ip: c.ip, helo: c.helo, sender: c.sender, mta: 'mail.test', resolver });
    const fromStream = await authenticateMessage({ message: () => Readable.from([bytes]), ip: c.ip, helo: c.helo, sender: c.sender, mta: 'mail.test', resolver });
    assert.match(fromBytes.headers, c.expect);
    assert.equal(stable(fromBytes.headers), stable(theirs.headers));
    assert.equal(stable(fromStream.headers), stable(theirs.headers));
    assert.deepEqual(fromBytes.dmarc && { result: fromBytes.dmarc.status.result, policy: fromBytes.dmarc.policy, pct: fromBytes.dmarc.pct }, theirs.dmarc && { result: theirs.dmarc.status.result, policy: theirs.dmarc.policy, pct: theirs.dmarc.pct });
  });
}

test('an unsigned message is checked on its header block; a signed one whole', async () => {
  const unsigned = Buffer.from(plain('ann@sender.example'), 'latin1');
  const head = authInput(unsigned).toString('latin1');
  assert.ok(head.endsWith('+0000\r\n\r\n'), 'the header block and the empty line');
  assert.doesNotMatch(head, /Body line/);
  const sig = Buffer.from(await signed(plain('ann@sender.example')), 'latin1');
  assert.equal(authInput(sig), sig);
  const arcOnly = Buffer.from(`ARC-Message-Signature: i=1; a=rsa-sha256; d=x.example\r\n${plain('a@b.example')}`, 'latin1');
  assert.equal(authInput(arcOnly), arcOnly);
  const noBody = Buffer.from('Subject: x\r\n', 'latin1');
  assert.equal(authInput(noBody), noBody);
});
