import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPassword } from '../../src/auth/index.js';
import { call, claim, PASSWORD, removeSharedCerts, startHarness, type Auth, type Harness } from './admin-harness.js';

after(removeSharedCerts);

describe('domains, users, aliases', () => {
  let h: Harness;
  let a: Auth;
  beforeEach(async () => {
    h = await startHarness();
    a = await claim(h);
  });
  afterEach(() => h.close());

  it('adds, lists and removes domains; 400 for bad names, 409 for duplicates and domains in use', async () => {
    assert.equal((await call(h.app, 'POST', '/api/domains', { name: 'Example.TEST' }, a)).statusCode, 201);
    const list = await call(h.app, 'GET', '/api/domains', undefined, a);
    assert.deepEqual(list.json(), { domains: [{ name: 'example.test', accounts: 0, aliases: 0 }] });
    assert.equal((await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, a)).json().error.code, 'exists');
    for (const bad of [{ name: 'a b' }, { name: '' }, {}, { name: 5 }, { name: 'x.test', extra: 1 }, { name: '-bad-.test' }]) {
      const res = await call(h.app, 'POST', '/api/domains', bad, a);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.ok(res.json().error.message.length > 5);
    }
    await call(h.app, 'POST', '/api/users', { address: 'al@example.test', password: PASSWORD }, a);
    const inUse = await call(h.app, 'DELETE', '/api/domains/example.test', undefined, a);
    assert.equal(inUse.statusCode, 409);
    assert.equal(inUse.json().error.code, 'in_use');
    assert.equal((await call(h.app, 'DELETE', '/api/users/al%40example.test', undefined, a)).statusCode, 204);
    assert.equal((await call(h.app, 'DELETE', '/api/domains/example.test', undefined, a)).statusCode, 204);
    assert.equal((await call(h.app, 'DELETE', '/api/domains/example.test', undefined, a)).statusCode, 404);
    assert.deepEqual(await h.store.listDomains(), []);
  });

  it('users: add with quota, list, reset password, change quota, remove; 400/404/409 on bad input', async () => {
    await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, a);
    const add = await call(h.app, 'POST', '/api/users', { address: 'Bob@example.test', password: PASSWORD, quotaBytes: 1_000_000 }, a);
    assert.equal(add.statusCode, 201);
    assert.deepEqual(add.json(), { address: 'bob@example.test' });
    const users = (await call(h.app, 'GET', '/api/users?domain=example.test', undefined, a)).json().users;
    assert.equal(users.length, 1);
    assert.equal(users[0].address, 'bob@example.test');
    assert.equal(users[0].quotaBytes, 1_000_000);
    assert.equal(users[0].usedBytes, 0);
    assert.equal(users[0].passwordHash, undefined, 'hashes never leave the box');

    assert.equal((await call(h.app, 'POST', '/api/users', { address: 'bob@example.test', password: PASSWORD }, a)).statusCode, 409);
    assert.equal((await call(h.app, 'POST', '/api/users', { address: 'x@elsewhere.test', password: PASSWORD }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/users', { address: 'y@example.test', password: 'short' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/users', { address: 'y@example.test', password: PASSWORD, quotaBytes: -1 }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/users', { address: 'y@example.test' }, a)).statusCode, 400);

    assert.equal((await call(h.app, 'POST', '/api/users/bob%40example.test/password', { password: 'new secret phrase' }, a)).statusCode, 204);
    assert.ok(await verifyPassword((await h.store.getAccount('bob@example.test'))?.passwordHash ?? '', 'new secret phrase'));
    assert.equal((await call(h.app, 'POST', '/api/users/bob%40example.test/password', { password: 'bob@example.test' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/users/nobody%40example.test/password', { password: 'new secret phrase' }, a)).statusCode, 404);

    const q = await call(h.app, 'PUT', '/api/users/bob%40example.test/quota', { quotaBytes: 0 }, a);
    assert.equal(q.statusCode, 200);
    assert.deepEqual(q.json(), { address: 'bob@example.test', quotaBytes: 0, usedBytes: 0 });
    assert.equal((await call(h.app, 'PUT', '/api/users/bob%40example.test/quota', { quotaBytes: 'lots' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'PUT', '/api/users/nobody%40example.test/quota', { quotaBytes: 5 }, a)).statusCode, 404);

    assert.equal((await call(h.app, 'DELETE', '/api/users/bob%40example.test', undefined, a)).statusCode, 204);
    assert.equal((await call(h.app, 'DELETE', '/api/users/bob%40example.test', undefined, a)).statusCode, 404);
  });

  it('aliases and catch-all: add, list, remove one target or all', async () => {
    await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, a);
    await call(h.app, 'POST', '/api/users', { address: 'al@example.test', password: PASSWORD }, a);
    await call(h.app, 'POST', '/api/users', { address: 'bo@example.test', password: PASSWORD }, a);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: 'info@example.test', target: 'al@example.test' }, a)).statusCode, 201);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: 'info@example.test', target: 'bo@example.test' }, a)).statusCode, 201);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: '@example.test', target: 'al@example.test' }, a)).statusCode, 201);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: 'al@example.test', target: 'bo@example.test' }, a)).statusCode, 409);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: 'x@other.test', target: 'bo@example.test' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/aliases', { source: 'x@example.test' }, a)).statusCode, 400);
    const list = (await call(h.app, 'GET', '/api/aliases?domain=example.test', undefined, a)).json().aliases as { source: string; targets: string[] }[];
    assert.deepEqual(list.find((x) => x.source === 'info@example.test')?.targets.sort(), ['al@example.test', 'bo@example.test']);
    assert.ok(list.some((x) => x.source === '@example.test'));
    assert.deepEqual(await h.store.resolveRecipient('anything@example.test'), { kind: 'local', accounts: ['al@example.test'] });

    assert.equal((await call(h.app, 'DELETE', '/api/aliases/info%40example.test?target=bo%40example.test', undefined, a)).statusCode, 204);
    assert.deepEqual((await h.store.listAliases()).find((x) => x.source === 'info@example.test')?.targets, ['al@example.test']);
    assert.equal((await call(h.app, 'DELETE', '/api/aliases/%40example.test', undefined, a)).statusCode, 204);
    assert.equal((await call(h.app, 'DELETE', '/api/aliases/%40example.test', undefined, a)).statusCode, 404);
    const domains = (await call(h.app, 'GET', '/api/domains', undefined, a)).json().domains;
    assert.deepEqual(domains, [{ name: 'example.test', accounts: 2, aliases: 1 }]);
  });

  it('DKIM records and rotation; records to create with a zone text', async () => {
    await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, a);
    const dkim = await call(h.app, 'GET', '/api/domains/example.test/dkim', undefined, a);
    assert.equal(dkim.statusCode, 200);
    const rec = dkim.json().records[0] as { selector: string; name: string; txt: string[]; active: boolean };
    assert.equal(rec.name, `${rec.selector}._domainkey.example.test`);
    assert.ok(rec.txt.every((t) => t.length <= 255));
    assert.match(rec.txt.join(''), /v=DKIM1; k=rsa; p=/);

    const records = await call(h.app, 'GET', '/api/domains/example.test/records', undefined, a);
    assert.equal(records.statusCode, 200);
    const body = records.json() as { domain: string; records: { name: string; type: string; value: string }[]; zoneText: string };
    assert.equal(body.domain, 'example.test');
    assert.ok(body.records.some((r) => r.type === 'MX' && r.value.includes('mail.example.test.')));
    assert.ok(body.records.some((r) => r.type === 'TXT' && r.name === `${rec.selector}._domainkey.example.test`), 'DKIM record listed');
    assert.ok(body.records.some((r) => r.type === 'A' && r.value === '203.0.113.7') || !body.records.some((r) => r.type === 'A'));
    assert.match(body.zoneText, /MX/);

    type Rec = { selector: string; active: boolean; state: string };
    const states = (res: { json(): unknown }): Record<string, string> => Object.fromEntries(((res.json() as { records: Rec[] }).records).map((r) => [r.selector, r.state]));
    assert.equal((await call(h.app, 'POST', '/api/domains/example.test/dkim/activate', {}, a)).statusCode, 404, 'nothing waiting yet');
    const rotated = await call(h.app, 'POST', '/api/domains/example.test/dkim/rotate', { selector: 'mar2026' }, a);
    assert.equal(rotated.statusCode, 200);
    assert.deepEqual(states(rotated), { [rec.selector]: 'active', mar2026: 'pending' }, 'the new key waits; the old one signs');
    const withPending = (await call(h.app, 'GET', '/api/domains/example.test/records', undefined, a)).json() as { records: { name: string; type: string }[] };
    assert.ok(withPending.records.some((r) => r.type === 'TXT' && r.name === 'mar2026._domainkey.example.test'), 'the waiting key is among the records to create');
    assert.equal((await call(h.app, 'POST', '/api/domains/example.test/dkim/rotate', { selector: 'bad selector' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/domains/example.test/dkim/rotate', { selector: 'apr2026' }, a)).statusCode, 409, 'one waiting key at a time');
    const activated = await call(h.app, 'POST', '/api/domains/example.test/dkim/activate', {}, a);
    assert.equal(activated.statusCode, 200);
    assert.deepEqual(states(activated), { [rec.selector]: 'retired', mar2026: 'active' });
    assert.equal((await call(h.app, 'POST', '/api/domains/example.test/dkim/rotate', { selector: 'mar2026' }, a)).statusCode, 409);
    assert.equal((await call(h.app, 'DELETE', '/api/domains/example.test/dkim/mar2026', undefined, a)).statusCode, 409, 'the signing key cannot be removed');
    assert.equal((await call(h.app, 'DELETE', '/api/domains/example.test/dkim/nosuch', undefined, a)).statusCode, 404);
    const removed = await call(h.app, 'DELETE', `/api/domains/example.test/dkim/${rec.selector}`, undefined, a);
    assert.equal(removed.statusCode, 200);
    assert.deepEqual(states(removed), { mar2026: 'active' });
    assert.equal((await call(h.app, 'GET', '/api/domains/unknown.test/dkim', undefined, a)).statusCode, 404);
    assert.equal((await call(h.app, 'GET', '/api/domains/unknown.test/records', undefined, a)).statusCode, 404);
  });

  it('client setup per user', async () => {
    await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, a);
    await call(h.app, 'POST', '/api/users', { address: 'al@example.test', password: PASSWORD }, a);
    const res = await call(h.app, 'GET', '/api/users/al%40example.test/client-setup', undefined, a);
    assert.equal(res.statusCode, 200);
    const s = res.json();
    assert.equal(s.username, 'al@example.test');
    assert.deepEqual(s.incoming[0], { protocol: 'imap', host: 'mail.example.test', port: 993, socket: 'SSL' });
    assert.deepEqual(s.outgoing[0], { protocol: 'smtp', host: 'mail.example.test', port: 465, socket: 'SSL' });
    assert.match(s.mobileconfigUrl, /^\/mobileconfig\?emailaddress=al%40example.test$/);
    assert.equal((await call(h.app, 'GET', '/api/users/zz%40example.test/client-setup', undefined, a)).statusCode, 404);
  });
});
