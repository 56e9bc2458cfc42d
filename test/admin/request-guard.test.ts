import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { call, claim, HOST, removeSharedCerts, startHarness, type Auth, type Harness } from './admin-harness.js';

after(removeSharedCerts);

/** Every (method, path) of the app, from `printRoutes()`'s tree. */
function enumerateRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const stack: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false, method: method as 'GET' }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+)/.exec(line);
      if (!m) continue;
      const depth = (m[1] as string).length / 4;
      stack.length = depth;
      stack.push(m[2] as string);
      out.push({ method, path: stack.join('') });
    }
  }
  return out;
}

/** Routes that answer without a session (T78 allowlist), and which may do so to anyone. */
const OPEN = new Set(['GET /api/status', 'POST /api/setup', 'POST /api/login', 'GET /*', 'GET *']);
const PUBLIC = new Set([
  'GET /.well-known/autoconfig/mail/config-v1.1.xml',
  'GET /mail/config-v1.1.xml',
  'GET /autodiscover/autodiscover.xml',
  'POST /autodiscover/autodiscover.xml',
  'GET /Autodiscover/Autodiscover.xml',
  'POST /Autodiscover/Autodiscover.xml',
  'GET /mobileconfig',
  'GET /ca.crt',
  'GET /.well-known/acme-challenge/:token',
]);

function concrete(path: string): string {
  return path.replace(':token', 'abc').replace(':address', 'a%40example.test').replace(':name', 'example.test').replace(':source', '%40example.test').replace(':id', '0123456789abcdef0123').replace(/\*$/, 'x');
}

describe('request guard', () => {
  let h: Harness;
  let owner: Auth;
  beforeEach(async () => {
    h = await startHarness();
    owner = await claim(h);
    const www = join(h.dataDir, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'index.html'), '<!doctype html><title>Letterbox</title><script src="app.js"></script>');
    await writeFile(join(www, 'app.js'), 'console.log(1)');
    await writeFile(join(www, '.secret'), 'no');
  });
  afterEach(() => h.close());

  it('T78: every route without a session answers 401/403 except the explicit allowlist', async () => {
    const routes = enumerateRoutes(h.app);
    assert.ok(routes.length > 40, `found ${routes.length} routes`);
    const seen = new Set<string>();
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      seen.add(key);
      const res = await call(h.app, method as 'GET', concrete(path), method === 'GET' || method === 'DELETE' ? undefined : {});
      if (OPEN.has(key) || PUBLIC.has(key)) {
        assert.notEqual(res.statusCode, 401, key);
        continue;
      }
      assert.ok([401, 403].includes(res.statusCode), `${key} answered ${res.statusCode} without a session`);
      assert.doesNotMatch(res.body, /at .*\.js:\d+/, 'no stack traces');
    }
    for (const key of ['POST /api/domains', 'DELETE /api/users/:address', 'POST /api/queue/:id/retry', 'GET /api/logs']) assert.ok(seen.has(key), key);
  });

  it('T78: security headers on every answer, no X-Powered-By, no-store on API answers', async () => {
    const answers = [
      await call(h.app, 'GET', '/api/domains', undefined, owner),
      await call(h.app, 'GET', '/api/domains'),
      await call(h.app, 'GET', '/'),
      await call(h.app, 'GET', '/app.js'),
      await call(h.app, 'GET', '/nope.js'),
      await call(h.app, 'GET', '/mobileconfig?emailaddress=a%40example.test'),
      await call(h.app, 'GET', '/', undefined, undefined, { host: 'evil.example' }),
      await call(h.app, 'POST', '/api/login', 'not json'),
    ];
    for (const res of answers) {
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    }
    assert.equal(answers[0]?.headers['cache-control'], 'no-store');
    assert.equal(answers[1]?.headers['cache-control'], 'no-store');
  });

  it('T77: foreign Host names get 421 before any handler, with or without a session', async () => {
    for (const host of ['evil.example', 'mail.example.test.evil.example', 'evil.example:8443', '[2001:db8::1]']) {
      assert.equal((await call(h.app, 'GET', '/', undefined, undefined, { host })).statusCode, 421, host);
      const withSession = await call(h.app, 'POST', '/api/domains', { name: 'rebind.test' }, owner, { host });
      assert.equal(withSession.statusCode, 421);
    }
    assert.deepEqual(await h.store.listDomains(), []);
    for (const host of [HOST, `${HOST}:8443`, 'mail.local', 'localhost:8443', '127.0.0.1:8443', '192.168.1.10', '[::1]:8443', 'MAIL.EXAMPLE.TEST.']) {
      assert.equal((await call(h.app, 'GET', '/api/session', undefined, owner, { host })).statusCode, 200, host);
    }
    const evilOrigin = await call(h.app, 'GET', '/api/domains', undefined, owner, { origin: 'https://evil.example' });
    assert.equal(evilOrigin.statusCode, 403);
    assert.equal(evilOrigin.headers['access-control-allow-origin'], undefined);
  });

  it('T76: cross-site requests, missing CSRF tokens and non-JSON bodies are refused and change nothing', async () => {
    const crossSite = await h.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { host: HOST, cookie: owner.cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    assert.equal(crossSite.statusCode, 403);
    const sameSite = await call(h.app, 'POST', '/api/domains', { name: 'a.test' }, owner, { 'sec-fetch-site': 'same-site' });
    assert.equal(sameSite.statusCode, 403);
    const noToken = await call(h.app, 'POST', '/api/domains', { name: 'a.test' }, { cookie: owner.cookie, csrf: '' });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json().error.code, 'csrf');
    const wrongToken = await call(h.app, 'POST', '/api/domains', { name: 'a.test' }, { cookie: owner.cookie, csrf: 'x'.repeat(43) });
    assert.equal(wrongToken.statusCode, 403);
    const textPlain = await call(h.app, 'POST', '/api/domains', JSON.stringify({ name: 'a.test' }), owner, { 'content-type': 'text/plain' });
    assert.equal(textPlain.statusCode, 415);
    const form = await call(h.app, 'POST', '/api/domains', 'name=a.test', owner, { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.statusCode, 415);
    assert.deepEqual(await h.store.listDomains(), []);
    const ok = await call(h.app, 'POST', '/api/domains', { name: 'a.test' }, owner, { origin: `https://${HOST}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(ok.statusCode, 201);
  });

  it('T76: GET routes never change state', async () => {
    await call(h.app, 'POST', '/api/domains', { name: 'example.test' }, owner);
    const before = JSON.stringify([await h.store.listDomains(), await h.store.listAccounts(), await h.store.listAliases(), await h.store.listQueue()]);
    for (const { method, path } of enumerateRoutes(h.app)) {
      if (method !== 'GET' || path.includes('dkim') || path.includes('records')) continue;
      await call(h.app, 'GET', concrete(path), undefined, owner);
    }
    const after = JSON.stringify([await h.store.listDomains(), await h.store.listAccounts(), await h.store.listAliases(), await h.store.listQueue()]);
    assert.equal(after, before);
  });

  it('answers only LAN clients on admin routes, everyone on public ones', async () => {
    const fromWan = (url: string) => h.app.inject({ method: 'GET', url, remoteAddress: '203.0.113.50', headers: { host: HOST } });
    assert.equal((await fromWan('/')).statusCode, 403);
    assert.equal((await fromWan('/api/status')).statusCode, 403);
    assert.equal((await fromWan('/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=a%40example.test')).statusCode, 200);
    assert.equal((await fromWan('/ca.crt')).statusCode, 200);
    for (const ip of ['10.1.2.3', '172.20.0.1', '192.168.0.9', '169.254.3.4', 'fe80::1', 'fd00::5', '::ffff:192.168.1.4', '::1']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/status', remoteAddress: ip, headers: { host: HOST } });
      assert.equal(res.statusCode, 200, ip);
    }
    for (const ip of ['8.8.8.8', '100.64.0.1', '2001:db8::1', '::ffff:8.8.8.8']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/status', remoteAddress: ip, headers: { host: HOST } });
      assert.equal(res.statusCode, 403, ip);
    }
  });

  it('serves the page without a session, never dot-files or paths outside the directory', async () => {
    const index = await call(h.app, 'GET', '/');
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /text\/html/);
    assert.equal((await call(h.app, 'GET', '/users')).statusCode, 200, 'client-side route falls back to index.html');
    assert.match(String((await call(h.app, 'GET', '/app.js')).headers['content-type']), /javascript/);
    for (const url of ['/.secret', '/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/a/%00', '/%5c..%5cpackage.json']) {
      const res = await call(h.app, 'GET', url);
      assert.ok([400, 404].includes(res.statusCode), `${url} → ${res.statusCode}`);
      assert.doesNotMatch(res.body, /letterbox|"name"/);
    }
  });

  it('T64: hostile names never come back unescaped in public XML', async () => {
    const res = await call(h.app, 'GET', `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent('<script>@example.test')}`);
    assert.equal(res.statusCode, 400);
    const post = await h.app.inject({
      method: 'POST',
      url: '/autodiscover/autodiscover.xml',
      headers: { host: 'autodiscover.example.test', 'content-type': 'text/xml' },
      payload: '<Autodiscover><Request><EMailAddress>a&amp;&lt;b@example.test</EMailAddress></Request></Autodiscover>',
    });
    assert.ok(post.statusCode === 400 || !/<b@/.test(post.body), post.body);
  });
});
