// Streaming properties of the MIME indexer: identical results whatever the
// chunking, no exception and sane offsets on random input, bounded memory on
// huge parts and lines, and the nesting/part/header limits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../../src/errors.js';
import { createMimeIndexer, indexMessage } from '../../src/mime/index.js';
import { assertSane, depthOf, fixtureNames, flatten, indexChunked, loadFixture, prng } from './mime-helpers.js';

describe('MIME indexer chunking', () => {
  for (const name of fixtureNames()) {
    it(`${name}: every chunk size from 1 to 64 gives the single-chunk result`, () => {
      const raw = loadFixture(name);
      const whole = indexChunked(raw, 0);
      for (let size = 1; size <= 64; size++) {
        assert.deepStrictEqual(indexChunked(raw, size), whole, `chunk size ${size}`);
      }
    });
  }

  it('limits hit mid-stream give the same result at every chunk size', () => {
    const raw = loadFixture('11-deep-nesting.eml');
    for (const limits of [{ maxDepth: 2 }, { maxParts: 4 }, { maxHeaderBytes: 150 }]) {
      const whole = indexChunked(raw, 0, limits);
      assert.equal(whole.truncated, true, JSON.stringify(limits));
      for (let size = 1; size <= 64; size++) assert.deepStrictEqual(indexChunked(raw, size, limits), whole);
    }
  });
});

/** Random messages built from MIME-looking pieces and random bytes, so structure actually occurs. */
function randomMessage(rand: () => number): Buffer {
  const pieces = [
    'Content-Type: multipart/mixed; boundary=x\r\n',
    'Content-Type: multipart/digest; boundary="y"\r\n',
    'Content-Type: message/rfc822\r\n',
    'From: a <b@c>, (x) "q" <@r:d@e>, g:h@i;\r\n',
    '\r\n',
    '\n',
    '--x\r\n',
    '--x--\r\n',
    '--y\r\n',
    '--y--',
    '\r',
    ' folded\r\n',
    'Subject: =?utf-8?q?x?=\r\n',
    "Content-Disposition: attachment; filename*0*=utf-8''%C3; filename*1*=%A9\r\n",
  ];
  const out: Buffer[] = [];
  const n = Math.floor(rand() * 60);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.7) {
      out.push(Buffer.from(pieces[Math.floor(rand() * pieces.length)] as string, 'latin1'));
    } else {
      const b = Buffer.alloc(Math.floor(rand() * 40));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
      out.push(b);
    }
  }
  return Buffer.concat(out);
}

describe('MIME indexer on random input', () => {
  it('never throws, keeps offsets sane and is chunking-independent (seeded, 400 messages)', () => {
    const rand = prng(20240611);
    for (let iter = 0; iter < 400; iter++) {
      const raw = randomMessage(rand);
      const whole = indexMessage(raw);
      assertSane(whole, raw);
      const size = 1 + Math.floor(rand() * 17);
      assert.deepStrictEqual(indexChunked(raw, size), whole, `iteration ${iter}, chunk size ${size}`);
    }
  });

  it('pure random bytes, including NULs and lone CRs, never throw', () => {
    const rand = prng(7);
    for (let iter = 0; iter < 200; iter++) {
      const raw = Buffer.alloc(Math.floor(rand() * 3000));
      for (let j = 0; j < raw.length; j++) raw[j] = Math.floor(rand() * 256);
      assertSane(indexMessage(raw), raw);
    }
  });
});

describe('MIME indexer memory and limits', () => {
  it('a 20 MiB part in 64 KiB chunks keeps the retained buffer small, even with a 4 MiB line', () => {
    const ix = createMimeIndexer();
    const head = Buffer.from('Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n');
    ix.push(head);
    const line = Buffer.from(`${'QUJDRA'.repeat(12)}AAAA\r\n`);
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = line[i % line.length] as number;
    const longLine = Buffer.alloc(64 * 1024, 0x41);
    let max = 0;
    let pushed = 0;
    for (let i = 0; i < 320; i++) {
      ix.push(i >= 100 && i < 164 ? longLine : chunk);
      pushed += chunk.length;
      max = Math.max(max, ix.retainedBytes());
    }
    const tail = Buffer.from('\r\n--b--\r\n');
    ix.push(tail);
    const index = ix.end();
    assert.ok(max <= 1024, `retained ${max} bytes`);
    assert.equal(index.size, head.length + pushed + tail.length);
    const part = index.root.children[0];
    assert.ok(part);
    assert.equal(part.bodyStart, head.length);
    assert.equal(part.bodyEnd, head.length + pushed);
    assert.equal(index.truncated, false);
  });

  it('a header over the header budget: truncated, complete lines kept, rest is body, memory bounded', () => {
    const ix = createMimeIndexer({ maxHeaderBytes: 64 * 1024 });
    const first = Buffer.from('Subject: huge\r\nContent-Type: text/html\r\nX-Junk: ');
    ix.push(first);
    let max = 0;
    for (let i = 0; i < 64; i++) {
      ix.push(Buffer.alloc(16 * 1024, 0x61));
      max = Math.max(max, ix.retainedBytes());
    }
    const index = ix.end();
    assert.equal(index.truncated, true);
    assert.ok(max <= 64 * 1024 + 1024, `retained ${max}`);
    assert.equal(index.root.subtype, 'html');
    assert.equal(index.root.envelope?.subject, 'huge');
    assert.equal(index.root.bodyStart, first.length - 'X-Junk: '.length);
    assert.equal(index.root.bodyEnd, index.size);
  });

  it('150 nested multiparts: nesting stops at 100, no exception', () => {
    let msg = '';
    for (let d = 0; d < 150; d++) msg += `Content-Type: multipart/mixed; boundary=n${d}\r\n\r\n--n${d}\r\n`;
    msg += 'Content-Type: text/plain\r\n\r\ndeep\r\n';
    for (let d = 149; d >= 0; d--) msg += `--n${d}--\r\n`;
    const raw = Buffer.from(msg);
    const index = indexMessage(raw);
    assertSane(index, raw);
    assert.equal(index.truncated, true);
    assert.equal(depthOf(index.root), 100);
  });

  it('12 nested message/rfc822: embedded messages stop at 10', () => {
    let msg = '';
    for (let d = 0; d < 12; d++) msg += `Subject: level ${d}\r\nContent-Type: message/rfc822\r\n\r\n`;
    msg += 'Subject: innermost\r\n\r\nhello\r\n';
    const raw = Buffer.from(msg);
    const index = indexMessage(raw);
    assertSane(index, raw);
    assert.equal(index.truncated, true);
    const embedded = flatten(index.root).filter((p) => p.envelope !== null);
    assert.equal(embedded.length, 11);
    const last = embedded[10];
    assert.equal(last?.envelope?.subject, 'level 10');
    assert.equal(last?.children.length, 0);
  });

  it('10 000 part limit: a flood of empty parts stops parsing and is marked truncated', () => {
    const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=f\r\n\r\n${'--f\r\n'.repeat(20000)}--f--\r\n`);
    const index = indexMessage(raw);
    assertSane(index, raw);
    assert.equal(index.truncated, true);
    assert.equal(flatten(index.root).length, 10000);
  });

  it('a multipart without a boundary, or whose boundary never appears, has no children', () => {
    const none = indexMessage(Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n'));
    assert.equal(none.root.children.length, 0);
    const missing = indexMessage(Buffer.from('Content-Type: multipart/mixed; boundary=q\r\n\r\n--x\r\n\r\nbody\r\n'));
    assert.equal(missing.root.children.length, 0);
    assert.equal(missing.truncated, false);
  });

  it('hostile headers stay linear: colon-less lines, ";" floods, unclosed "<" and "("', () => {
    const mib = 1024 * 1024;
    const inputs = [
      `${'x\r\n'.repeat(mib / 3 - 100)}Subject: s\r\n\r\nbody`,
      `Content-Type: multipart/mixed${';'.repeat(mib - 100)}\r\n\r\n`,
      `To: ${'<'.repeat(mib / 2)}\r\nCc: ${'('.repeat(mib / 2 - 100)}\r\n\r\n`,
    ];
    for (const text of inputs) {
      const raw = Buffer.from(text);
      const index = indexMessage(raw);
      assertSane(index, raw);
      assert.equal(index.truncated, false);
    }
  });

  it('push or end after end is a programming error', () => {
    const ix = createMimeIndexer();
    ix.end();
    assert.throws(() => ix.push(Buffer.from('x')), (e: unknown) => isMailError(e, 'invalid'));
    assert.throws(() => ix.end(), (e: unknown) => isMailError(e, 'invalid'));
  });
});
