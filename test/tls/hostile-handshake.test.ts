// T22 hostile handshakes: a TLS 1.0 hello, random bytes, an SSLv2-format
// hello and a stalled half hello each cost one connection; the same listener
// then completes a normal handshake, and nothing reaches uncaughtException.
// Run against an implicit-TLS listener and through upgradeToTls (STARTTLS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/certificate-store.js';
import { createHardenedTlsServer, hardenTlsServer, upgradeToTls } from '../../src/tls/tls-harden.js';
import { isMailError } from '../../src/errors.js';
import { tempDir, listen, closeServer, tryHandshake, sendRawUntilClosed, sendThenReset, captureClientHello, sslv2ClientHello, recordingLog } from './tls-test-helpers.js';

const HANDSHAKE_MS = 500;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => {
  uncaught.push(err);
};

let root: { dir: string; cleanup: () => Promise<void> };
let certs: LocalCertificateStore;
let clientHello: Buffer;
const tlsLog = recordingLog();
let tlsServer: TlsServer;
let tlsPort: number;
const upgradeLog = recordingLog();
let plainServer: NetServer;
let plainPort: number;
/** One entry per accepted plain connection: how its upgrade ended. */
const upgrades: Array<Promise<string>> = [];

before(async () => {
  process.on('uncaughtException', onUncaught);
  root = await tempDir();
  certs = await openCertificates({ dir: root.dir, hostname: 'mail.test', addresses: ['127.0.0.1'] });
  clientHello = await captureClientHello();

  tlsServer = createHardenedTlsServer(certs, tlsLog, (s) => s.end('hello\r\n'), { handshakeTimeout: HANDSHAKE_MS });
  tlsPort = await listen(tlsServer);

  // A stand-in for an IMAP/POP3 session right after "OK Begin TLS negotiation".
  plainServer = hardenTlsServer(createNetServer(), upgradeLog);
  plainServer.on('connection', (socket: Socket) => {
    upgrades.push(
      upgradeToTls(socket, certs, upgradeLog, { handshakeTimeoutMs: HANDSHAKE_MS }).then(
        (secure) => {
          secure.end('hello\r\n');
          return 'secure';
        },
        (err: unknown) => (isMailError(err) ? `rejected:${err.kind}` : `rejected:${(err as NodeJS.ErrnoException).code ?? 'error'}`),
      ),
    );
  });
  plainPort = await listen(plainServer);
});

after(async () => {
  certs.close();
  await Promise.all([closeServer(tlsServer), closeServer(plainServer)]);
  await root.cleanup();
  process.off('uncaughtException', onUncaught);
  assert.deepEqual(uncaught, []);
});

const tls10 = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0', servername: 'localhost' } as const;

/** The listener still serves a normal client, verified against our CA. */
async function assertStillServes(port: number): Promise<void> {
  const r = await tryHandshake(port, { ca: certs.caPem(), rejectUnauthorized: true, servername: 'localhost' });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.authorized, true);
}

// `quiet`: the client leaves before the server can answer, so only the STARTTLS
// path (which reports each connection's outcome) can wait for the server's view.
const cases: Array<{ name: string; probe: (port: number) => Promise<unknown>; timeout?: boolean; quiet?: boolean }> = [
  { name: 'a TLS 1.0 ClientHello', probe: (p) => tryHandshake(p, tls10).then((r) => assert.equal(r.ok, false)) },
  { name: '300 random bytes', probe: (p) => sendRawUntilClosed(p, randomBytes(300)) },
  { name: 'an SSLv2-format ClientHello (TLS 1.0)', probe: (p) => sendRawUntilClosed(p, sslv2ClientHello(0x0301)) },
  { name: 'an SSLv2-format ClientHello (SSL 2.0)', probe: (p) => sendRawUntilClosed(p, sslv2ClientHello(0x0002)) },
  { name: 'a stalled half ClientHello', probe: (p) => sendRawUntilClosed(p, clientHello.subarray(0, clientHello.length >> 1)), timeout: true },
  { name: 'a reset in mid-handshake', probe: (p) => sendThenReset(p, clientHello.subarray(0, 20)), quiet: true },
];

for (const c of cases) {
  test(`implicit TLS survives ${c.name}`, { timeout: 30_000 }, async () => {
    const failuresBefore = tlsLog.entries.filter((e) => e.msg === 'tls: handshake failed').length;
    await c.probe(tlsPort);
    const failures = tlsLog.entries.filter((e) => e.msg === 'tls: handshake failed');
    if (!c.quiet) assert.ok(failures.length > failuresBefore, 'the server logged the failed handshake');
    if (c.timeout) assert.equal((failures.at(-1)?.obj.err as { code?: string } | undefined)?.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    await assertStillServes(tlsPort);
  });
}

for (const c of cases) {
  test(`STARTTLS upgrade survives ${c.name}`, { timeout: 30_000 }, async () => {
    const index = upgrades.length;
    await c.probe(plainPort);
    const outcome = await upgrades[index];
    assert.match(outcome ?? 'no connection', /^rejected:/);
    if (c.timeout) assert.equal(outcome, 'rejected:limit');
    await assertStillServes(plainPort);
    assert.equal(await upgrades[index + 1], 'secure');
  });
}

test('the handshake deadline closes a silent client without any bytes sent', { timeout: 30_000 }, async () => {
  const index = upgrades.length;
  const reply = await sendRawUntilClosed(plainPort, Buffer.alloc(0));
  assert.equal(reply.length, 0);
  assert.equal(await upgrades[index], 'rejected:limit');
});

test('upgradeToTls refuses a socket that is already closed', async () => {
  const dead = new (await import('node:net')).Socket();
  dead.destroy();
  await assert.rejects(upgradeToTls(dead, certs, upgradeLog), (err) => isMailError(err, 'invalid'));
});
