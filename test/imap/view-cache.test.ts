// The shared caches of the IMAP service stay within their bounds (memory on a 1 GB board),
// and the \Recent registry hands each UID to one session.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentRegistry, ViewCache } from '../../src/imap/view-state.js';

function base(messages: number) {
  return { uidValidity: 1, modseq: 1, uidNext: messages + 1, uids: new Uint32Array(messages), flagIds: new Uint16Array(messages), sets: [[]] };
}

describe('mailbox column cache', () => {
  it('drops the least recently used mailboxes past its entry and byte bounds', () => {
    const cache = new ViewCache(3, 600);
    cache.put(1, base(10));
    cache.put(2, base(10));
    cache.put(3, base(10));
    assert.equal(cache.bytes, 180);
    assert.ok(cache.get(1));
    cache.put(4, base(10));
    assert.equal(cache.get(2), undefined, 'least recently used goes first');
    assert.ok(cache.get(1) && cache.get(3) && cache.get(4));
    cache.put(5, base(90));
    assert.ok(cache.bytes <= 600, `holds ${cache.bytes} bytes`);
    assert.ok(cache.get(5));
    assert.equal(cache.full, true);
    // Replacing an entry does not count it twice.
    cache.put(5, base(90));
    assert.ok(cache.bytes <= 600);
  });

  it('lets a SELECT wait for a load of the same mailbox in progress', async () => {
    const cache = new ViewCache();
    let finish!: () => void;
    const load = new Promise<void>((resolve) => (finish = resolve));
    cache.loading(7, load);
    let waited = false;
    const waiter = cache.settled(7).then(() => (waited = true));
    await Promise.resolve();
    assert.equal(waited, false);
    finish();
    await waiter;
    assert.equal(waited, true);
    await cache.settled(8);
    // A failed load is waited for too, without rejecting the waiter.
    cache.loading(9, Promise.reject(new Error('gone')));
    await cache.settled(9);
  });
});

describe('\\Recent claims', () => {
  it('gives each UID to the first session that selects, and none to EXAMINE', () => {
    const r = new RecentRegistry();
    assert.deepEqual(r.claimUpTo(1, 10, true), [0, 10]);
    assert.deepEqual(r.claimUpTo(1, 10, false), [0, 10]);
    assert.deepEqual(r.claimUpTo(1, 10, false), [10, 10]);
    assert.deepEqual(r.claimUpTo(1, 12, false), [10, 12]);
    assert.deepEqual([...r.claim(1, [11, 12, 13], false)], [13]);
    assert.deepEqual(r.claimUpTo(1, 13, false), [13, 13]);
  });
});
