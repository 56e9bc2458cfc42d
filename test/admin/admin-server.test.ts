import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { main } from '../../src/cli/main.js';
import { createAdminDnsCheck, readAdminAccount, startAdminServer, startAdminService, type AdminServer } from '../../src/admin/index.js';
import { writeAdminAccount } from '../../src/admin/admin-account.js';
import { openStore } from '../../src/store/index.js';
import { HOST, removeSharedCerts, startHarness } from './admin-harness.js';

after(removeSharedCerts);

function get(url: string, options: { ca?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = fn(url, { headers: options.host ? { host: options.host } : {}, ...(options.ca ? { ca: options.ca, servername: HOST } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startAdminServer', () => {
  it('serves HTTPS with our certificate (HTTP/1.1 only) and a port-80 listener that redirects and answers public paths', async () => {
    const h = await startHarness();
    let server: AdminServer | undefined;
    try {
      server = await startAdminServer({
        ...h.options,
        certs: h.certs,
        listen: { host: '127.0.0.1', port: 0 },
        config: { ...h.options.config, admin: { ...h.options.config.admin, httpListen: { host: '127.0.0.1', port: 0 } } },
      });
      const port = Number(server.address.split(':').pop());
      const httpPort = Number(server.httpAddress?.split(':').pop());
      const status = await get(`https://127.0.0.1:${port}/api/status`, { ca: h.certs.caPem(), host: HOST });
      assert.equal(status.status, 200);
      assert.equal(JSON.parse(status.body).claimed, false);
      assert.match(String(status.headers['content-security-policy']), /frame-ancestors 'none'/);

      const alpn = await new Promise<string | false>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: h.certs.caPem(), servername: HOST, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
          resolve(s.alpnProtocol ?? false);
          s.end();
        });
        s.on('error', reject);
      });
      assert.equal(alpn, 'http/1.1');

      const redirect = await get(`http://127.0.0.1:${httpPort}/users?x=1`, { host: `${HOST}` });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.location, `https://${HOST}:${port}/users?x=1`);
      const foreign = await get(`http://127.0.0.1:${httpPort}//evil.example/`, { host: 'evil.example' });
      assert.equal(foreign.headers.location, `https://${HOST}:${port}/`, 'never redirects to a foreign name');
      const autoconfig = await get(`http://127.0.0.1:${httpPort}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=a%40example.test`, { host: 'autoconfig.example.test' });
      assert.equal(autoconfig.status, 200);
      assert.match(autoconfig.body, /<clientConfig/);
      const acme = await get(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/tok`, { host: HOST });
      assert.equal(acme.status, 404);
    } finally {
      await server?.close();
      await h.close();
    }
  });
});

describe('startAdminService', () => {
  it('makes the setup token on first start, samples health, serves HTTPS, and closes cleanly', async () => {
    const h = await startHarness();
    const service = await startAdminService({
      store: h.store,
      certs: h.certs,
      throttle: h.throttle,
      config: h.options.config,
      log: h.options.log,
      dataDir: h.dataDir,
      listen: { host: '127.0.0.1', port: 0 },
      dnsCheck: createAdminDnsCheck({ dataDir: h.dataDir, config: { hostname: HOST }, run: async () => { throw new Error('not in this test'); } }),
      services: () => ({ smtp: '127.0.0.1:25' }),
    });
    try {
      assert.equal(service.setupToken?.created, true);
      assert.equal((await readFile(join(h.dataDir, 'setup-token'), 'utf8')).trim(), service.setupToken?.token);
      const port = Number(service.address.split(':').pop());
      const res = await get(`https://127.0.0.1:${port}/api/status`, { ca: h.certs.caPem(), host: HOST });
      assert.equal(JSON.parse(res.body).setup, 'open');
      service.counters.noteSent(3);
    } finally {
      await service.close();
      await service.close();
    }
    assert.equal(((await h.store.getSetting('admin.counters')) as { sent: number }).sent, 3);
    let stored = 0;
    for (let hour = 0; hour < 24; hour++) if (await h.store.getSetting(`system.health.${String(hour).padStart(2, '0')}`)) stored++;
    assert.equal(stored, 1, 'the first sample is saved on close');
    await h.close();
  });
});

describe('letterbox admin reset-claim', () => {
  it('removes the admin account and prints a new setup token; refuses while the store is in use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-reset-'));
    try {
      let store = await openStore({ dir });
      await writeAdminAccount(store, { username: 'owner', passwordHash: '$scrypt$x', createdAt: 1, passwordChangedAt: 1 });
      let out = '';
      let err = '';
      const io = {
        stdin: process.stdin,
        stdout: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }),
        stderr: new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) }),
      };
      assert.equal(await main(['admin', 'reset-claim', '--data', dir], io), 1, 'store held by a running server');
      assert.match(err, /Stop the server first/);
      await store.close();

      assert.equal(await main(['admin', 'reset-claim', '--data', dir], io), 0, err);
      const token = (await readFile(join(dir, 'setup-token'), 'utf8')).trim();
      assert.ok(out.includes(token));
      assert.match(out, /"owner" was removed/);
      store = await openStore({ dir });
      assert.equal(await readAdminAccount(store), null);
      await store.close();

      out = '';
      assert.equal(await main(['admin', 'setup-token', '--data', dir], io), 0);
      assert.equal(out.trim(), token);
      assert.equal(await main(['admin', 'frobnicate', '--data', dir], io), 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
