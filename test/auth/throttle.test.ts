import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle, clientKey } from '../../src/auth/throttle.js';

function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('no delay for the first five failures, then 2 s doubling to 15 s', () => {
  const clock = fakeClock();
  const throttle = new AuthThrottle({ now: clock.now });
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    delays.push(throttle.delayFor('192.0.2.1'));
    throttle.recordFailure('192.0.2.1');
    clock.advance(1000);
  }
  assert.deepEqual(delays, [0, 0, 0, 0, 0, 2000, 4000, 8000, 15000, 15000]);
  // Other clients are not affected.
  assert.equal(throttle.delayFor('192.0.2.2'), 0);
});

test('failures are forgotten after the window', () => {
  const clock = fakeClock();
  const throttle = new AuthThrottle({ now: clock.now, windowMs: 60_000 });
  for (let i = 0; i < 6; i++) throttle.recordFailure('192.0.2.1');
  assert.equal(throttle.delayFor('192.0.2.1'), 4000);
  clock.advance(59_999);
  assert.equal(throttle.delayFor('192.0.2.1'), 4000);
  clock.advance(1);
  assert.equal(throttle.delayFor('192.0.2.1'), 0);
  assert.equal(throttle.size, 0);
});

test('a success clears a few failures but cannot reset a penalty', () => {
  const throttle = new AuthThrottle({ now: fakeClock().now });
  for (let i = 0; i < 3; i++) throttle.recordFailure('192.0.2.1');
  throttle.recordSuccess('192.0.2.1');
  assert.equal(throttle.size, 0);

  for (let i = 0; i < 8; i++) throttle.recordFailure('192.0.2.1');
  assert.equal(throttle.delayFor('192.0.2.1'), 15000);
  throttle.recordSuccess('192.0.2.1');
  assert.equal(throttle.delayFor('192.0.2.1'), 0);
  throttle.recordFailure('192.0.2.1');
  assert.equal(throttle.delayFor('192.0.2.1'), 2000, 'one more failure after a success is penalised at once');
});

test('memory is bounded: the least recently failing clients are dropped', () => {
  const throttle = new AuthThrottle({ now: fakeClock().now, maxEntries: 100 });
  for (let i = 0; i < 1000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(throttle.size, 100);
  for (let i = 0; i < 6; i++) throttle.recordFailure('10.9.9.9');
  assert.equal(throttle.delayFor('10.9.9.9'), 4000, 'the most recent client is kept');
  assert.equal(throttle.size, 100);
  assert.equal(throttle.delayFor('10.0.0.0'), 0);
});

test('IPv6 clients are grouped by /64 and IPv4-mapped addresses by IPv4', () => {
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  const throttle = new AuthThrottle({ now: fakeClock().now });
  for (let i = 0; i < 5; i++) throttle.recordFailure(`2001:db8:1:2::${i + 1}`);
  assert.equal(throttle.delayFor('2001:db8:1:2::99'), 2000);
  assert.equal(throttle.delayFor('2001:db8:1:3::1'), 0);
});
