import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CONCURRENT_HASHES,
  currentScryptLn,
  hashPassword,
  needsRehash,
  peakConcurrentHashes,
  verifyDummyPassword,
  verifyPassword,
} from '../../src/auth/password.js';

test('hash has the PHC form with the stated parameters and verifies', async () => {
  const hash = await hashPassword('correct horse battery', { ln: 10 });
  assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
  assert.equal(await verifyPassword(hash, 'correct horse batterY'), false);
  assert.equal(await verifyPassword(hash, ''), false);
});

test('each hash has its own salt', async () => {
  const [a, b] = await Promise.all([hashPassword('same password', { ln: 10 }), hashPassword('same password', { ln: 10 })]);
  assert.notEqual(a, b);
});

test('Unicode passwords are compared after NFC normalisation', async () => {
  const hash = await hashPassword('caf\u00e9-passw\u00f6rd', { ln: 10 });
  assert.equal(await verifyPassword(hash, 'cafe\u0301-passwo\u0308rd'), true);
});

test('the default cost is ln=16; LETTERBOX_SCRYPT_LN is honoured only for 10-20', () => {
  assert.equal(currentScryptLn({}), 16);
  assert.equal(currentScryptLn({ LETTERBOX_SCRYPT_LN: '10' }), 10);
  assert.equal(currentScryptLn({ LETTERBOX_SCRYPT_LN: '12' }), 12);
  assert.equal(currentScryptLn({ LETTERBOX_SCRYPT_LN: '4' }), 16);
  assert.equal(currentScryptLn({ LETTERBOX_SCRYPT_LN: '30' }), 16);
  assert.equal(currentScryptLn({ LETTERBOX_SCRYPT_LN: 'fast' }), 16);
});

test('malformed or out-of-bounds hashes never verify and always need a rehash', async () => {
  const good = await hashPassword('another password', { ln: 10 });
  const bad = [
    '',
    'plaintext',
    good.replace('$scrypt$', '$argon2id$'),
    good.replace('ln=10', 'ln=40'), // would allocate 128 GiB
    good.replace('ln=10', 'ln=4'),
    good.slice(0, good.lastIndexOf('$')),
  ];
  for (const hash of bad) {
    assert.equal(await verifyPassword(hash, 'another password'), false, hash);
    assert.equal(needsRehash(hash), true, hash);
  }
});

test('needsRehash compares with the current cost', async () => {
  const cheap = await hashPassword('yet another one', { ln: 10 });
  assert.equal(needsRehash(cheap, { ln: 10 }), false);
  assert.equal(needsRehash(cheap, { ln: 16 }), true);
  assert.equal(needsRehash(cheap.replace('r=8', 'r=4'), { ln: 10 }), true);
});

test('at most two hashes run at once', async () => {
  await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password number ${i}`, { ln: 10 })));
  assert.ok(peakConcurrentHashes() >= 1);
  assert.ok(peakConcurrentHashes() <= MAX_CONCURRENT_HASHES, `peak ${peakConcurrentHashes()}`);
});

test('the dummy verification always fails', async () => {
  process.env.LETTERBOX_SCRYPT_LN = '10';
  try {
    assert.equal(await verifyDummyPassword('anything at all'), false);
    assert.equal(await verifyDummyPassword(''), false);
  } finally {
    delete process.env.LETTERBOX_SCRYPT_LN;
  }
});
