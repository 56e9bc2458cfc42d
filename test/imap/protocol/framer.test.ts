/**
 * Framer: lines and literals, LITERAL+, APPEND streaming, limits enforced
 * without allocation (security-cases T37–T39), and split invariance: every
 * stream gives the same events fed whole, byte by byte, or in any chunk size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandFramer } from '../../../src/imap/protocol/framer.js';
import { feed, type NormalEvent } from './codec-helpers.js';

const MIXED =
  'a1 NOOP\r\n' +
  'a2 LOGIN {5}\r\nalice {3+}\r\npw!\r\n' +
  'a3 APPEND INBOX (\\Seen) "01-Jan-2024 10:00:00 +0000" {12}\r\nHello\r\nWorld\r\n' +
  'a4 APPEND {5}\r\nDraft {4+}\r\nabcd\r\n' +
  'a5 SELECT INBOX\n' +
  'a6 APPEND INBOX {0}\r\n\r\n' +
  'DONE\r\n';

const MIXED_EVENTS: NormalEvent[] = [
  { kind: 'command', lines: ['a1 NOOP'], literals: [] },
  { kind: 'continue' },
  { kind: 'command', lines: ['a2 LOGIN {5}', ' {3+}', ''], literals: ['alice', 'pw!'] },
  { kind: 'append', lines: ['a3 APPEND INBOX (\\Seen) "01-Jan-2024 10:00:00 +0000" {12}'], literals: [], size: 12, synchronizing: true },
  { kind: 'append-data', data: 'Hello\r\nWorld' },
  { kind: 'append-end' },
  { kind: 'continue' },
  { kind: 'append', lines: ['a4 APPEND {5}', ' {4+}'], literals: ['Draft'], size: 4, synchronizing: false },
  { kind: 'append-data', data: 'abcd' },
  { kind: 'append-end' },
  { kind: 'command', lines: ['a5 SELECT INBOX'], literals: [] },
  { kind: 'append', lines: ['a6 APPEND INBOX {0}'], literals: [], size: 0, synchronizing: true },
  { kind: 'append-end' },
  { kind: 'command', lines: ['DONE'], literals: [] },
];

test('a pipelined stream gives the expected events whole and in chunks of every size', () => {
  assert.deepEqual(feed(MIXED, 0), MIXED_EVENTS);
  for (let size = 1; size <= MIXED.length; size++) assert.deepEqual(feed(MIXED, size), MIXED_EVENTS, `chunk size ${size}`);
});

test('before login APPEND literals are ordinary literals within the 8 KiB budget', () => {
  const events = feed('a APPEND INBOX {3}\r\nabc\r\n', 1, { authenticated: false });
  assert.deepEqual(events, [{ kind: 'continue' }, { kind: 'command', lines: ['a APPEND INBOX {3}', ''], literals: ['abc'] }]);
});

test('T37: {999999999} before login is refused before any continuation and allocates nothing', () => {
  const framer = new CommandFramer();
  framer.push(Buffer.from('a LOGIN {999999999}\r\nb NOOP\r\n'));
  const ev = framer.next();
  assert.deepEqual(ev, { kind: 'error', tag: 'a', status: 'BAD', code: 'TOOBIG', message: 'Literal too large', fatal: false });
  assert.ok(framer.bufferedBytes() < 1024);
  assert.equal(framer.next()?.kind, 'command', 'the next command is read normally');
  for (const size of ['4294967296', '18446744073709551616', '99999999999999999999999999']) {
    const evs = feed(`a LOGIN {${size}}\r\n`, 1, { authenticated: false });
    assert.deepEqual(evs, [{ kind: 'error', tag: 'a', status: 'BAD', code: 'TOOBIG', fatal: false }], size);
  }
});

test('T37: malformed literal announcements are ordinary text the parser rejects', () => {
  for (const bad of ['{-1}', '{1a}', '{ 5}', '{}', '{+}']) {
    assert.deepEqual(feed(`a LOGIN ${bad}\r\n`, 0, { authenticated: false }), [{ kind: 'command', lines: [`a LOGIN ${bad}`], literals: [] }]);
  }
});

test('T37: a non-synchronising literal followed by endless bytes is cut off with bounded memory', () => {
  const framer = new CommandFramer();
  framer.push(Buffer.from('a LOGIN {5+}\r\n'));
  assert.equal(framer.next(), null);
  const junk = Buffer.alloc(65536, 0x78);
  let error = null;
  for (let i = 0; i < 200 && !error; i++) {
    framer.push(junk);
    for (let ev = framer.next(); ev; ev = framer.next()) if (ev.kind === 'error') error = ev;
    assert.ok(framer.bufferedBytes() <= 8192 + 65536, 'bounded');
  }
  assert.ok(error?.fatal, 'fatal error');
  assert.equal(error.tag, 'a');
  framer.push(Buffer.from('b NOOP\r\n'));
  assert.equal(framer.next(), null, 'nothing is read after a fatal error');
  assert.ok(framer.bufferedBytes() === 0);
});

test('a non-synchronising literal larger than the budget is fatal (the bytes are coming anyway)', () => {
  assert.deepEqual(feed('a LOGIN {10000+}\r\n', 3, { authenticated: false }), [{ kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: true }]);
});

test('LITERAL- mode: non-synchronising literals over 4096 bytes are fatal, also for APPEND (T38)', () => {
  const limits = { maxNonSyncLiteralBytes: 4096 };
  const events = feed('a APPEND INBOX {5000+}\r\n' + 'x'.repeat(5000) + '\r\n', 7, { limits });
  assert.deepEqual(events, [{ kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: true }]);
  assert.equal(feed('a APPEND INBOX {4096+}\r\n' + 'x'.repeat(4096) + '\r\n', 0, { limits })[0]?.kind, 'append');
});

test('T38: APPEND over the size limit gets NO [TOOBIG] before any continuation', () => {
  const events = feed('a APPEND INBOX {999999999}\r\nb NOOP\r\n', 1, { limits: { maxAppendBytes: 1000 } });
  assert.deepEqual(events, [
    { kind: 'error', tag: 'a', status: 'NO', code: 'TOOBIG', fatal: false },
    { kind: 'command', lines: ['b NOOP'], literals: [] },
  ]);
});

test('T38: a non-APPEND literal counts against the 64 KiB command budget', () => {
  assert.deepEqual(feed('a SEARCH TEXT {70000}\r\n', 0), [{ kind: 'error', tag: 'a', status: 'BAD', code: 'TOOBIG', fatal: false }]);
  const ok = feed('a SEARCH TEXT {60000}\r\n' + 'y'.repeat(60000) + '\r\n', 4096);
  assert.equal(ok[1]?.kind, 'command');
});

test('T39: line length limits before and after login', () => {
  const pre = feed('a LOGIN ' + 'x'.repeat(9000) + '\r\n', 100, { authenticated: false });
  assert.deepEqual(pre, [{ kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: true }]);
  const okPre = feed('a LOGIN ' + 'x'.repeat(8000) + ' y\r\n', 100, { authenticated: false });
  assert.equal(okPre[0]?.kind, 'command');
  const post = feed('a SEARCH TEXT ' + 'x'.repeat(70000) + '\r\n', 1000);
  assert.deepEqual(post, [{ kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: true }]);
  const okPost = feed('a SEARCH TEXT ' + 'x'.repeat(60000) + '\r\n', 1000);
  assert.equal(okPost[0]?.kind, 'command');
});

test('T39: 10 MB without a line end is cut off with memory bounded by the limit', () => {
  const framer = new CommandFramer();
  framer.setAuthenticated(true);
  const chunk = Buffer.alloc(100000, 0x41);
  let fatal = false;
  for (let i = 0; i < 100 && !fatal; i++) {
    framer.push(chunk);
    for (let ev = framer.next(); ev; ev = framer.next()) fatal ||= ev.kind === 'error' && ev.fatal;
    assert.ok(framer.bufferedBytes() <= 65536 + 100000);
  }
  assert.ok(fatal);
});

test('rejecting a synchronising APPEND: the client sends no literal, the next command is read', () => {
  const events = feed('a APPEND Nope {10}\r\nb NOOP\r\n', 1, { appendDecision: () => false });
  assert.deepEqual(events, [
    { kind: 'append', lines: ['a APPEND Nope {10}'], literals: [], size: 10, synchronizing: true },
    { kind: 'command', lines: ['b NOOP'], literals: [] },
  ]);
});

test('rejecting a non-synchronising APPEND drops its bytes without executing them', () => {
  const input = 'a APPEND Nope {23+}\r\nc DELETE INBOX\r\nd XYZ\r\n\r\nb NOOP\r\n';
  for (let size = 1; size <= input.length; size++) {
    assert.deepEqual(feed(input, size, { appendDecision: () => false }), [
      { kind: 'append', lines: ['a APPEND Nope {23+}'], literals: [], size: 23, synchronizing: false },
      { kind: 'command', lines: ['b NOOP'], literals: [] },
    ]);
  }
});

test('data after the APPEND message is a BAD; MULTIAPPEND is not offered', () => {
  assert.deepEqual(feed('a APPEND INBOX {2}\r\nhi junk\r\nb NOOP\r\n', 1).slice(2), [
    { kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: false },
    { kind: 'command', lines: ['b NOOP'], literals: [] },
  ]);
  const multi = feed('a APPEND INBOX {2+}\r\nhi {2+}\r\nho\r\n', 0);
  assert.deepEqual(multi.at(-1), { kind: 'error', tag: 'a', status: 'BAD', code: null, fatal: true });
});

test('a 25 MiB APPEND streams through without being buffered', () => {
  const framer = new CommandFramer();
  framer.setAuthenticated(true);
  const size = 25 * 1024 * 1024;
  framer.push(Buffer.from(`a APPEND INBOX {${size}+}\r\n`));
  const first = framer.next();
  assert.equal(first?.kind, 'append');
  framer.acceptAppend();
  const chunk = Buffer.alloc(1 << 20, 0x61);
  let received = 0;
  let maxBuffered = 0;
  for (let sent = 0; sent < size; sent += chunk.length) {
    framer.push(chunk);
    for (let ev = framer.next(); ev; ev = framer.next()) if (ev.kind === 'append-data') received += ev.chunk.length;
    maxBuffered = Math.max(maxBuffered, framer.bufferedBytes());
  }
  framer.push(Buffer.from('\r\n'));
  assert.deepEqual(framer.next(), { kind: 'append-end' });
  assert.equal(received, size);
  assert.ok(maxBuffered < 4096, `framer held ${maxBuffered} bytes`);
});

test('next() while an APPEND decision is pending is a programming error', () => {
  const framer = new CommandFramer();
  framer.setAuthenticated(true);
  framer.push(Buffer.from('a APPEND INBOX {3}\r\n'));
  assert.equal(framer.next()?.kind, 'append');
  assert.throws(() => framer.next());
  assert.throws(() => new CommandFramer().acceptAppend());
});

test('discardInput drops pipelined bytes (STARTTLS injection, T47)', () => {
  const framer = new CommandFramer();
  framer.push(Buffer.from('a STARTTLS\r\nb LOGIN alice pw\r\n'));
  assert.equal(framer.next()?.kind, 'command');
  framer.discardInput();
  assert.equal(framer.next(), null);
  framer.push(Buffer.from('c NOOP\r\n'));
  const ev = framer.next();
  assert.ok(ev?.kind === 'command' && ev.frame.lines[0]?.toString() === 'c NOOP');
});

test('a zero-length synchronising literal still asks for a continuation', () => {
  assert.deepEqual(feed('a LOGIN {0}\r\n x\r\n', 1), [{ kind: 'continue' }, { kind: 'command', lines: ['a LOGIN {0}', ' x'], literals: [''] }]);
});
