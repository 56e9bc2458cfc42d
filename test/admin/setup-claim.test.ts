import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureSetupToken, isAdminClaimed, readAdminAccount } from '../../src/admin/index.js';
import { normaliseToken } from '../../src/admin/setup-token.js';
import { call, claim, cookieOf, HOST, PASSWORD, removeSharedCerts, startHarness, type Harness } from './admin-harness.js';

after(removeSharedCerts);

describe('setup token (T71)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('is created once, 0600, with at least 96 random bits, and reused', async () => {
    const first = await ensureSetupToken(h.dataDir);
    assert.equal(first.created, true);
    assert.ok(normaliseToken(first.token).length >= 20, 'base32, ≥ 100 bits');
    assert.match(first.token, /^[A-Z2-7]{4}(-[A-Z2-7]{1,4})+$/);
    const st = await stat(join(h.dataDir, 'setup-token'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal((await readFile(join(h.dataDir, 'setup-token'), 'utf8')).trim(), first.token);
    const again = await ensureSetupToken(h.dataDir);
    assert.deepEqual(again, { token: first.token, created: false });
  });

  it('status says open, then claimed', async () => {
    let res = await call(h.app, 'GET', '/api/status');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { claimed: false, setup: 'open', hostname: HOST, authenticated: false });
    await claim(h);
    res = await call(h.app, 'GET', '/api/status');
    assert.equal(res.json().setup, 'claimed');
  });

  it('refuses a missing or wrong token with 403, rate limits, and changes nothing', async () => {
    const { token } = await ensureSetupToken(h.dataDir);
    const missing = await call(h.app, 'POST', '/api/setup', { username: 'owner', password: PASSWORD });
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error.code, 'forbidden');
    const wrong = await call(h.app, 'POST', '/api/setup', { token: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG', username: 'owner', password: PASSWORD });
    assert.equal(wrong.statusCode, 403);
    for (let i = 0; i < 3; i++) await call(h.app, 'POST', '/api/setup', { token: `x${i}`, username: 'owner', password: PASSWORD });
    // Five attempts a minute: the sixth is refused even with the right token.
    const limited = await call(h.app, 'POST', '/api/setup', { token, username: 'owner', password: PASSWORD });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(await isAdminClaimed(h.store), false);
    // Another client is not affected.
    const other = await h.app.inject({ method: 'POST', url: '/api/setup', remoteAddress: '192.168.1.77', headers: { host: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ token, username: 'owner', password: PASSWORD }) });
    assert.equal(other.statusCode, 201);
  });

  it('accepts the token with other case, dashes or spaces; then /api/setup is 404 for good and the token file is gone', async () => {
    const { token } = await ensureSetupToken(h.dataDir);
    const sloppy = normaliseToken(token).toLowerCase().replace(/(.{5})/g, '$1 ');
    const res = await call(h.app, 'POST', '/api/setup', { token: sloppy, username: 'owner', password: PASSWORD });
    assert.equal(res.statusCode, 201, res.body);
    assert.match(String(res.headers['set-cookie']), /^__Host-sid=/);
    const account = await readAdminAccount(h.store);
    assert.equal(account?.username, 'owner');
    assert.match(account?.passwordHash ?? '', /^\$scrypt\$/);
    await assert.rejects(readFile(join(h.dataDir, 'setup-token')), { code: 'ENOENT' });
    const again = await call(h.app, 'POST', '/api/setup', { token, username: 'mallory', password: PASSWORD });
    assert.equal(again.statusCode, 404);
    assert.equal((await readAdminAccount(h.store))?.username, 'owner');
  });

  it('closes after the setup window until restart', async () => {
    const { token } = await ensureSetupToken(h.dataDir);
    h.clock.t += 31 * 60_000;
    const res = await call(h.app, 'POST', '/api/setup', { token, username: 'owner', password: PASSWORD });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'setup_closed');
    assert.equal((await call(h.app, 'GET', '/api/status')).json().setup, 'closed');
  });

  it('refuses weak passwords and bad user names with 400', async () => {
    const { token } = await ensureSetupToken(h.dataDir);
    const weak = await call(h.app, 'POST', '/api/setup', { token, username: 'owner', password: 'password123' });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.json().error.message, /weak password/);
    const badName = await call(h.app, 'POST', '/api/setup', { token, username: 'a b', password: PASSWORD });
    assert.equal(badName.statusCode, 400);
    assert.match(badName.json().error.message, /username/);
    assert.equal(await isAdminClaimed(h.store), false);
  });

  it('every admin route refuses before the claim (no default credentials, T72)', async () => {
    let n = 0;
    for (const [u, p] of [['admin', 'admin'], ['admin', 'password'], ['admin', ''], ['root', 'root'], ['pi', 'raspberry'], ['admin', HOST], ['nobody', '']] as const) {
      const res = await call(h.app, 'POST', '/api/login', { username: u, password: p || 'x' });
      // Five failures, then the shared throttle answers 429 (still no way in).
      assert.equal(res.statusCode, ++n <= 5 ? 401 : 429, `${u}/${p}`);
    }
    assert.equal((await call(h.app, 'GET', '/api/domains')).statusCode, 401);
    assert.equal((await call(h.app, 'GET', '/api/dashboard')).statusCode, 401);
  });

  it('after claim, default and mail-user credentials still fail (T72)', async () => {
    await claim(h);
    await h.store.addDomain('example.test');
    const auth = await claim(h).catch(() => null);
    assert.equal(auth, null, 'second claim impossible');
    for (const [u, p] of [['admin', 'admin'], ['admin', 'password'], ['root', 'root'], ['pi', 'raspberry'], ['owner', 'owner']] as const) {
      assert.equal((await call(h.app, 'POST', '/api/login', { username: u, password: p })).statusCode, 401, `${u}/${p}`);
    }
    const ok = await h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: '192.168.1.50', headers: { host: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'owner', password: PASSWORD }) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(cookieOf(ok), /^__Host-sid=[A-Za-z0-9_-]{43}$/);
  });
});
