// The queue survives a restart in the middle of a delivery: the remote got the
// whole DATA but never answered, the appliance stopped (connections cut) and
// the store was closed; after reopening, the interrupted attempt is retried at
// once and the remote gets exactly one accepted copy. Also: queued mail is on
// disk before the 250 (reopen right after submission finds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { indexMessage } from '../../src/mime/index.js';
import { openStore } from '../../src/store/index.js';
import { startOutboundQueue } from '../../src/smtp/outbound/queue-runner.js';
import { fakeResolver, startCaptureServer } from './outbound-capture.js';

const log = pino({ level: 'silent' });
const resolver = fakeResolver({ mx: { 'example.net': [{ exchange: 'mx.example.net', priority: 10 }] }, a: { 'mx.example.net': ['127.0.0.1'] } });

test('restart mid-delivery: the entry and its body survive, the attempt is retried at once, one accepted copy', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-queue-restart-'));
  let stall = true;
  const capture = await startCaptureServer({ data: () => (stall ? 'stall' : '250 2.0.0 accepted') });
  try {
    let store = await openStore({ dir });
    await store.addDomain('mail.test');
    const bytes = Buffer.from('From: alice@mail.test\r\nTo: carol@example.net\r\nSubject: survive\r\n\r\nbody\r\n');
    const blob = store.createBlob();
    await blob.write(bytes);
    const { blobId } = await blob.commit();
    const now = Date.now();
    await store.queueTransaction({ add: [{ blobId, index: indexMessage(bytes), sender: 'alice@mail.test', recipients: ['carol@example.net'], createdAt: now }] });

    let queue = startOutboundQueue({ store, log, hostname: 'mail.test', resolver, mxPort: capture.port, now: () => now });
    await capture.nextData(); // the remote has the whole message but has not answered
    const [during] = await store.listQueue();
    assert.equal(during?.attemptStartedAt, now, 'the attempt is marked durably before connecting');
    await queue.close();
    await store.close();

    stall = false;
    store = await openStore({ dir });
    const [after] = await store.listQueue();
    assert.ok(after, 'the entry survived');
    assert.equal(after.attemptStartedAt, now);
    assert.equal(after.recipients[0]?.state, 'pending');
    assert.ok((await store.readBlobRange(blobId, 0, 10)).length > 0, 'the body survived the orphan sweep');
    queue = startOutboundQueue({ store, log, hostname: 'mail.test', resolver, mxPort: capture.port, now: () => now });
    await queue.kick();
    assert.equal(capture.transactions.length, 2);
    assert.deepEqual(capture.transactions.map((t) => t.reply), ['', '250 2.0.0 accepted'], 'one copy was never acknowledged, one accepted');
    assert.deepEqual(await store.listQueue(), []);
    await queue.close();
    await store.close();
    store = await openStore({ dir });
    assert.deepEqual(await store.listQueue(), [], 'done is durable');
    assert.equal(await store.countBlobs(), 0, 'the body went with the last reference');
    await store.close();
  } finally {
    await capture.close();
    await rm(dir, { recursive: true, force: true });
  }
});
