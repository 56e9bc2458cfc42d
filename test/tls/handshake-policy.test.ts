// T66 handshake policy: TLS 1.2 minimum, ECDHE + AEAD only on TLS 1.2, TLS
// 1.3 on, and a client that trusts only our CA verifies the box. Every refused
// case is first shown to work against a permissive control server with the
// same certificate, so a refusal is our policy and not a client limitation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/certificate-store.js';
import { tempDir, listen, closeServer, tryHandshake } from './tls-test-helpers.js';

let root: { dir: string; cleanup: () => Promise<void> };
let certs: LocalCertificateStore;
let ours: TlsServer;
let control: TlsServer;
let port: number;
let controlPort: number;
const clientErrors: string[] = [];

before(async () => {
  root = await tempDir();
  certs = await openCertificates({ dir: root.dir, hostname: 'mail.test', addresses: ['127.0.0.1', '::1'] });
  ours = createTlsServer(certs.tlsOptions(), (s) => s.end());
  ours.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    clientErrors.push(err.code ?? err.message);
    socket.destroy();
  });
  control = createTlsServer({ ...certs.serverPem(), minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' }, (s) => s.end());
  control.on('tlsClientError', (_err, socket) => socket.destroy());
  port = await listen(ours);
  controlPort = await listen(control);
});

after(async () => {
  certs.close();
  await Promise.all([closeServer(ours), closeServer(control)]);
  await root.cleanup();
});

test('TLS 1.3 is accepted', async () => {
  const r = await tryHandshake(port, { minVersion: 'TLSv1.3', servername: 'localhost' });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.protocol, 'TLSv1.3');
});

test('TLS 1.2 with forward-secret AEAD suites is accepted', async () => {
  for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    const r = await tryHandshake(port, { maxVersion: 'TLSv1.2', ciphers: cipher, servername: 'localhost' });
    assert.equal(r.ok, true, `${cipher}: ${r.error}`);
    assert.equal(r.protocol, 'TLSv1.2');
    assert.equal(r.cipher, cipher);
  }
});

test('the server picks its own preferred TLS 1.2 suite (honorCipherOrder)', async () => {
  const r = await tryHandshake(port, {
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
    servername: 'localhost',
  });
  assert.equal(r.cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
});

const refused: Array<{ name: string; options: Parameters<typeof tryHandshake>[1] }> = [
  { name: 'TLS 1.1', options: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } },
  { name: 'TLS 1.0', options: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } },
  { name: 'TLS 1.2 AES256-SHA (static RSA, CBC)', options: { maxVersion: 'TLSv1.2', ciphers: 'AES256-SHA' } },
  { name: 'TLS 1.2 AES128-GCM-SHA256 (no forward secrecy)', options: { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' } },
  { name: 'TLS 1.2 ECDHE-RSA-AES128-SHA (CBC)', options: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' } },
];

for (const { name, options } of refused) {
  test(`${name} is refused`, async () => {
    const okElsewhere = await tryHandshake(controlPort, { ...options, servername: 'localhost' });
    assert.equal(okElsewhere.ok, true, `control server must accept ${name}: ${okElsewhere.error}`);
    const before = clientErrors.length;
    const r = await tryHandshake(port, { ...options, servername: 'localhost' });
    assert.equal(r.ok, false, `${name} must fail, got ${r.protocol} ${r.cipher}`);
    assert.equal(clientErrors.length, before + 1, 'the server saw and refused the hello');
  });
}

test('a client trusting only our CA verifies the box as localhost and by its hostname', async () => {
  for (const servername of ['localhost', 'mail.test', 'mail.local']) {
    const r = await tryHandshake(port, { ca: certs.caPem(), rejectUnauthorized: true, servername });
    assert.equal(r.ok, true, `${servername}: ${r.error}`);
    assert.equal(r.authorized, true);
  }
  const wrongName = await tryHandshake(port, { ca: certs.caPem(), rejectUnauthorized: true, servername: 'other.example' });
  assert.equal(wrongName.ok, false);
  assert.equal(wrongName.error, 'ERR_TLS_CERT_ALTNAME_INVALID');
  const noTrust = await tryHandshake(port, { rejectUnauthorized: true, servername: 'localhost' });
  assert.equal(noTrust.ok, false, 'the system store does not know our CA');
});

/** Runs `openssl s_client` against 127.0.0.1:<port> and resolves with its exit code and output. */
function sClient(p: number, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${p}`, '-servername', 'localhost', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end();
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('openssl s_client agrees: -tls1_3 and ECDHE-RSA-AES128-GCM-SHA256 ok, -tls1_1 and AES256-SHA fail', async () => {
  const v13 = await sClient(port, ['-tls1_3']);
  assert.match(v13.out, /Protocol\s*: TLSv1\.3|New, TLSv1\.3/);
  const gcm = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
  assert.match(gcm.out, /Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
  const v11 = await sClient(port, ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
  assert.notEqual(v11.code, 0);
  assert.doesNotMatch(v11.out, /Cipher is (?!\(NONE\))/);
  const cbc = await sClient(port, ['-tls1_2', '-cipher', 'AES256-SHA']);
  assert.notEqual(cbc.code, 0);
  assert.doesNotMatch(cbc.out, /Cipher is (?!\(NONE\))/);
});
