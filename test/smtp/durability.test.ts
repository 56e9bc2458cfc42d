import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtpHarness } from '../helpers/smtp-harness.js';
import { RawSmtp, type Reply } from '../helpers/raw-smtp.js';
import { diskFullError, type SyncEvent } from '../../src/store/faults.js';
import { openStore } from '../../src/store/index.js';

/** One full SMTP transaction; returns the reply to the end of DATA (or to the first refused step). */
async function sendOne(port: number, to: string, subject: string, onFinalReply?: (r: Reply | null) => void): Promise<Reply | null> {
  const c = await RawSmtp.open(port);
  try {
    await c.expect(220);
    await c.command('EHLO durability.example.net');
    const mail = await c.command('MAIL FROM:<sender@example.net>');
    if (mail?.code !== 250) return mail;
    const rcpt = await c.command(`RCPT TO:<${to}>`);
    if (rcpt?.code !== 250) return rcpt;
    const data = await c.command('DATA');
    if (data?.code !== 354) return data;
    const r = await c.command(`Subject: ${subject}\r\n\r\nbody of ${subject}\r\n.`);
    onFinalReply?.(r);
    return r;
  } finally {
    c.close();
  }
}

// ARCHITECTURE rule 5: a 250 means durable. The events below are recorded in one
// process in causal order: the store logs each durability point as it passes it,
// the client logs the 250 when it reads it. A server that answered before its
// fsyncs (or wrote the batch without sync) fails this test.
test('the 250 to DATA comes only after the body fsync, the directory fsync and a synced index batch', async () => {
  const events: string[] = [];
  const h = await startSmtpHarness({
    faults: {
      onSync(event: SyncEvent, detail) {
        events.push(event === 'batch-sync' ? `batch-sync:${String(detail.sync)}` : event);
      },
    },
  });
  try {
    await h.addUsers('example.com', 'alice');
    for (let i = 0; i < 3; i++) {
      events.length = 0;
      const r = await sendOne(h.port, 'alice@example.com', `ordered ${i}`, () => events.push('client-250'));
      assert.equal(r?.code, 250);
      const at = (e: string) => events.indexOf(e);
      assert.ok(at('blob-fsync') >= 0 && at('blob-fsync') < at('client-250'), events.join(','));
      assert.ok(at('dir-fsync') > at('blob-fsync') && at('dir-fsync') < at('client-250'), events.join(','));
      assert.ok(at('batch-sync:true') > at('dir-fsync') && at('batch-sync:true') < at('client-250'), events.join(','));
      assert.equal(at('batch-sync:false'), -1, 'no index batch is written without sync');
    }
  } finally {
    await h.close();
  }
});

test('disk-full episode: 452 4.3.1 while the store recovers; every acknowledged message survives a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-diskfull-'));
  let full = false;
  const h = await startSmtpHarness({
    dir,
    faults: {
      beforeBatch() {
        if (full) throw diskFullError();
      },
      beforeBlobWrite() {
        if (full) throw diskFullError();
      },
    },
  });
  const acknowledged: string[] = [];
  try {
    await h.addUsers('example.com', 'alice');
    for (let i = 0; i < 3; i++) {
      const r = await sendOne(h.port, 'alice@example.com', `before ${i}`);
      assert.equal(r?.code, 250);
      acknowledged.push(`before ${i}`);
    }
    full = true;
    const during = await sendOne(h.port, 'alice@example.com', 'during 0');
    assert.equal(during?.code, 452, during?.lines.join(' '));
    assert.match(during?.text ?? '', /^4\.3\.1 /);
    assert.equal(h.store.isWritable(), false);
    const refused = await sendOne(h.port, 'alice@example.com', 'during 1');
    assert.equal(refused?.code, 452, 'while the store is not trusted, mail is refused up front');
    full = false;
    // The store reopens itself on a timer; wait for that, bounded.
    for (let i = 0; i < 500 && !h.store.isWritable(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.store.isWritable(), true, 'the store recovered');
    for (let i = 0; i < 3; i++) {
      const r = await sendOne(h.port, 'alice@example.com', `after ${i}`);
      assert.equal(r?.code, 250);
      acknowledged.push(`after ${i}`);
    }
  } finally {
    await h.close();
  }
  const reopened = await openStore({ dir });
  try {
    const account = await reopened.account('alice@example.com');
    const subjects: string[] = [];
    for (const m of await account.listMessages('INBOX')) {
      const raw = (await reopened.readBlobRange(m.blobId, 0, m.size)).toString('latin1');
      subjects.push(/\r\nSubject: ([^\r]*)/.exec(raw)?.[1] ?? '?');
    }
    assert.deepEqual(subjects, acknowledged);
  } finally {
    await reopened.close();
    await rm(dir, { recursive: true, force: true });
  }
});
