// Security cases on large accounts: T41 (a 50,000-message mailbox: `UID FETCH 1:* (BODY.PEEK[])`
// streams with back-pressure while other clients are served) and T44 (1,000 mailboxes under
// hostile LIST patterns; SEARCH strings are literal substrings; a long SEARCH BODY completes or
// stops at its budget while other clients are served). No timing assertions: streaming is shown
// by how many bodies the server read while the client was not reading, and responsiveness by
// the order in which answers arrive.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, sampleMessage, startImapHarness, type ImapHarness } from '../helpers/imap-harness.js';
import { RawImap } from '../helpers/raw-imap.js';

const BIG = 'big@example.com';
const MANY = 'many@example.com';
const SMALL = 'small@example.com';
const MESSAGES = 50_000;
const BODY_LINE = `${'x'.repeat(76)}\r\n`;
/** One ~4 KB message, stored once and delivered 50,000 times (bodies are content-addressed). */
const BIG_MESSAGE = sampleMessage('big', BODY_LINE.repeat(52));

async function session(h: ImapHarness, user: string): Promise<RawImap> {
  const c = await RawImap.openTls(h.tlsPort, h.caPem);
  await c.greeting();
  assert.equal((await c.login(user, PASSWORD)).status, 'OK');
  return c;
}

/** Fills INBOX to `count` messages by copying it onto itself: a few large batches instead of 50,000 deliveries. */
async function fill(h: ImapHarness, user: string, count: number): Promise<void> {
  await h.deliver(user, BIG_MESSAGE);
  const account = await h.store.account(user);
  let have = 1;
  while (have < count) {
    const take = Math.min(have, count - have);
    const uids = (await account.listMessages('INBOX', 1, take)).map((m) => m.uid);
    await account.copyMessages('INBOX', uids, 'INBOX');
    have += take;
  }
}

/** Polls `value` until it stops changing for `quietPolls` polls (or `maxMs` passes); returns the last value. */
async function settle(value: () => number, quietPolls = 4, intervalMs = 250, maxMs = 30_000): Promise<number> {
  const end = Date.now() + maxMs;
  let last = value();
  let quiet = 0;
  while (quiet < quietPolls && Date.now() < end) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = value();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

describe('imap on large accounts', () => {
  let h: ImapHarness;
  let bodyReads = 0;
  before(async () => {
    h = await startImapHarness();
    for (const u of [BIG, MANY, SMALL]) await h.addUser(u);
    await fill(h, BIG, MESSAGES);
    const account = await h.store.account(MANY);
    const names = Array.from({ length: 994 }, (_, i) => `folder-${i}${i % 10 === 0 ? '-x' : ''}`);
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => account.createMailbox(n)));
    // Counts body reads: how far a FETCH got while its client was not reading.
    const read = h.store.readBlobRange.bind(h.store);
    h.store.readBlobRange = (blobId, start, end) => {
      bodyReads++;
      return read(blobId, start, end);
    };
    const readMany = h.store.readBlobs.bind(h.store);
    h.store.readBlobs = (ids, options) => {
      bodyReads += ids.length;
      return readMany(ids, options);
    };
  });
  after(() => h.close());

  it('T41: streams UID FETCH 1:* (BODY.PEEK[]) of 50,000 messages with back-pressure while another client is served', async () => {
    const a = await session(h, BIG);
    const select = await a.command('SELECT INBOX');
    assert.ok(select.untagged.includes(`* ${MESSAGES} EXISTS`), select.untagged.join('\n'));
    const other = await session(h, BIG);
    // From here on the FETCH data is only counted, never kept (it is ~200 MB).
    a.socket.removeAllListeners('data');
    let received = 0;
    let tail = '';
    let done = '';
    a.socket.on('data', (d: Buffer) => {
      received += d.length;
      tail = (tail + d.toString('latin1', Math.max(0, d.length - 200))).slice(-200);
      const m = /\r\nf (OK|NO|BAD)[^\r]*\r\n$/.exec(tail);
      if (m) done = m[1] as string;
    });
    a.socket.pause();
    bodyReads = 0;
    a.write('f UID FETCH 1:* (BODY.PEEK[])\r\n');
    // The client reads nothing: once the socket buffers are full the server must stop reading bodies.
    const stalled = await settle(() => bodyReads);
    assert.ok(stalled < MESSAGES / 4, `read ${stalled} of ${MESSAGES} bodies for a client that reads nothing`);
    assert.equal(done, '');
    // Meanwhile another session of the same account is answered.
    assert.equal((await other.command('NOOP')).status, 'OK');
    assert.equal(done, '');
    a.socket.resume();
    const end = Date.now() + 120_000;
    while (!done && Date.now() < end && !a.socket.destroyed) await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, 'OK');
    assert.ok(bodyReads >= MESSAGES);
    assert.ok(received > MESSAGES * Buffer.byteLength(BIG_MESSAGE), `received ${received} bytes`);
    a.close();
    other.close();
  });

  it('T44: a SEARCH BODY over 50,000 messages completes or stops at its budget while another client is served', async () => {
    const a = await session(h, BIG);
    await a.command('SELECT INBOX');
    const other = await session(h, BIG);
    bodyReads = 0;
    a.write('s SEARCH BODY zzz\r\n');
    // Wait until the search is under way (bounded: a broken search fails below), then ask the other session.
    const start = Date.now();
    while (bodyReads === 0 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 5));
    assert.ok(bodyReads > 0, 'the search read no bodies');
    const noop = await other.command('NOOP');
    assert.equal(noop.status, 'OK');
    assert.ok(bodyReads < MESSAGES, 'NOOP was answered only after the whole search');
    const s = await a.tagged('s');
    assert.ok(s.status === 'OK' || /^s NO \[LIMIT\]/.test(s.line), s.line);
    if (s.status === 'OK') assert.deepEqual(s.untagged, ['* SEARCH']);
    a.close();
    other.close();
  });

  it('T44: answers hostile LIST patterns over 1,000 mailboxes (linear-time matching)', async () => {
    const c = await session(h, MANY);
    const all = await c.command(`LIST "" "${'*'.repeat(5000)}"`);
    assert.equal(all.status, 'OK');
    assert.equal(all.untagged.length, 1000);
    const x = await c.command(`LIST "" "${'*%'.repeat(20)}x"`);
    assert.equal(x.status, 'OK');
    assert.equal(x.untagged.length, 100);
    // Patterns that do not collapse: many literals between wildcards, longer than any mailbox name.
    const long = await c.command(`LIST "" "${'f%'.repeat(3000)}x"`);
    assert.equal(long.status, 'OK');
    assert.equal(long.untagged.length, 0);
    const alternating = await c.command(`LIST "" "${'*o'.repeat(200)}*"`);
    assert.equal(alternating.status, 'OK');
    assert.equal(alternating.untagged.length, 0);
    assert.equal((await c.command('LIST "" "f*r-99%"')).untagged.length, 5);
    c.close();
  });

  it('T44: SEARCH TEXT, BODY and HEADER take their strings literally, never as patterns', async () => {
    await h.deliver(SMALL, sampleMessage(1, 'nothing special\r\n'));
    await h.deliver(SMALL, sampleMessage(2, 'the text (a+)+$ as written\r\n'));
    await h.deliver(SMALL, sampleMessage('.*.*.*.*== 3'));
    await h.deliver(SMALL, sampleMessage(4, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\r\n'));
    const c = await session(h, SMALL);
    await c.command('SELECT INBOX');
    assert.deepEqual((await c.command('SEARCH TEXT "(a+)+$"')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH BODY "(A+)+$"')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH HEADER Subject ".*.*.*.*=="')).untagged, ['* SEARCH 3']);
    assert.deepEqual((await c.command('SEARCH SUBJECT ".*"')).untagged, ['* SEARCH 3']);
    assert.deepEqual((await c.command('SEARCH HEADER Subject "message .x"')).untagged, ['* SEARCH']);
    assert.deepEqual((await c.command('SEARCH TEXT "a+"')).untagged, ['* SEARCH 2']);
    c.close();
  });
});
