import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import pino from 'pino';
import { createAcmeManager, startAdminServer, type AcmeManager, type AdminServer } from '../../src/admin/index.js';
import { call, claim, HOST, removeSharedCerts, startHarness, type Harness } from './admin-harness.js';
import { freePort, startPebble, type Pebble } from './pebble-harness.js';

/** The leaf the admin HTTPS listener serves to a client asking for HOST. */
function servedLeaf(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: HOST, ca }, () => {
      const cert = s.getPeerX509Certificate();
      s.end();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    s.on('error', reject);
  });
}

describe('ACME against Pebble', () => {
  let pebble: Pebble;
  before(async () => {
    pebble = await startPebble();
  });
  after(async () => {
    await pebble?.stop();
    await removeSharedCerts();
  });

  it('obtains a certificate over HTTP-01 on the port-80 listener and hot-reloads it into the HTTPS listener', async () => {
    const h: Harness = await startHarness();
    let server: AdminServer | undefined;
    let manager: AcmeManager | undefined;
    try {
      manager = createAcmeManager({ store: h.store, certs: h.certs, hostname: HOST, log: pino({ level: 'silent' }), httpsAgent: pebble.agent, now: () => h.clock.t });
      server = await startAdminServer({
        ...h.options,
        acme: manager,
        certs: h.certs,
        listen: { host: '127.0.0.1', port: 0 },
        config: { ...h.options.config, admin: { ...h.options.config.admin, httpListen: { host: '127.0.0.1', port: pebble.httpPort } } },
      });
      const port = Number(server.address.split(':').pop());
      const before = await servedLeaf(port, h.certs.caPem());
      assert.ok(before.checkIssued(new X509Certificate(h.certs.caPem())), 'our own certificate first');

      const a = await claim({ ...h, app: server.app });
      const off = await call(server.app, 'GET', '/api/acme', undefined, a);
      assert.equal(off.json().state, 'off');
      assert.equal((await call(server.app, 'PUT', '/api/acme', { enabled: true, agreeTos: false }, a)).statusCode, 400);
      const on = await call(server.app, 'PUT', '/api/acme', { enabled: true, agreeTos: true, email: 'owner@example.test', directoryUrl: pebble.directoryUrl }, a);
      assert.equal(on.statusCode, 200, on.body);
      assert.equal(on.json().state, 'idle');

      const status = await manager.runOnce(true);
      assert.equal(status.lastError, null, String(status.lastError));
      assert.equal(status.state, 'valid');
      assert.equal(h.certs.source(), 'acme');
      assert.ok(status.notAfter && status.nextRenewalAt && status.nextRenewalAt === status.notAfter - 30 * 86_400_000);

      // The running listener now serves Pebble's certificate, which chains to Pebble's root.
      const root = await pebble.root();
      const chain = h.certs.serverPem().cert;
      const leaf = await servedLeaf(port, `${root}\n${chain}`);
      assert.equal(leaf.fingerprint256, new X509Certificate(chain).fingerprint256);
      assert.match(leaf.subjectAltName ?? '', new RegExp(`DNS:${HOST.replace(/\./g, '\\.')}`));
      assert.notEqual(leaf.fingerprint256, before.fingerprint256);
      const page = (await call(server.app, 'GET', '/api/certificates', undefined, a)).json();
      assert.equal(page.current.source, 'acme');
      assert.equal(page.acme.state, 'valid');

      // Not due for renewal: a normal check does nothing.
      const again = await manager.runOnce();
      assert.equal(again.lastAttemptAt, status.lastAttemptAt);
      // 31 days before expiry it renews.
      h.clock.t = (status.notAfter as number) - 29 * 86_400_000;
      const renewed = await manager.runOnce();
      assert.notEqual(renewed.lastAttemptAt, status.lastAttemptAt);
      assert.equal(renewed.lastError, null);
    } finally {
      manager?.close();
      await server?.close();
      await h.certs.useLocal(); // the certificate directory is shared by this file's tests
      await h.close();
    }
  });

  it('falls back to our own certificate and shows the error when the CA cannot be reached', async () => {
    const h = await startHarness();
    const manager = createAcmeManager({ store: h.store, certs: h.certs, hostname: HOST, log: pino({ level: 'silent' }), httpsAgent: pebble.agent });
    try {
      await manager.configure({ enabled: true, agreeTos: true, directoryUrl: `https://127.0.0.1:${await freePort()}/dir` });
      const status = await manager.runOnce(true);
      assert.equal(status.state, 'failed');
      assert.match(String(status.lastError), /ECONNREFUSED|connect/i);
      assert.equal(h.certs.source(), 'local');
    } finally {
      manager.close();
      await h.close();
    }
  });
});
