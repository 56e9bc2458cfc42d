import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate } from '../../src/auth/authenticate.js';
import { hashPassword } from '../../src/auth/password.js';
import { AuthThrottle } from '../../src/auth/throttle.js';
import { createFakeStore } from '../cli/fake-store.js';

process.env.LETTERBOX_SCRYPT_LN = '10';

async function setup() {
  const store = createFakeStore();
  await store.addDomain('example.com');
  await store.addAccount('alice@example.com', await hashPassword('alice has a good password'));
  return store;
}

test('returns the canonical address on success, null otherwise', async () => {
  const store = await setup();
  assert.equal(await authenticate(store, 'Alice@EXAMPLE.com', 'alice has a good password'), 'alice@example.com');
  assert.equal(await authenticate(store, 'alice@example.com', 'wrong password here'), null);
  assert.equal(await authenticate(store, 'nobody@example.com', 'alice has a good password'), null);
  assert.equal(await authenticate(store, 'alice@example.com', ''), null);
  assert.equal(await authenticate(store, 'alice', 'alice has a good password'), null);
});

test('the throttle delays and counts attempts per IP', async () => {
  const store = await setup();
  let now = 0;
  const throttle = new AuthThrottle({ now: () => now });
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  for (let i = 0; i < 7; i++) await authenticate(store, 'alice@example.com', 'bad guess number x', { ip: '198.51.100.9', throttle, wait });
  assert.deepEqual(waits, [0, 0, 0, 0, 0, 2000, 4000]);
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a good password', { ip: '198.51.100.9', throttle, wait }), 'alice@example.com');
  assert.equal(waits.at(-1), 8000, 'even a correct password waits out the penalty');
});

test('a hash made with an old cost is replaced at login', async () => {
  const store = await setup();
  await store.setPasswordHash('alice@example.com', await hashPassword('alice has a good password', { ln: 11 }));
  const writes = store.hashWrites;
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a good password'), 'alice@example.com');
  assert.equal(store.hashWrites, writes + 1);
  assert.match((await store.getAccount('alice@example.com'))?.passwordHash ?? '', /^\$scrypt\$ln=10,/);
  // A current hash is left alone.
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a good password'), 'alice@example.com');
  assert.equal(store.hashWrites, writes + 1);
});

test('a password changed while an old-cost hash is being upgraded is not undone by the upgrade', async () => {
  const store = await setup();
  await store.setPasswordHash('alice@example.com', await hashPassword('alice has a good password', { ln: 11 }));
  const changed = await hashPassword('alice changed it meanwhile');
  const getAccount = store.getAccount.bind(store);
  let reads = 0;
  // The owner changes the password between the login's first read and its write.
  store.getAccount = async (address: string) => {
    const account = await getAccount(address);
    if (++reads === 2 && account) await store.setPasswordHash(address, changed);
    return reads >= 2 && account ? { ...account, passwordHash: changed } : account;
  };
  const writes = store.hashWrites;
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a good password', { cache: false }), 'alice@example.com');
  assert.equal(store.hashWrites, writes + 1, 'only the owner\'s change was written');
  store.getAccount = getAccount;
  assert.equal((await getAccount('alice@example.com'))?.passwordHash, changed);
  assert.equal(await authenticate(store, 'alice@example.com', 'alice has a good password', { cache: false }), null, 'the old password no longer works');
});
