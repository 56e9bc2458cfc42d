import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readAdminAccount } from '../../src/admin/index.js';
import { writeAdminAccount } from '../../src/admin/admin-account.js';
import { hashPassword, verifyPassword } from '../../src/auth/index.js';
import { totpCode } from '../../src/admin/totp.js';
import { call, claim, cookieOf, HOST, login, PASSWORD, removeSharedCerts, startHarness, type Auth, type Harness } from './admin-harness.js';

after(removeSharedCerts);

function loginFrom(h: Harness, ip: string, username: string, password: string, extra: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url: '/api/login', remoteAddress: ip, headers: { host: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ username, password, ...extra }) });
}

describe('login throttling and enumeration (T74)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await claim(h);
  });
  afterEach(() => h.close());

  it('answers 429 with Retry-After after five failures, backs off more, and other clients still log in', async () => {
    const ip = '192.168.1.66';
    for (let i = 0; i < 5; i++) assert.equal((await loginFrom(h, ip, 'owner', `wrong-${i}-password`)).statusCode, 401);
    const blocked = await loginFrom(h, ip, 'owner', PASSWORD);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().error.code, 'rate_limited');
    const first = Number(blocked.headers['retry-after']);
    assert.ok(first >= 1);
    // After the wait, one more wrong guess: the penalty doubles.
    h.clock.t += first * 1000;
    assert.equal((await loginFrom(h, ip, 'owner', 'still-wrong-pw')).statusCode, 401);
    const second = Number((await loginFrom(h, ip, 'owner', PASSWORD)).headers['retry-after']);
    assert.ok(second > first, `${second} > ${first}`);
    // 100 guesses in a minute from that address: at most a handful reach the password check.
    let checked = 0;
    for (let i = 0; i < 100; i++) {
      const res = await loginFrom(h, ip, 'owner', `guess-${i}-xxxxxx`);
      if (res.statusCode === 401) checked++;
      h.clock.t += 600;
    }
    assert.ok(checked <= 5, `${checked} guesses checked in a minute`);
    // Meanwhile the owner, elsewhere, gets in.
    assert.equal((await loginFrom(h, '192.168.1.20', 'owner', PASSWORD)).statusCode, 200);
  });

  it('counts failures together with the mail protocols (shared throttle)', async () => {
    const ip = '10.0.0.9';
    for (let i = 0; i < 5; i++) h.throttle.recordFailure(ip); // e.g. IMAP LOGIN failures
    assert.equal((await loginFrom(h, ip, 'owner', 'wrong-password-1')).statusCode, 401);
    assert.equal((await loginFrom(h, ip, 'owner', PASSWORD)).statusCode, 429);
  });

  it('gives the same status and body for an unknown user and a wrong password', async () => {
    const unknown = await loginFrom(h, '192.168.1.2', 'nosuchuser', 'wrong-password-1');
    const wrong = await loginFrom(h, '192.168.1.3', 'owner', 'wrong-password-1');
    assert.equal(unknown.statusCode, wrong.statusCode);
    assert.equal(unknown.body, wrong.body);
    assert.equal(unknown.headers['set-cookie'], undefined);
  });

  it('upgrades a hash made at an older cost at the next login (T73)', async () => {
    const account = await readAdminAccount(h.store);
    assert.ok(account);
    await writeAdminAccount(h.store, { ...account, passwordHash: await hashPassword(PASSWORD, { ln: 11 }) });
    assert.equal((await loginFrom(h, '192.168.1.2', 'owner', PASSWORD)).statusCode, 200);
    const after = await readAdminAccount(h.store);
    assert.match(after?.passwordHash ?? '', /^\$scrypt\$ln=10,/);
    assert.ok(await verifyPassword(after?.passwordHash ?? '', PASSWORD));
  });

  it('rejects malformed login bodies with 400', async () => {
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner' })).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD, admin: true })).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/login', '{"username":')).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: 'x'.repeat(2000) })).statusCode, 400);
  });
});

describe('sessions (T75)', () => {
  let h: Harness;
  let owner: Auth;
  beforeEach(async () => {
    h = await startHarness();
    owner = await claim(h);
  });
  afterEach(() => h.close());

  it('sets a __Host- cookie with Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain, and a 256-bit id', async () => {
    const res = await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD });
    const set = String(res.headers['set-cookie']);
    assert.match(set, /^__Host-sid=[A-Za-z0-9_-]{43}; /);
    for (const flag of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict']) assert.ok(set.split('; ').includes(flag), flag);
    assert.doesNotMatch(set, /Domain=/i);
  });

  it('rotates the id at login: a cookie sent before login is worthless afterwards', async () => {
    const before = owner.cookie;
    const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host: HOST, 'content-type': 'application/json', cookie: before }, payload: JSON.stringify({ username: 'owner', password: PASSWORD }) });
    assert.equal(res.statusCode, 200);
    assert.notEqual(cookieOf(res), before);
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, owner)).statusCode, 401);
    const fresh = { cookie: cookieOf(res), csrf: res.json().csrfToken as string };
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, fresh)).statusCode, 200);
  });

  it('logout ends the session on the server: replaying the cookie gets 401', async () => {
    const res = await call(h.app, 'POST', '/api/logout', {}, owner);
    assert.equal(res.statusCode, 204);
    assert.match(String(res.headers['set-cookie']), /Max-Age=0/);
    assert.equal((await call(h.app, 'GET', '/api/domains', undefined, owner)).statusCode, 401);
  });

  it('expires after 30 minutes idle and after 12 hours in all', async () => {
    const s = await call(h.app, 'GET', '/api/session', undefined, owner);
    assert.equal(s.statusCode, 200);
    assert.equal(s.json().username, 'owner');
    assert.equal(s.json().csrfToken, owner.csrf);
    h.clock.t += 29 * 60_000;
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, owner)).statusCode, 200);
    h.clock.t += 30 * 60_000;
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, owner)).statusCode, 401, 'idle timeout');

    const busy = await login(h);
    for (let i = 0; i < 12 * 3; i++) {
      h.clock.t += 20 * 60_000;
      const res = await call(h.app, 'GET', '/api/session', undefined, busy);
      if (i < 12 * 3 - 1) assert.equal(res.statusCode, 200, `after ${(i + 1) * 20} min`);
      else assert.equal(res.statusCode, 401, 'absolute timeout at 12 h');
    }
  });

  it('a password change ends other sessions and keeps this one under a new id', async () => {
    const other = await login(h);
    const res = await call(h.app, 'POST', '/api/password', { currentPassword: PASSWORD, newPassword: 'a much better passphrase' }, owner);
    assert.equal(res.statusCode, 200, res.body);
    const renewed = { cookie: cookieOf(res), csrf: res.json().csrfToken as string };
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, other)).statusCode, 401);
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, owner)).statusCode, 401);
    assert.equal((await call(h.app, 'GET', '/api/session', undefined, renewed)).statusCode, 200);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD })).statusCode, 401);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: 'a much better passphrase' })).statusCode, 200);
  });

  it('password change: wrong current → 401, weak new → 400, bad body → 400', async () => {
    assert.equal((await call(h.app, 'POST', '/api/password', { currentPassword: 'nope-nope-nope', newPassword: 'a much better passphrase' }, owner)).statusCode, 401);
    assert.equal((await call(h.app, 'POST', '/api/password', { currentPassword: PASSWORD, newPassword: 'short' }, owner)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/password', { currentPassword: PASSWORD }, owner)).statusCode, 400);
  });

  it('TOTP: enrol, then login needs the code, a code works once, disable with the password', async () => {
    const setup = await call(h.app, 'POST', '/api/totp/setup', {}, owner);
    assert.equal(setup.statusCode, 200);
    const { secret, otpauthUrl } = setup.json() as { secret: string; otpauthUrl: string };
    assert.match(otpauthUrl, /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    assert.equal((await call(h.app, 'POST', '/api/totp/enable', { code: '000000' === totpCode(secret, h.clock.t) ? '111111' : '000000' }, owner)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/totp/enable', { code: 'abc' }, owner)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/totp/enable', { code: totpCode(secret, h.clock.t) }, owner)).statusCode, 204);
    assert.ok((await readAdminAccount(h.store))?.totpSecret);

    h.clock.t += 60_000;
    const noCode = await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD });
    assert.equal(noCode.statusCode, 401);
    assert.equal(noCode.json().error.code, 'totp_required');
    const code = totpCode(secret, h.clock.t);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD, totp: code })).statusCode, 200);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD, totp: code })).statusCode, 401, 'replayed code');

    assert.equal((await call(h.app, 'POST', '/api/totp/disable', { password: 'wrong-password-x' }, owner)).statusCode, 401);
    assert.equal((await call(h.app, 'POST', '/api/totp/disable', { password: PASSWORD }, owner)).statusCode, 204);
    assert.equal((await call(h.app, 'POST', '/api/login', { username: 'owner', password: PASSWORD })).statusCode, 200);
  });
});
