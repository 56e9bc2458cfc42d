// Renewal before expiry, the unset-clock fallback, and hot reload: a running
// listener serves the renewed certificate to its next client, no restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/certificate-store.js';
import { createHardenedTlsServer } from '../../src/tls/tls-harden.js';
import { CLOCK_FLOOR_MS } from '../../src/tls/cert-issue.js';
import { tempDir, listen, closeServer, tryHandshake, recordingLog } from './tls-test-helpers.js';

const DAY_MS = 86_400_000;
const HOSTNAME = 'mail.test';
const ADDRESSES = ['127.0.0.1', '::1'];

let root: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  root = await tempDir();
});

after(async () => {
  await root.cleanup();
});

async function leafOnDisk(dir: string): Promise<X509Certificate> {
  return new X509Certificate(await readFile(join(dir, 'server.crt')));
}

async function caOnDisk(dir: string): Promise<X509Certificate> {
  return new X509Certificate(await readFile(join(dir, 'ca.crt')));
}

test('renewIfNeeded reissues the leaf only when it expires within the window', async () => {
  const dir = join(root.dir, 'renew');
  let clock = Date.now();
  const log = recordingLog();
  const certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => clock, log });
  try {
    const first = await leafOnDisk(dir);
    const caFirst = await caOnDisk(dir);
    assert.equal(await certs.renewIfNeeded(), false);
    assert.equal((await leafOnDisk(dir)).fingerprint256, first.fingerprint256);

    clock += 360 * DAY_MS; // 37 days left: outside the default 30-day window
    assert.equal(await certs.renewIfNeeded(), false);
    assert.equal(await certs.renewIfNeeded(40), true);
    const second = await leafOnDisk(dir);
    assert.notEqual(second.fingerprint256, first.fingerprint256);
    assert.notEqual(second.serialNumber, first.serialNumber);
    assert.equal(Date.parse(second.validFrom), Math.floor((clock - 3_600_000) / 1000) * 1000);
    assert.ok(second.checkIssued(caFirst) && second.verify(caFirst.publicKey));
    assert.equal((await caOnDisk(dir)).fingerprint256, caFirst.fingerprint256, 'the CA is kept');
    assert.equal(new X509Certificate(certs.serverPem().cert).fingerprint256, second.fingerprint256);

    clock += 370 * DAY_MS; // 27 days left on the new leaf
    assert.equal(await certs.renewIfNeeded(), true);
    const third = await leafOnDisk(dir);
    assert.notEqual(third.fingerprint256, second.fingerprint256);
    assert.ok(log.entries.some((e) => e.msg === 'tls: renewed the server certificate'));

    // A restart at the same time finds nothing to do.
    const again = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => clock });
    again.close();
    assert.equal((await leafOnDisk(dir)).fingerprint256, third.fingerprint256);
  } finally {
    certs.close();
  }
});

test('concurrent renewals issue one certificate', async () => {
  const dir = join(root.dir, 'concurrent');
  const certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  try {
    const results = await Promise.all([certs.renewIfNeeded(398), certs.renewIfNeeded(30)]);
    assert.deepEqual(results, [true, false]);
  } finally {
    certs.close();
  }
});

test('an unset clock dates certificates from 2026-01-01 and the leaf is reissued once the clock is sane', async () => {
  const dir = join(root.dir, 'clock');
  let clock = Date.UTC(1970, 0, 1, 0, 0, 5);
  const log = recordingLog();
  const certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => clock, log });
  try {
    const early = await leafOnDisk(dir);
    const ca = await caOnDisk(dir);
    assert.equal(Date.parse(early.validFrom), CLOCK_FLOOR_MS);
    assert.equal(Date.parse(ca.validFrom), CLOCK_FLOOR_MS);
    assert.equal(Date.parse(early.validTo), CLOCK_FLOOR_MS + 397 * DAY_MS);
    assert.ok(log.entries.some((e) => e.level === 'warn' && /clock is not set/.test(e.msg ?? '')));
    assert.equal(await certs.renewIfNeeded(), false, 'still no clock: nothing better to issue');

    clock = Date.now();
    assert.equal(await certs.renewIfNeeded(), true);
    const late = await leafOnDisk(dir);
    assert.equal(Date.parse(late.validFrom), Math.floor((clock - 3_600_000) / 1000) * 1000);
    assert.equal((await caOnDisk(dir)).fingerprint256, ca.fingerprint256, 'the CA users installed is kept');
    assert.equal(await certs.renewIfNeeded(), false);
  } finally {
    certs.close();
  }
});

test('a restart with a sane clock reissues a leaf that dates from the clock floor', async () => {
  const dir = join(root.dir, 'clock-restart');
  const early = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => 0 });
  early.close();
  assert.equal(Date.parse((await leafOnDisk(dir)).validFrom), CLOCK_FLOOR_MS);
  const sane = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  sane.close();
  assert.ok(Date.parse((await leafOnDisk(dir)).validFrom) > CLOCK_FLOOR_MS);
});

test('hot reload: a running listener serves the renewed certificate to the next client', async () => {
  const dir = join(root.dir, 'hot');
  const certs: LocalCertificateStore = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  const plain = createTlsServer(certs.tlsOptions(), (s) => s.end());
  const hardened = createHardenedTlsServer(certs, recordingLog(), (s) => s.end());
  const plainPort = await listen(plain);
  const hardenedPort = await listen(hardened);
  try {
    const trust = { ca: certs.caPem(), rejectUnauthorized: true };
    const before = await tryHandshake(plainPort, { ...trust, servername: 'localhost' });
    const oldLeaf = await leafOnDisk(dir);
    assert.equal(before.ok, true, before.error);
    assert.equal(before.fingerprint256, oldLeaf.fingerprint256);

    assert.equal(await certs.renewIfNeeded(398), true); // every 397-day leaf is "within 398 days"
    const newLeaf = await leafOnDisk(dir);
    assert.notEqual(newLeaf.fingerprint256, oldLeaf.fingerprint256);

    // A client that sends SNI gets the new context through SNICallback.
    const sni = await tryHandshake(plainPort, { ...trust, servername: 'localhost' });
    assert.equal(sni.ok, true, sni.error);
    assert.equal(sni.authorized, true);
    assert.equal(sni.fingerprint256, newLeaf.fingerprint256);

    // A client without SNI (bare IP) hits the server's default context: the
    // plain server still has the old one, the hardened server followed.
    const noSniPlain = await tryHandshake(plainPort, { ...trust, checkServerIdentity: () => undefined });
    assert.equal(noSniPlain.fingerprint256, oldLeaf.fingerprint256);
    const noSni = await tryHandshake(hardenedPort, { ...trust, checkServerIdentity: () => undefined });
    assert.equal(noSni.ok, true, noSni.error);
    assert.equal(noSni.fingerprint256, newLeaf.fingerprint256);
  } finally {
    certs.close();
    await Promise.all([closeServer(plain), closeServer(hardened)]);
  }
});

test('the daily check renews on its own once the leaf nears expiry', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const dir = join(root.dir, 'daily');
  let clock = Date.now();
  const certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => clock });
  try {
    const first = await leafOnDisk(dir);
    const renewed = new Promise<void>((resolve) => certs.onRenewed(resolve));
    clock += 370 * DAY_MS;
    t.mock.timers.tick(DAY_MS);
    await renewed;
    assert.notEqual((await leafOnDisk(dir)).fingerprint256, first.fingerprint256);
  } finally {
    certs.close();
  }
});

test('while the clock is unset the check runs every 10 minutes, and reissues once it is set', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const dir = join(root.dir, 'clock-timer');
  let clock = 0;
  const certs = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, now: () => clock });
  try {
    const renewed = new Promise<void>((resolve) => certs.onRenewed(resolve));
    clock = Date.now(); // NTP answered
    t.mock.timers.tick(10 * 60_000);
    await renewed;
    assert.ok(Date.parse((await leafOnDisk(dir)).validFrom) > CLOCK_FLOOR_MS);
  } finally {
    certs.close();
  }
});

test('a leaf issued without an Authority Key Identifier (early versions) is reissued at the next start', async () => {
  const dir = join(root.dir, 'no-aki');
  const first = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  first.close();
  // Re-sign the same leaf with our CA, minus the extension, as early versions issued it.
  const forge = (await import('node-forge')).default;
  const leaf = forge.pki.certificateFromPem(await readFile(join(dir, 'server.crt'), 'utf8'));
  leaf.setExtensions(leaf.extensions.filter((e: { name?: string }) => e.name !== 'authorityKeyIdentifier'));
  leaf.sign(forge.pki.privateKeyFromPem(await readFile(join(dir, 'ca.key'), 'utf8')), forge.md.sha256.create());
  await writeFile(join(dir, 'server.crt'), forge.pki.certificateToPem(leaf));
  const stripped = await leafOnDisk(dir);
  assert.doesNotMatch(stripped.toString(), /Authority Key Identifier/i);

  const log = recordingLog();
  const again = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES, log });
  again.close();
  const reissued = await leafOnDisk(dir);
  assert.notEqual(reissued.serialNumber, stripped.serialNumber, 'a new leaf was issued');
  assert.ok(log.entries.some((e) => /Authority Key Identifier/.test(String((e.obj as { reason?: string } | undefined)?.reason))), 'for that reason');
  assert.equal(reissued.verify((await caOnDisk(dir)).publicKey), true);
  const third = await openCertificates({ dir, hostname: HOSTNAME, addresses: ADDRESSES });
  third.close();
  assert.equal((await leafOnDisk(dir)).serialNumber, reissued.serialNumber, 'and kept from then on');
});
