import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, loginCacheFor } from '../../src/auth/authenticate.js';
import { LoginCache } from '../../src/auth/login-cache.js';
import { hashPassword } from '../../src/auth/password.js';
import { AuthThrottle } from '../../src/auth/throttle.js';
import { createFakeStore } from '../cli/fake-store.js';

process.env.LETTERBOX_SCRYPT_LN = '10';

const GOOD = 'alice has a good password';

async function setup() {
  const store = createFakeStore();
  await store.addDomain('example.com');
  await store.addAccount('alice@example.com', await hashPassword(GOOD));
  return store;
}

test('a remembered password matches only with the same hash, password and address', () => {
  const cache = new LoginCache();
  cache.remember('alice@example.com', 'hash-1', GOOD);
  assert.equal(cache.matches('alice@example.com', 'hash-1', GOOD), true);
  assert.equal(cache.matches('alice@example.com', 'hash-1', 'alice has a good passwort'), false);
  assert.equal(cache.matches('alice@example.com', 'hash-2', GOOD), false, 'a changed hash (new password) misses');
  assert.equal(cache.matches('bob@example.com', 'hash-1', GOOD), false);
  assert.equal(cache.hits, 1);
});

test('the same password in another Unicode normalisation matches, as it does for scrypt', () => {
  const cache = new LoginCache();
  cache.remember('a@example.com', 'h', 'caf\u00e9 au lait tous les matins');
  assert.equal(cache.matches('a@example.com', 'h', 'cafe\u0301 au lait tous les matins'), true);
});

test('an entry vouches for the TTL after its verification; hits do not extend it', () => {
  let now = 1_000;
  const cache = new LoginCache({ ttlMs: 100, now: () => now });
  cache.remember('a@example.com', 'h', GOOD);
  now = 1_050;
  assert.equal(cache.matches('a@example.com', 'h', GOOD), true);
  now = 1_100;
  assert.equal(cache.matches('a@example.com', 'h', GOOD), false);
  assert.equal(cache.size, 0, 'the expired entry is dropped');
});

test('the cache is bounded: the oldest account goes first', () => {
  const cache = new LoginCache({ maxEntries: 2 });
  cache.remember('a@example.com', 'h', GOOD);
  cache.remember('b@example.com', 'h', GOOD);
  cache.remember('c@example.com', 'h', GOOD);
  assert.equal(cache.size, 2);
  assert.equal(cache.matches('a@example.com', 'h', GOOD), false);
  assert.equal(cache.matches('b@example.com', 'h', GOOD), true);
  assert.equal(cache.matches('c@example.com', 'h', GOOD), true);
});

test('authenticate: the second login with the same password skips scrypt, a wrong one never does', async () => {
  const store = await setup();
  const cache = new LoginCache();
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), 'alice@example.com');
  assert.equal(cache.hits, 0, 'the first login is verified with scrypt');
  assert.equal(await authenticate(store, 'Alice@Example.COM', GOOD, { cache }), 'alice@example.com');
  assert.equal(cache.hits, 1);
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a bad password', { cache }), null);
  assert.equal(cache.hits, 1);
});

test('authenticate: a password change or a removed account ends what the cache vouched for', async () => {
  const store = await setup();
  const cache = new LoginCache();
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), 'alice@example.com');
  await store.setPasswordHash('alice@example.com', await hashPassword('alice changed her password'));
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), null, 'the old password no longer works');
  assert.equal(await authenticate(store, 'alice@example.com', 'alice changed her password', { cache }), 'alice@example.com');
  await store.removeAccount('alice@example.com');
  assert.equal(await authenticate(store, 'alice@example.com', 'alice changed her password', { cache }), null);
});

test('authenticate: the rehash after a cost change is what the cache remembers', async () => {
  const store = await setup();
  await store.setPasswordHash('alice@example.com', await hashPassword(GOOD, { ln: 11 }));
  const cache = new LoginCache();
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), 'alice@example.com');
  const writes = store.hashWrites;
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), 'alice@example.com');
  assert.equal(cache.hits, 1, 'the upgraded hash is the one remembered');
  assert.equal(store.hashWrites, writes);
});

test('authenticate: a cached login still waits out the throttle and counts as a success', async () => {
  const store = await setup();
  const cache = new LoginCache();
  let now = 0;
  const throttle = new AuthThrottle({ now: () => now });
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache }), 'alice@example.com');
  for (let i = 0; i < 6; i++) await authenticate(store, 'alice@example.com', 'bad guess number x', { ip: '198.51.100.7', throttle, wait, cache });
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { ip: '198.51.100.7', throttle, wait, cache }), 'alice@example.com');
  assert.equal(cache.hits, 1);
  assert.ok((waits.at(-1) ?? 0) > 0, 'the penalty applies before the cache is consulted');
});

test('authenticate: every protocol shares one cache per store by default; cache false bypasses it', async () => {
  const store = await setup();
  const other = await setup();
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache: false }), 'alice@example.com');
  assert.equal(await authenticate(store, 'alice@example.com', GOOD, { cache: false }), 'alice@example.com');
  assert.equal(loginCacheFor(store).size, 0, 'nothing remembered without the cache');
  assert.equal(await authenticate(store, 'alice@example.com', GOOD), 'alice@example.com');
  assert.equal(await authenticate(store, 'alice@example.com', GOOD), 'alice@example.com');
  assert.equal(loginCacheFor(store).hits, 1);
  assert.equal(loginCacheFor(other).size, 0, 'another store has its own cache');
});
