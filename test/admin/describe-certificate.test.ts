import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeCertificate } from '../../src/admin/routes-certs-settings.js';

const run = promisify(execFile);

test('a certificate with an empty subject (current ACME profiles: names only in the SAN) is described, not a 500', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lb-cert-'));
  try {
    const cert = join(dir, 'c.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', cert, '-days', '2', '-subj', '/', '-addext', 'subjectAltName=DNS:mail.example.test']);
    const d = describeCertificate(await readFile(cert, 'utf8'), 'acme');
    assert.equal(d.subject, '');
    assert.equal(d.issuer, '');
    assert.deepEqual(d.names, ['mail.example.test']);
    assert.equal(d.source, 'acme');
    assert.ok(d.notAfter > d.notBefore);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
