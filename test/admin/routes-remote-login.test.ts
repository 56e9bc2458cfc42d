import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, claim, removeSharedCerts, startHarness, type Harness } from './admin-harness.js';

after(removeSharedCerts);

/** A fresh OpenSSH ed25519 public key line (RFC 8709 §4 blob: string type, string key). */
function edKey(comment = 'owner@laptop'): string {
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]).toString('base64')}${comment ? ` ${comment}` : ''}`;
}

const requestFile = (h: Harness): string => join(h.dataDir, 'system/ssh-request');

describe('remote login (SSH) API', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('needs a session and the CSRF token', async () => {
    h = await startHarness({ sshSupported: true });
    const a = await claim(h);
    assert.equal((await call(h.app, 'GET', '/api/remote-login')).statusCode, 401);
    assert.equal((await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [edKey()] })).statusCode, 401);
    const noCsrf = await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [edKey()] }, { cookie: a.cookie, csrf: 'wrong' });
    assert.equal(noCsrf.statusCode, 403);
    const crossSite = await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [edKey()] }, a, { origin: 'https://evil.example' });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(existsSync(requestFile(h)), false);
  });

  it('writes the request for the firmware: exact lines, mode 0600, no temp file left', async () => {
    h = await startHarness({ sshSupported: true });
    const a = await claim(h);
    const k1 = edKey();
    const k2 = edKey('');
    const res = await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [`  ${k1}  `, k2, k1] }, a);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { supported: true, enabled: true, authorizedKeys: [k1, k2], pending: true, applied: null });
    assert.equal(
      await readFile(requestFile(h), 'utf8'),
      `# Written by the Letterbox admin page; applied by letterbox-ssh-request.\nssh=on\nssh_authorized_key=${k1}\nssh_authorized_key=${k2}\n`,
    );
    assert.equal((await stat(requestFile(h))).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(h.dataDir, 'system')), ['ssh-request']);

    const off = await call(h.app, 'PUT', '/api/remote-login', { enabled: false, authorizedKeys: [] }, a);
    assert.equal(off.statusCode, 200);
    assert.equal(await readFile(requestFile(h), 'utf8'), '# Written by the Letterbox admin page; applied by letterbox-ssh-request.\nssh=off\n');
  });

  it('refuses bad keys, options, passwords and switching on without a key (400, nothing written)', async () => {
    h = await startHarness({ sshSupported: true });
    const a = await claim(h);
    const k = edKey();
    const [type, blob] = k.split(' ') as [string, string];
    const bad: unknown[] = [
      { enabled: true, authorizedKeys: [] },
      { enabled: true, authorizedKeys: [`command="rm -rf /" ${k}`] },
      { enabled: true, authorizedKeys: [`from="10.0.0.1" ${k}`] },
      { enabled: true, authorizedKeys: [`${k}\nssh-ed25519 ${blob}`] },
      { enabled: true, authorizedKeys: [`${k} $(reboot)`] },
      { enabled: true, authorizedKeys: [`${k};touch /tmp/x`] },
      { enabled: true, authorizedKeys: [`ssh-dss ${blob}`] },
      { enabled: true, authorizedKeys: [`ssh-rsa ${blob}`] }, // an ed25519 blob under another type
      { enabled: true, authorizedKeys: [`${type} !!notbase64!!`] },
      { enabled: true, authorizedKeys: ['hunter2'] },
      { enabled: true, authorizedKeys: [k], password: 'hunter2' },
      { enabled: true },
      { authorizedKeys: [k] },
      { enabled: 'maybe', authorizedKeys: [k] },
      { enabled: true, authorizedKeys: Array.from({ length: 40 }, () => k) },
    ];
    for (const body of bad) {
      const res = await call(h.app, 'PUT', '/api/remote-login', body, a);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 120)} -> ${res.statusCode} ${res.body}`);
      assert.equal(res.json().error.code, 'bad_request');
      assert.equal(existsSync(requestFile(h)), false, JSON.stringify(body).slice(0, 120));
    }
  });

  it('outside the appliance says supported:false, still validates, and writes nothing', async () => {
    h = await startHarness({ sshSupported: false });
    const a = await claim(h);
    const got = await call(h.app, 'GET', '/api/remote-login', undefined, a);
    assert.deepEqual(got.json(), { supported: false, enabled: false, authorizedKeys: [], pending: false, applied: null });
    assert.equal((await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [] }, a)).statusCode, 400);
    const res = await call(h.app, 'PUT', '/api/remote-login', { enabled: true, authorizedKeys: [edKey()] }, a);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().supported, false);
    assert.equal(existsSync(join(h.dataDir, 'system')), false);
  });

  it('shows what the firmware applied once it has taken the request', async () => {
    h = await startHarness({ sshSupported: true });
    const a = await claim(h);
    const k = edKey();
    await mkdir(join(h.dataDir, 'system'), { recursive: true });
    await writeFile(
      join(h.dataDir, 'system/ssh-state'),
      `# Written by letterbox-ssh-request; read by the admin page.\nssh=on\nactive=active\nresult=applied\nat=2026-11-26T10:00:00Z\nhost_key=SHA256:abc\nssh_authorized_key=${k}\nssh_authorized_key=command="x" ${k}\n`,
    );
    const res = await call(h.app, 'GET', '/api/remote-login', undefined, a);
    assert.deepEqual(res.json(), {
      supported: true,
      enabled: true,
      authorizedKeys: [k],
      pending: false,
      applied: { enabled: true, active: 'active', result: 'applied', at: '2026-11-26T10:00:00Z', hostKey: 'SHA256:abc', authorizedKeys: [k] },
    });
  });
});
