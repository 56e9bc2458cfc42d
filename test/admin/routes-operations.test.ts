import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { indexMessage } from '../../src/mime/index.js';
import { readOutboundSettings } from '../../src/smtp/outbound/settings.js';
import { call, claim, login, PASSWORD, removeSharedCerts, startHarness, type Auth, type Harness } from './admin-harness.js';

after(removeSharedCerts);

async function queueOne(h: Harness): Promise<string> {
  const raw = Buffer.from('From: a@example.test\r\nTo: b@remote.test\r\nSubject: hi\r\n\r\nbody\r\n');
  const w = h.store.createBlob();
  await w.write(raw);
  const { blobId } = await w.commit();
  const res = await h.store.queueTransaction({ add: [{ blobId, index: indexMessage(raw), sender: 'a@example.test', recipients: ['b@remote.test'], createdAt: h.clock.t, nextAttemptAt: h.clock.t + 3_600_000 }] });
  return (res.added[0] as { id: string }).id;
}

describe('dashboard, health, logs', () => {
  let h: Harness;
  let a: Auth;
  beforeEach(async () => {
    h = await startHarness();
    a = await claim(h);
  });
  afterEach(() => h.close());

  it('dashboard shows services with ports, today\'s mail, queue size and the latest health sample', async () => {
    await h.health.sampleNow();
    await h.store.addDomain('example.test');
    await call(h.app, 'POST', '/api/users', { address: 'al@example.test', password: PASSWORD }, a);
    const raw = Buffer.from('Subject: x\r\n\r\nhello\r\n');
    const w = h.store.createBlob();
    await w.write(raw);
    const { blobId } = await w.commit();
    await h.store.deliver({ blobId, index: indexMessage(raw), accounts: ['al@example.test'] });
    h.counters.noteSent(2);
    await queueOne(h);
    // The received counter follows the store's change events asynchronously.
    for (let i = 0; i < 50 && h.counters.today().receivedToday === 0; i++) await new Promise((r) => setImmediate(r));

    const res = await call(h.app, 'GET', '/api/dashboard', undefined, a);
    assert.equal(res.statusCode, 200);
    const d = res.json();
    assert.equal(d.hostname, 'mail.example.test');
    assert.deepEqual(d.services.find((s: { name: string }) => s.name === 'imaps'), { name: 'imaps', address: '0.0.0.0:993', port: 993, up: true });
    assert.deepEqual(d.services.find((s: { name: string }) => s.name === 'pop3s'), { name: 'pop3s', address: null, port: 995, up: false });
    assert.deepEqual(d.mail, { receivedToday: 1, sentToday: 2 });
    assert.deepEqual(d.queue, { size: 1, available: true });
    assert.equal(d.store.writable, true);
    assert.equal(d.system.cpuPercent, 12.5);
    assert.equal(d.system.temperatureC, 47.3);
  });

  it('health history: one sample a minute, bounded by hours; 400 for bad hours', async () => {
    for (let i = 0; i < 90; i++) {
      await h.health.sampleNow();
      h.clock.t += 60_000;
    }
    a = await login(h); // 90 quiet minutes ended the first session
    const all = (await call(h.app, 'GET', '/api/health', undefined, a)).json().samples;
    assert.equal(all.length, 90);
    const hour = (await call(h.app, 'GET', '/api/health?hours=1', undefined, a)).json().samples;
    assert.equal(hour.length, 60);
    assert.ok(hour[0].time < hour[59].time);
    for (const q of ['hours=0', 'hours=25', 'hours=abc', 'minutes=5']) assert.equal((await call(h.app, 'GET', `/api/health?${q}`, undefined, a)).statusCode, 400, q);
  });

  it('logs: recent entries filtered by service and level, without secrets or extra fields', async () => {
    h.options.log.info({ svc: 'imap', cid: 'abc', remote: '192.168.1.5', password: 'hunter2hunter2', body: 'Dear Bob' }, 'login ok');
    h.options.log.warn({ svc: 'smtp' }, 'relay denied');
    h.options.log.error({ svc: 'smtp', err: new Error('boom at /secret/path') }, 'delivery failed');
    const all = (await call(h.app, 'GET', '/api/logs', undefined, a)).json();
    assert.ok(all.services.includes('imap'));
    const text = JSON.stringify(all);
    assert.doesNotMatch(text, /hunter2|Dear Bob|\/secret\/path/);
    const imap = (await call(h.app, 'GET', '/api/logs?service=imap', undefined, a)).json().entries;
    assert.deepEqual(Object.keys(imap[imap.length - 1]).sort(), ['cid', 'level', 'msg', 'remote', 'service', 'time']);
    const warn = (await call(h.app, 'GET', '/api/logs?level=warn&service=smtp', undefined, a)).json().entries;
    assert.deepEqual(warn.map((e: { msg: string }) => e.msg), ['relay denied', 'delivery failed']);
    assert.equal((await call(h.app, 'GET', '/api/logs?limit=1', undefined, a)).json().entries.length, 1);
    for (const q of ['level=loud', 'limit=0', 'limit=5000', 'service=%3Cx%3E']) assert.equal((await call(h.app, 'GET', `/api/logs?${q}`, undefined, a)).statusCode, 400, q);
  });
});

describe('queue, DNS check, certificates, settings', () => {
  let h: Harness;
  let a: Auth;
  beforeEach(async () => {
    h = await startHarness();
    a = await claim(h);
  });
  afterEach(() => h.close());

  it('queue: list with next attempt, retry now, delete; 400 for malformed ids, 404 for unknown', async () => {
    const id = await queueOne(h);
    const list = (await call(h.app, 'GET', '/api/queue', undefined, a)).json();
    assert.equal(list.available, true);
    assert.equal(list.entries[0].id, id);
    assert.equal(list.entries[0].sender, 'a@example.test');
    assert.equal(list.entries[0].nextAttemptAt, h.clock.t + 3_600_000);
    assert.deepEqual(list.entries[0].recipients, [{ address: 'b@remote.test', state: 'pending' }]);

    assert.equal((await call(h.app, 'POST', `/api/queue/${id}/retry`, {}, a)).statusCode, 204);
    assert.equal((await h.store.getQueueEntry(id))?.nextAttemptAt, h.clock.t);
    assert.equal(h.kicks.count, 1);
    assert.equal((await call(h.app, 'POST', '/api/queue/nothex/retry', {}, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/queue/0123456789abcdef0123/retry', {}, a)).statusCode, 404);

    assert.equal((await call(h.app, 'DELETE', `/api/queue/${id}`, undefined, a)).statusCode, 204);
    assert.deepEqual(await h.store.listQueue(), []);
    assert.equal((await call(h.app, 'DELETE', `/api/queue/${id}`, undefined, a)).statusCode, 404);
  });

  it('DNS self-check: nothing yet, run now, last result with changes', async () => {
    assert.deepEqual((await call(h.app, 'GET', '/api/dns', undefined, a)).json(), { running: false, last: null });
    const run = await call(h.app, 'POST', '/api/dns/run', {}, a);
    assert.equal(run.statusCode, 200);
    assert.equal(run.json().report.worst, 'WARN');
    assert.equal(h.dnsRuns.count, 1);
    const last = (await call(h.app, 'GET', '/api/dns', undefined, a)).json();
    assert.equal(last.last.changes[0].id, 'spf');
    assert.equal((await call(h.app, 'POST', '/api/dns/run', { now: true }, a)).statusCode, 400);
  });

  it('certificates: current certificate, CA download, import (validated), back to local', async () => {
    const cur = (await call(h.app, 'GET', '/api/certificates', undefined, a)).json();
    assert.equal(cur.current.source, 'local');
    assert.ok(cur.current.names.includes('mail.example.test'));
    assert.ok(cur.current.notAfter > h.clock.t);
    const ca = await call(h.app, 'GET', '/ca.crt');
    assert.equal(ca.statusCode, 200);
    assert.match(ca.body, /^-----BEGIN CERTIFICATE-----/);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const served = h.certs.serverPem();
    const mismatch = await call(h.app, 'POST', '/api/certificates/import', { cert: served.cert, key: other }, a);
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.json().error.message, /does not belong/);
    assert.equal((await call(h.app, 'POST', '/api/certificates/import', { cert: 'junk', key: other }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'POST', '/api/certificates/import', { cert: served.cert }, a)).statusCode, 400);

    const ok = await call(h.app, 'POST', '/api/certificates/import', { cert: served.cert, key: served.key }, a);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().current.source, 'imported');
    assert.equal(h.certs.source(), 'imported');
    const back = await call(h.app, 'POST', '/api/certificates/local', {}, a);
    assert.equal(back.json().current.source, 'local');
  });

  it('ACME routes answer 503 when ACME is not wired', async () => {
    assert.equal((await call(h.app, 'GET', '/api/acme', undefined, a)).statusCode, 503);
    assert.equal((await call(h.app, 'PUT', '/api/acme', { enabled: true, agreeTos: false }, a)).statusCode, 503);
  });

  it('settings: hostname, relay set/clear (password never shown), limits', async () => {
    const s = (await call(h.app, 'GET', '/api/settings', undefined, a)).json();
    assert.equal(s.hostname, 'mail.example.test');
    assert.deepEqual(s.relays, []);
    assert.equal(s.limits.messagesPerHour, 200);
    const set = await call(h.app, 'PUT', '/api/settings/relay', { host: 'smtp.relay.test', username: 'me', password: 'relay-secret' }, a);
    assert.equal(set.statusCode, 200);
    assert.deepEqual(set.json(), { domain: '*', host: 'smtp.relay.test', port: 587, tls: 'starttls', username: 'me' });
    assert.doesNotMatch((await call(h.app, 'GET', '/api/settings', undefined, a)).body, /relay-secret/);
    assert.equal((await call(h.app, 'PUT', '/api/settings/relay', { host: 'bad host' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'PUT', '/api/settings/relay', { host: 'x.test', tls: 'none' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'PUT', '/api/settings/relay', { host: 'x.test', username: 'only' }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'DELETE', '/api/settings/relay', undefined, a)).statusCode, 204);
    assert.equal((await call(h.app, 'DELETE', '/api/settings/relay', undefined, a)).statusCode, 404);

    const lim = await call(h.app, 'PUT', '/api/settings/limits', { messagesPerHour: 50, maxConnections: 2 }, a);
    assert.deepEqual(lim.json(), { limits: { messagesPerHour: 50, recipientsPerHour: 1000, maxConnections: 2 } });
    assert.equal((await call(h.app, 'PUT', '/api/settings/limits', { messagesPerHour: 0 }, a)).statusCode, 400);
    assert.equal((await call(h.app, 'PUT', '/api/settings/limits', { hostname: 'x' }, a)).statusCode, 400);
  });

  it('settings: delivery retry window and DKIM signing options reach what the queue and signer read', async () => {
    await call(h.app, 'PUT', '/api/settings/limits', { messagesPerHour: 50 }, a);
    const s = (await call(h.app, 'GET', '/api/settings', undefined, a)).json();
    assert.deepEqual(s.delivery, { giveUpAfterDays: 5, delayWarningAfterHours: 4, dkimEd25519: false, dkimSelector: 'letterbox' });
    const set = await call(h.app, 'PUT', '/api/settings/delivery', { giveUpAfterDays: 3, delayWarningAfterHours: 0, dkimEd25519: true, dkimSelector: 'box2026' }, a);
    assert.equal(set.statusCode, 200);
    assert.deepEqual(set.json(), { delivery: { giveUpAfterDays: 3, delayWarningAfterHours: 0, dkimEd25519: true, dkimSelector: 'box2026' } });
    const read = await readOutboundSettings(h.store);
    assert.equal(read.retry.giveUpAfterMs, 3 * 86_400_000);
    assert.equal(read.retry.delayWarningAfterMs, 0);
    assert.deepEqual(read.dkim, { selector: 'box2026', ed25519: true });
    assert.equal(read.rateLimit.messagesPerHour, 50, 'other settings are kept');
    for (const bad of [{ giveUpAfterDays: 0 }, { giveUpAfterDays: 31 }, { delayWarningAfterHours: -1 }, { dkimSelector: 'Bad_Selector' }, { dkimEd25519: 'yes' }, { giveUpAfterDays: 1, delayWarningAfterHours: 30 }]) {
      assert.equal((await call(h.app, 'PUT', '/api/settings/delivery', bad, a)).statusCode, 400, JSON.stringify(bad));
    }
    assert.equal((await readOutboundSettings(h.store)).retry.giveUpAfterMs, 3 * 86_400_000, 'a refused change changes nothing');
  });
});
