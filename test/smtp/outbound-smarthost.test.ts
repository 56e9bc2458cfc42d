// Smarthost delivery: a relay (smtp-server with our own CA's certificate)
// that requires AUTH over TLS, by STARTTLS and by implicit TLS, for all mail
// or for one destination domain. The relay's certificate is verified, and
// credentials never travel before TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { openCertificates } from '../../src/tls/index.js';
import type { CertificateStore } from '../../src/tls/types.js';
import { startOutboundHarness, message } from './outbound-harness.js';

interface Relay {
  port: number;
  logins: { user: string; secure: boolean }[];
  received: { from: string; to: string[]; data: string }[];
  close(): Promise<void>;
}

let dir: string;
let certs: CertificateStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'letterbox-relay-'));
  certs = await openCertificates({ dir, hostname: 'relay.test', addresses: ['127.0.0.1'] });
});
after(async () => {
  certs.close();
  await rm(dir, { recursive: true, force: true });
});

async function startRelay(implicit: boolean): Promise<Relay> {
  const relay = { logins: [], received: [] } as unknown as Relay;
  const server = new SMTPServer({
    ...certs.tlsOptions(),
    secure: implicit,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, cb) {
      relay.logins.push({ user: auth.username ?? '', secure: session.secure });
      if (auth.username === 'box' && auth.password === 'relay-secret') cb(null, { user: 'box' });
      else cb(new Error('535 bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        relay.received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('latin1') });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.port = (server.server.address() as { port: number }).port;
  relay.close = () => new Promise((resolve) => server.close(() => resolve()));
  return relay;
}

for (const tls of ['starttls', 'implicit'] as const) {
  test(`all mail through a smarthost with AUTH over ${tls} TLS`, async () => {
    const relay = await startRelay(tls === 'implicit');
    const h = await startOutboundHarness({
      trustedCa: [certs.caPem()],
      settings: { relay: { host: '127.0.0.1', port: relay.port, tls, username: 'box', password: 'relay-secret' } },
    });
    try {
      await h.send(['carol@example.net', 'dave@elsewhere.example'], message('via relay'));
      await h.queue.kick();
      assert.equal(relay.received.length, 1);
      assert.deepEqual(relay.received[0]!.to.sort(), ['carol@example.net', 'dave@elsewhere.example'], 'both domains in one transaction');
      assert.deepEqual(relay.logins, [{ user: 'box', secure: true }], 'logged in once, over TLS');
      assert.match(relay.received[0]!.data, /^DKIM-Signature: /);
      assert.equal(h.capture.connections, 0, 'no direct MX delivery');
      assert.deepEqual(await h.sub.store.listQueue(), []);
    } finally {
      await h.close();
      await relay.close();
    }
  });
}

test('a smarthost for one destination domain only; other domains go to their MX', async () => {
  const relay = await startRelay(false);
  const h = await startOutboundHarness({ trustedCa: [certs.caPem()] });
  try {
    await h.sub.store.putSetting('outbound', { relayDomains: { 'relayed.example': { host: '127.0.0.1', port: relay.port, tls: 'starttls', username: 'box', password: 'relay-secret' } } });
    await h.send(['x@relayed.example', 'carol@example.net'], message('split'));
    await h.queue.kick();
    assert.deepEqual(relay.received.map((r) => r.to), [['x@relayed.example']]);
    assert.deepEqual(h.capture.transactions.map((t) => t.to), [['carol@example.net']]);
  } finally {
    await h.close();
    await relay.close();
  }
});

test('wrong relay credentials or an untrusted relay certificate: the message stays queued (4xx), nothing bounces', async () => {
  const relay = await startRelay(false);
  const h = await startOutboundHarness({ settings: { relay: { host: '127.0.0.1', port: relay.port, tls: 'starttls', username: 'box', password: 'wrong' } }, trustedCa: [certs.caPem()] });
  try {
    await h.send(['carol@example.net'], message('bad creds'));
    await h.queue.kick();
    let [entry] = await h.sub.store.listQueue();
    assert.equal(entry?.recipients[0]?.state, 'pending');
    assert.equal(relay.received.length, 0);
    // Without our CA the relay's certificate is not trusted: no login is even attempted.
    await h.queue.close();
    await h.sub.store.putSetting('outbound', { relay: { host: '127.0.0.1', port: relay.port, tls: 'starttls', username: 'box', password: 'relay-secret' } });
    const logins = relay.logins.length;
    const { startOutboundQueue } = await import('../../src/smtp/outbound/queue-runner.js');
    const pino = (await import('pino')).default;
    h.queue = startOutboundQueue({ store: h.sub.store, log: pino({ level: 'silent' }), hostname: 'mail.test', resolver: h.resolver, now: () => h.clock.now, mxPort: h.capture.port });
    h.advance(60 * 60_000);
    await h.queue.kick();
    [entry] = await h.sub.store.listQueue();
    assert.equal(entry?.recipients[0]?.state, 'pending');
    assert.equal(relay.logins.length, logins);
    const inbox = await h.sub.inbox('alice@mail.test');
    assert.equal(inbox.filter((b) => b.includes('Mail Delivery System')).length, 0);
  } finally {
    await h.close();
    await relay.close();
  }
});
