import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore, type LetterboxStore } from '../../src/store/index.js';
import { indexMessage } from '../../src/mime/index.js';
import { hashPassword } from '../../src/auth/index.js';
import { Maildrop } from '../../src/pop3/maildrop.js';
import { ReadAhead, type Prepared } from '../../src/pop3/read-ahead.js';
import { wholeResponse } from '../../src/pop3/message-stream.js';
import { ok } from '../../src/pop3/protocol.js';
import type { MailStore } from '../../src/store/types.js';

const USER = 'reader@example.com';

/** Message `i`: about `size` octets, with a line that needs stuffing. */
function body(i: number, size = 300): Buffer {
  const head = `From: a@example.org\r\nSubject: m${i}\r\n\r\n.dot line ${i}\r\n`;
  return Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '\r\n', 'latin1');
}

/** The store, with its readBlobs calls recorded (and failing on demand). */
function spy(store: MailStore): { store: MailStore; calls: { ids: number; maxBytes: number }[]; fail: { next: boolean } } {
  const calls: { ids: number; maxBytes: number }[] = [];
  const fail = { next: false };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'readBlobs') {
        return (ids: readonly string[], options?: { maxBytes?: number }) => {
          calls.push({ ids: ids.length, maxBytes: options?.maxBytes ?? -1 });
          if (fail.next) {
            fail.next = false;
            return Promise.reject(new Error('disk trouble'));
          }
          return target.readBlobs(ids, options);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: proxy, calls, fail };
}

const settle = async (p: Prepared | Promise<Prepared>): Promise<Prepared> => p;

// The read-ahead behind RETR: batched reads within a byte budget, and every way a message can
// fail to be ready (too big, deleted, gone from the store, a failed read) ends in the right answer.
describe('pop3 read-ahead', () => {
  let store: LetterboxStore;
  const bodies: Buffer[] = [];
  before(async () => {
    store = await openMemoryStore();
    await store.addDomain('example.com');
    await store.addAccount(USER, await hashPassword('pw', { ln: 10 }));
    for (let i = 1; i <= 60; i++) {
      const raw = body(i, i === 10 ? 200_000 : 300 + i * 10);
      bodies.push(raw);
      const w = store.createBlob();
      await w.write(raw);
      const { blobId } = await w.commit();
      await store.deliver({ blobId, index: indexMessage(raw), accounts: [USER] });
    }
  });
  after(() => store.close());

  const expected = (i: number): Buffer => {
    const raw = bodies[i - 1]!;
    return wholeResponse(ok(`${raw.length} octets`), raw);
  };

  it('prepares a download in order with few store calls, each within the byte budget', async () => {
    const s = spy(store);
    const drop = await Maildrop.open(s.store, USER);
    const ra = new ReadAhead(s.store, drop, { depth: 16, budgetBytes: 8 * 1024 });
    for (let i = 1; i <= 60; i++) {
      const got = await settle(ra.take(i));
      if (i === 10) assert.equal(got, undefined, 'too big: streamed');
      else assert.deepEqual(got, expected(i), `message ${i}`);
      ra.refill();
    }
    assert.ok(s.calls.length <= 60 / 3, `${s.calls.length} store calls for 59 messages`);
    for (const c of s.calls) assert.ok(c.maxBytes > 0 && c.maxBytes <= 8 * 1024, `maxBytes ${c.maxBytes}`);
  });

  it('takeReady gives only what is prepared for the next message, and nothing else changes', async () => {
    const drop = await Maildrop.open(store, USER);
    const ra = new ReadAhead(store, drop);
    assert.equal(ra.takeReady(1), undefined, 'nothing read yet');
    assert.deepEqual(await settle(ra.take(1)), expected(1));
    ra.refill();
    assert.equal(ra.takeReady(3), undefined, 'not the next message');
    // Message 2 was read with 1; wait for that batch through take's promise path on a fresh object.
    for (let tries = 0; ra.takeReady(2) === undefined; tries++) {
      assert.ok(tries < 1000, 'message 2 never became ready');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await settle(ra.take(3)), expected(3));
  });

  it('skips deleted messages, follows jumps, and reports a body gone from the store as null', async () => {
    const drop = await Maildrop.open(store, USER);
    const ra = new ReadAhead(store, drop, { depth: 4 }); // a short window, so message 60 is read only when asked for
    drop.entries[1]!.deleted = true; // DELE 2 before anything was read
    assert.deepEqual(await settle(ra.take(1)), expected(1));
    ra.refill();
    assert.deepEqual(await settle(ra.take(3)), expected(3));
    assert.deepEqual(await settle(ra.take(40)), expected(40), 'a jump forward');
    assert.deepEqual(await settle(ra.take(5)), expected(5), 'and back');
    // Another session expunges message 60 (its only copy): the body is gone.
    const other = await Maildrop.open(store, USER);
    const uid = other.entries[59]!.uid;
    await (await store.account(USER)).expunge('INBOX', [uid]);
    assert.equal(await settle(ra.take(60)), null);
  });

  it('leaves a message to the stream path when its read fails', async () => {
    const s = spy(store);
    const drop = await Maildrop.open(s.store, USER);
    const ra = new ReadAhead(s.store, drop, { depth: 4 });
    s.fail.next = true;
    assert.equal(await settle(ra.take(1)), undefined);
    assert.equal(await settle(ra.take(2)), undefined, 'read in the same failed batch');
    ra.refill();
    assert.deepEqual(await settle(ra.take(6)), expected(6), 'later reads work again');
    ra.clear();
    assert.equal(ra.takeReady(7), undefined, 'cleared');
  });
});
