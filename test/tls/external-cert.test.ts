import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type AddressInfo } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { MailError } from '../../src/errors.js';
import { openCertificates } from '../../src/tls/index.js';

/** The leaf a TLS server built from `tlsOptions()` serves right now. */
async function servedFingerprint(options: import('node:tls').TlsOptions, ca: string): Promise<string> {
  const server = createServer((raw) => {
    const s = new TLSSocket(raw, { ...options, isServer: true });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const c = tlsConnect({ socket: connect(port, '127.0.0.1'), servername: 'mail.example.test', ca }, () => {
        resolve(c.getPeerX509Certificate()?.fingerprint256 ?? '');
        c.end();
      });
      c.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('external certificates in the certificate store', () => {
  it('installs an imported chain in every listener, keeps it across restarts, refuses a foreign key, and goes back to local', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lb-ext-'));
    const otherDir = await mkdtemp(join(tmpdir(), 'lb-ext-other-'));
    try {
      const certs = await openCertificates({ dir, hostname: 'mail.example.test', addresses: ['127.0.0.1'] });
      const other = await openCertificates({ dir: otherDir, hostname: 'mail.example.test', addresses: ['127.0.0.1'] });
      const foreign = other.serverPem();
      const options = certs.tlsOptions();
      let renewed = 0;
      certs.onRenewed(() => renewed++);
      assert.equal(certs.source(), 'local');

      await assert.rejects(certs.installExternal(foreign.cert, certs.serverPem().key, 'imported'), (e: unknown) => e instanceof MailError && e.kind === 'invalid');
      await assert.rejects(certs.installExternal('junk', foreign.key, 'imported'), MailError);
      assert.equal(certs.source(), 'local');
      assert.equal(renewed, 0);

      await certs.installExternal(foreign.cert, foreign.key, 'imported');
      assert.equal(certs.source(), 'imported');
      assert.equal(renewed, 1);
      assert.equal(certs.serverPem().key, foreign.key);
      const leaf = new X509Certificate(foreign.cert);
      // A listener made before the switch serves the new certificate (SNI callback).
      assert.equal(await servedFingerprint(options, other.caPem()), leaf.fingerprint256);
      assert.equal((await stat(join(dir, 'external.key'))).mode & 0o777, 0o600);
      certs.close();

      const reopened = await openCertificates({ dir, hostname: 'mail.example.test', addresses: ['127.0.0.1'] });
      assert.equal(reopened.source(), 'imported');
      assert.equal(new X509Certificate(reopened.serverPem().cert).fingerprint256, leaf.fingerprint256);
      await reopened.useLocal();
      assert.equal(reopened.source(), 'local');
      assert.equal(await servedFingerprint(reopened.tlsOptions(), reopened.caPem()), new X509Certificate(reopened.serverPem().cert).fingerprint256);
      reopened.close();
      const third = await openCertificates({ dir, hostname: 'mail.example.test', addresses: ['127.0.0.1'] });
      assert.equal(third.source(), 'local');
      third.close();
      other.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
