// The names a server certificate must carry, and the IP/SAN normalisation
// used to decide whether a stored certificate still fits. Pure, no keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateNames, defaultAddresses, ipToBytes, normaliseHostname, sameKeys, sanKeys, sanKeysFromText } from '../../src/tls/cert-names.js';
import { randomSerialHex, notBeforeFor, CLOCK_FLOOR_MS } from '../../src/tls/cert-issue.js';
import { isMailError } from '../../src/errors.js';

test('hostnames are normalised and bad ones refused', () => {
  assert.equal(normaliseHostname(' Mail.Example.ORG. '), 'mail.example.org');
  for (const bad of ['', 'a..b', '-x.test', 'x_y.test', 'ünicode.test', 'a'.repeat(64) + '.test', 'mail.test/evil']) {
    assert.throws(() => normaliseHostname(bad), (err) => isMailError(err, 'invalid'), bad);
  }
});

test('certificate names: hostname, mDNS names, localhost, deduplicated addresses', () => {
  const n = certificateNames('mail.example.org', ['127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '192.0.2.7']);
  assert.deepEqual(n.dnsNames, ['mail.example.org', 'mail.local', 'mail.example.org.local', 'localhost']);
  assert.deepEqual(n.ipAddresses, ['127.0.0.1', '0:0:0:0:0:0:0:1', '192.0.2.7']);
  assert.deepEqual(certificateNames('letterbox', []).dnsNames, ['letterbox', 'letterbox.local', 'localhost']);
  assert.deepEqual(certificateNames('box.local', []).dnsNames, ['box.local', 'localhost']);
  assert.throws(() => certificateNames('mail.test', ['fe80::1%eth0']), (err) => isMailError(err, 'invalid'));
  assert.throws(() => certificateNames('mail.test', ['mail.test']), (err) => isMailError(err, 'invalid'));
});

test('default addresses always include both loopbacks and no zone-scoped ones', () => {
  const a = defaultAddresses();
  assert.ok(a.includes('127.0.0.1') && a.includes('::1'));
  for (const ip of a) assert.ok(ipToBytes(ip), ip);
});

test('ipToBytes handles every IPv6 spelling OpenSSL and users produce', () => {
  const table: Array<[string, string | undefined]> = [
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['0:0:0:0:0:0:0:1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['fd00::2', 'fd000000000000000000000000000002'],
    ['FD00:0:0:0:0:0:0:2', 'fd000000000000000000000000000002'],
    ['2001:db8:1::ab:9', '20010db8000100000000000000ab0009'],
    ['fe80::1:2', 'fe800000000000000000000000010002'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    ['1.2.3', undefined],
    ['fe80::1%eth0', undefined],
    ['localhost', undefined],
  ];
  for (const [ip, hex] of table) assert.equal(ipToBytes(ip)?.toString('hex'), hex, ip);
});

test('SAN keys from OpenSSL text compare equal to the expected names, in any order', () => {
  const names = certificateNames('mail.test', ['::1', '127.0.0.1', 'fd00::2']);
  const text = 'DNS:mail.test, DNS:mail.local, DNS:mail.test.local, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:2';
  assert.ok(sameKeys(sanKeysFromText(text), sanKeys(names)));
  assert.ok(!sameKeys(sanKeysFromText(text + ', IP Address:192.0.2.9'), sanKeys(names)));
  assert.ok(!sameKeys(sanKeysFromText(text.replace('DNS:mail.local, ', '')), sanKeys(names)));
  assert.ok(!sameKeys(sanKeysFromText(text.replace('DNS:localhost', 'email:x@y')), sanKeys(names)));
  assert.ok(!sameKeys(sanKeysFromText(undefined), sanKeys(names)));
});

test('serials are 16 octets, positive, never short, and random', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const s = randomSerialHex();
    assert.match(s, /^[4-7][0-9a-f]{31}$/);
    seen.add(s);
  }
  assert.equal(seen.size, 200);
});

test('notBefore is one hour back, never below the 2026-01-01 floor', () => {
  assert.equal(notBeforeFor(0), CLOCK_FLOOR_MS);
  assert.equal(notBeforeFor(CLOCK_FLOOR_MS + 30 * 60_000), CLOCK_FLOOR_MS);
  const t = Date.UTC(2027, 5, 1);
  assert.equal(notBeforeFor(t), t - 3_600_000);
});
