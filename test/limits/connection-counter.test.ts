import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionCounter } from '../../src/limits/connection-counter.js';

describe('ConnectionCounter', () => {
  it('admits up to the cap per key and refuses the next without counting it', () => {
    const c = new ConnectionCounter(2);
    assert.equal(c.tryAdd('192.0.2.1'), true);
    assert.equal(c.tryAdd('192.0.2.1'), true);
    assert.equal(c.tryAdd('192.0.2.1'), false);
    assert.equal(c.count('192.0.2.1'), 2, 'a refusal is not counted');
    // Other keys have their own budget.
    assert.equal(c.tryAdd('2001:db8::1'), true);
    assert.equal(c.count('2001:db8::1'), 1);
    assert.equal(c.size, 2);
  });

  it('frees a slot when a connection ends, and forgets keys at zero', () => {
    const c = new ConnectionCounter(1);
    assert.equal(c.tryAdd('a'), true);
    assert.equal(c.tryAdd('a'), false);
    c.remove('a');
    assert.equal(c.count('a'), 0);
    assert.equal(c.size, 0, 'no entry is kept for a client that left');
    assert.equal(c.tryAdd('a'), true);
  });

  it('ignores removing a key that is not counted', () => {
    const c = new ConnectionCounter(1);
    c.remove('never-seen');
    assert.equal(c.size, 0);
    assert.equal(c.count('never-seen'), 0);
    c.add('x');
    c.remove('x');
    c.remove('x');
    assert.equal(c.count('x'), 0, 'never negative');
    assert.equal(c.tryAdd('x'), true);
  });

  it('hasRoom and add let a caller check several counters before counting in any', () => {
    const perUser = new ConnectionCounter(2);
    const perUserIp = new ConnectionCounter(1);
    const login = (user: string, ip: string): boolean => {
      const key = `${user}\0${ip}`;
      if (!perUser.hasRoom(user) || !perUserIp.hasRoom(key)) return false;
      perUser.add(user);
      perUserIp.add(key);
      return true;
    };
    assert.equal(login('alice', '192.0.2.1'), true);
    assert.equal(login('alice', '192.0.2.1'), false, 'per-address cap');
    assert.equal(perUser.count('alice'), 1, 'the refused login left no count behind');
    assert.equal(login('alice', '192.0.2.2'), true);
    assert.equal(login('alice', '192.0.2.3'), false, 'per-account cap');
    assert.equal(perUserIp.count('alice\x00192.0.2.3'), 0);
  });

  it('add counts past the cap (the caller decided), and a cap of 0 refuses everyone', () => {
    const c = new ConnectionCounter(1);
    c.add('k');
    c.add('k');
    assert.equal(c.count('k'), 2);
    assert.equal(c.hasRoom('k'), false);
    c.remove('k');
    assert.equal(c.hasRoom('k'), false);
    c.remove('k');
    assert.equal(c.hasRoom('k'), true);
    const none = new ConnectionCounter(0);
    assert.equal(none.tryAdd('k'), false);
    assert.equal(none.size, 0);
  });

  it('stays balanced through many interleaved connects and disconnects', () => {
    const c = new ConnectionCounter(3);
    const open: string[] = [];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 5000; i++) {
      const ip = `10.0.0.${next() % 5}`;
      if (next() % 2 === 0) {
        const expected = open.filter((k) => k === ip).length < 3;
        assert.equal(c.tryAdd(ip), expected);
        if (expected) open.push(ip);
      } else if (open.length > 0) {
        const [gone] = open.splice(next() % open.length, 1);
        c.remove(gone!);
      }
    }
    for (const ip of new Set(open)) assert.equal(c.count(ip), open.filter((k) => k === ip).length);
    for (const ip of open) c.remove(ip);
    assert.equal(c.size, 0);
  });
});
