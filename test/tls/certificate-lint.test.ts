// T67 certificate lint and T68 no-fallback-key: what the generator writes,
// checked with OpenSSL (Node's X509Certificate and the openssl CLI), plus
// restart reuse and reissue on a hostname change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/certificate-store.js';
import { isMailError } from '../../src/errors.js';
import { tempDir } from './tls-test-helpers.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;
const HOSTNAME = 'mail.test';
const ADDRESSES = ['127.0.0.1', '::1', '192.0.2.10', '::ffff:192.0.2.11'];

let root: { dir: string; cleanup: () => Promise<void> };
let dir: string;
let certs: LocalCertificateStore;
let leaf: X509Certificate;
let ca: X509Certificate;

before(async () => {
  root = await tempDir();
  dir = join(root.dir, 'tls');
  certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  leaf = new X509Certificate(await readFile(join(dir, 'server.crt')));
  ca = new X509Certificate(await readFile(join(dir, 'ca.crt')));
});

after(async () => {
  certs.close();
  await root.cleanup();
});

async function opensslText(file: string): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-noout', '-text', '-in', file]);
  return stdout;
}

test('serial numbers are positive, 16 octets, not 0/1, and differ between two fresh installs', async () => {
  for (const cert of [leaf, ca]) {
    assert.match(cert.serialNumber, /^[0-9A-F]{32}$/i);
    assert.ok(parseInt(cert.serialNumber.slice(0, 2), 16) < 0x80, 'top bit clear');
    assert.ok(BigInt(`0x${cert.serialNumber}`) > 1n);
  }
  const text = await opensslText(join(dir, 'server.crt'));
  assert.doesNotMatch(text, /Negative/);
  const serial = /Serial Number:\s*\n\s*([0-9a-f:]+)/i.exec(text)?.[1];
  assert.equal(serial?.split(':').length, 16);

  const other = await tempDir();
  try {
    const second = await openCertificates({ dir: other.dir, hostname: HOSTNAME, addresses: ADDRESSES });
    second.close();
    const leaf2 = new X509Certificate(await readFile(join(other.dir, 'server.crt')));
    const ca2 = new X509Certificate(await readFile(join(other.dir, 'ca.crt')));
    assert.notEqual(leaf2.serialNumber, leaf.serialNumber);
    assert.notEqual(ca2.serialNumber, ca.serialNumber);
    assert.notEqual(leaf2.fingerprint256, leaf.fingerprint256);
    assert.ok(!leaf2.publicKey.export({ format: 'der', type: 'spki' }).equals(leaf.publicKey.export({ format: 'der', type: 'spki' })), 'two installs never share a key');
  } finally {
    await other.cleanup();
  }
});

test('leaf: sha256WithRSAEncryption, RSA 2048, SAN, serverAuth, CA:FALSE', async () => {
  const text = await opensslText(join(dir, 'server.crt'));
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.doesNotMatch(text, /sha1With/i);
  assert.match(text, /Public-Key: \((\d+) bit\)/);
  assert.ok(Number(/Public-Key: \((\d+) bit\)/.exec(text)?.[1]) >= 2048);
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.match(text, /CA:FALSE/);
  assert.equal(leaf.ca, false);
  assert.match(text, /Extended Key Usage:\s*\n\s*TLS Web Server Authentication/);
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.match(text, /Digital Signature, Key Encipherment/);

  const san = leaf.subjectAltName ?? '';
  for (const name of ['DNS:mail.test', 'DNS:mail.local', 'DNS:mail.test.local', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:192.0.2.10']) {
    assert.ok(san.split(', ').includes(name), `SAN has ${name}: ${san}`);
  }
  assert.equal(leaf.checkIP('::1'), '::1');
  assert.equal(leaf.checkIP('::ffff:192.0.2.11'), '::ffff:192.0.2.11');
  assert.equal(leaf.checkHost('mail.test'), 'mail.test');
  assert.equal(leaf.subject, 'CN=mail.test');
});

test('leaf validity is at most 397 days, starts an hour back, never in the future', () => {
  const from = Date.parse(leaf.validFrom);
  const to = Date.parse(leaf.validTo);
  assert.ok(to - from <= 397 * DAY_MS);
  assert.ok(to - from >= 396 * DAY_MS);
  assert.ok(from <= Date.now(), 'notBefore not in the future');
  assert.ok(Date.now() - from < 2 * 3_600_000, 'notBefore about one hour back');
});

test('CA: CA:TRUE pathlen 0, keyCertSign/cRLSign, about 10 years, and the chain verifies', async () => {
  const text = await opensslText(join(dir, 'ca.crt'));
  assert.match(text, /CA:TRUE, pathlen:0/);
  assert.match(text, /Certificate Sign, CRL Sign/);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.equal(ca.subject, `CN=Letterbox local CA for ${HOSTNAME}\nO=Letterbox`);
  assert.ok(Date.parse(ca.validTo) - Date.parse(ca.validFrom) >= 9 * 365 * DAY_MS);
  assert.ok(leaf.checkIssued(ca));
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(!leaf.verify(leaf.publicKey), 'leaf is not self-signed');
  const { stdout } = await run('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt')]);
  assert.match(stdout, /: OK/);
  // what the store hands out matches the files
  assert.equal(certs.caPem(), await readFile(join(dir, 'ca.crt'), 'utf8'));
  assert.ok(certs.serverPem().cert.startsWith(await readFile(join(dir, 'server.crt'), 'utf8')));
  assert.ok(certs.serverPem().cert.endsWith(certs.caPem()));
});

test('private keys are mode 0600, the directory 0700, and keys match their certificates', async () => {
  for (const f of ['ca.key', 'server.key']) {
    assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  }
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  const key = createPrivateKey(await readFile(join(dir, 'server.key')));
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(certs.serverPem().key, await readFile(join(dir, 'server.key'), 'utf8'));
});

test('a restart reuses the same files; a new hostname gets a new leaf from the same CA', async () => {
  const again = await openCertificates({ dir, hostname: HOSTNAME, addresses: [...ADDRESSES].reverse() });
  again.close();
  assert.equal(new X509Certificate(await readFile(join(dir, 'server.crt'))).fingerprint256, leaf.fingerprint256);
  assert.equal(new X509Certificate(await readFile(join(dir, 'ca.crt'))).fingerprint256, ca.fingerprint256);

  const renamed = await openCertificates({ dir, hostname: 'post.example.org', addresses: ADDRESSES });
  renamed.close();
  const newLeaf = new X509Certificate(await readFile(join(dir, 'server.crt')));
  assert.notEqual(newLeaf.fingerprint256, leaf.fingerprint256);
  assert.equal(new X509Certificate(await readFile(join(dir, 'ca.crt'))).fingerprint256, ca.fingerprint256);
  assert.ok(newLeaf.checkIssued(ca) && newLeaf.verify(ca.publicKey));
  assert.equal(newLeaf.checkHost('post.example.org'), 'post.example.org');
  assert.equal(newLeaf.checkHost('post.local'), 'post.local');
  assert.equal(newLeaf.checkHost('mail.test'), undefined);
  assert.equal((await stat(join(dir, 'server.key'))).mode & 0o777, 0o600);
});

test('T68: failing to create or write keys rejects with a clear error and serves nothing', async () => {
  const t = await tempDir();
  try {
    const blocker = join(t.dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    await assert.rejects(openCertificates({ dir: join(blocker, 'tls'), hostname: HOSTNAME, addresses: ADDRESSES }), (err) => {
      assert.ok(isMailError(err, 'temporary'));
      assert.match((err as Error).message, /^tls: could not /);
      return true;
    });
  } finally {
    await t.cleanup();
  }
});

test('a CA pair that exists but is broken is refused, never replaced silently', async () => {
  const t = await tempDir();
  try {
    const c = await openCertificates({ dir: t.dir, hostname: HOSTNAME, addresses: ADDRESSES });
    c.close();
    await writeFile(join(t.dir, 'ca.key'), await readFile(join(t.dir, 'server.key')));
    await assert.rejects(openCertificates({ dir: t.dir, hostname: HOSTNAME, addresses: ADDRESSES }), (err) => {
      assert.ok(isMailError(err, 'invalid'));
      assert.match((err as Error).message, /does not match/);
      return true;
    });
    await assert.rejects(openCertificates({ dir: t.dir, hostname: 'bad_name!', addresses: ADDRESSES }), (err) => isMailError(err, 'invalid'));
    await assert.rejects(openCertificates({ dir: t.dir, hostname: HOSTNAME, addresses: ['300.1.1.1'] }), (err) => isMailError(err, 'invalid'));
  } finally {
    await t.cleanup();
  }
});

test('the chain passes strict X.509 verification: key identifiers link server certificate and CA', async () => {
  // Python 3.13's ssl (imaplib, poplib, smtplib) verifies with OpenSSL's
  // X509_STRICT by default and refuses a server certificate without an
  // Authority Key Identifier; the same check through the openssl CLI.
  const { stdout } = await run('openssl', ['verify', '-x509_strict', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt')]);
  assert.match(stdout, /server\.crt: OK/);
  const leafText = await opensslText(join(dir, 'server.crt'));
  const caText = await opensslText(join(dir, 'ca.crt'));
  const caSki = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(caText)?.[1];
  const leafAki = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(leafText)?.[1];
  assert.ok(caSki, caText);
  assert.equal(leafAki, caSki, 'the server certificate names the CA key that signed it');
});
