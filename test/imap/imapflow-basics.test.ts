// LOGIN / SELECT / FETCH / IDLE / APPEND / STORE / SEARCH / COPY / MOVE with a real client (imapflow),
// over implicit TLS and STARTTLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';

const ALICE = 'alice@example.com';

function client(h: ImapHarness, secure = true, user = ALICE): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: secure ? h.tlsPort : h.plainPort,
    secure,
    doSTARTTLS: secure ? undefined : true,
    auth: { user, pass: PASSWORD },
    tls: { ca: [h.caPem], servername: 'localhost' },
    logger: false,
  });
}

describe('imap with imapflow', () => {
  let h: ImapHarness;
  before(async () => {
    h = await startImapHarness();
    await h.addUser(ALICE);
    for (let i = 1; i <= 3; i++) await h.deliver(ALICE, sampleMessage(i));
  });
  after(() => h.close());

  it('logs in over 993, lists, selects and fetches exact bytes', async () => {
    const c = client(h);
    await c.connect();
    const boxes = await c.list();
    assert.deepEqual(boxes.map((b) => b.path).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    assert.equal(boxes.find((b) => b.path === 'Sent')?.specialUse, '\\Sent');
    const box = await c.mailboxOpen('INBOX');
    assert.equal(box.exists, 3);
    const msgs = [];
    for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, source: true, size: true, bodyStructure: true, internalDate: true })) msgs.push(m);
    assert.equal(msgs.length, 3);
    assert.equal(msgs[0]!.envelope?.subject, 'message 1');
    assert.equal(msgs[0]!.envelope?.from?.[0]?.address, 'sender@example.org');
    assert.equal(msgs[1]!.source?.toString(), sampleMessage(2));
    assert.equal(msgs[2]!.size, Buffer.byteLength(sampleMessage(3)));
    assert.equal(msgs[0]!.bodyStructure?.type, 'text/plain');
    await c.logout();
  });

  it('logs in after STARTTLS on 143', async () => {
    const c = client(h, false);
    await c.connect();
    const st = await c.status('INBOX', { messages: true, uidNext: true, unseen: true, highestModseq: true });
    assert.ok(st);
    assert.equal(st.messages, 3);
    assert.equal(st.unseen, 3);
    await c.logout();
  });

  it('appends, stores flags, searches, copies and moves', async () => {
    const c = client(h);
    await c.connect();
    const appended = await c.append('INBOX', sampleMessage('appended', 'needle in the body\r\n'), ['\\Seen', 'Work'], new Date('2024-01-02T03:04:05Z'));
    assert.ok(appended && appended.uid !== undefined && appended.uid > 3);
    const newUid = appended.uid;
    const lock = await c.getMailboxLock('INBOX');
    try {
      const found = await c.search({ body: 'NEEDLE' }, { uid: true });
      assert.deepEqual(found, [newUid]);
      assert.deepEqual(await c.search({ subject: 'message 2' }, { uid: true }), [2]);
      assert.deepEqual(await c.search({ seen: false }, { uid: true }), [1, 2, 3]);
      await c.messageFlagsAdd({ uid: '1:2' }, ['\\Flagged'], { uid: true });
      assert.deepEqual(await c.search({ flagged: true }, { uid: true }), [1, 2]);
      const copied = await c.messageCopy('1', 'Archive', { uid: true });
      assert.ok(copied && copied.uidMap?.get(1));
      const moved = await c.messageMove('2', 'Trash', { uid: true });
      assert.ok(moved && moved.uidMap?.get(2));
      assert.deepEqual(await c.search({ all: true }, { uid: true }), [1, 3, newUid]);
      const one = await c.fetchOne('*', { uid: true, flags: true, internalDate: true }, { uid: false });
      assert.ok(one && one.flags?.has('Work'));
      assert.equal((one.internalDate as Date).toISOString(), '2024-01-02T03:04:05.000Z');
    } finally {
      lock.release();
    }
    const trash = await c.status('Trash', { messages: true });
    assert.ok(trash);
    assert.equal(trash.messages, 1);
    await c.logout();
  });

  it('reports new mail to an IDLE session and fetches it byte-identically', async () => {
    const c = client(h);
    await c.connect();
    await c.mailboxOpen('INBOX');
    const before = c.mailbox && typeof c.mailbox === 'object' ? c.mailbox.exists : 0;
    const seen = new Promise<number>((resolve) => c.on('exists', (d: { count: number }) => resolve(d.count)));
    const idling = c.idle();
    const raw = sampleMessage('pushed', 'pushed body\r\n');
    await h.deliver(ALICE, raw);
    assert.equal(await seen, before + 1);
    const m = await c.fetchOne('*', { source: true });
    assert.ok(m);
    assert.equal(m.source?.toString(), raw);
    await idling.catch(() => undefined);
    await c.logout();
  });
});
