import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DotStuffer, TopCutter, wholeResponse } from '../../src/pop3/message-stream.js';

/** The whole-buffer reference for stuffing: a "." after every line start doubled, then the terminator. */
function referenceStuff(msg: Buffer): string {
  const text = msg.toString('latin1');
  const stuffed = text.replace(/(^|\n)\./g, '$1..');
  return stuffed + (text === '' || text.endsWith('\n') ? '.\r\n' : '\r\n.\r\n');
}

/** The whole-buffer reference for TOP: header, blank line, n body lines. */
function referenceTop(msg: Buffer, n: number): string {
  const lines = msg.toString('latin1').split(/(?<=\n)/);
  const blank = lines.findIndex((l) => l === '\r\n' || l === '\n');
  if (blank < 0) return lines.join('');
  return lines.slice(0, blank + 1 + n).join('');
}

function inChunks(msg: Buffer, size: number, f: (chunk: Buffer) => Buffer, stop: () => boolean = () => false): string {
  let out = '';
  for (let i = 0; i < msg.length && !stop(); i += size) out += f(msg.subarray(i, i + size)).toString('latin1');
  return out;
}

const samples = [
  '',
  '.',
  'Subject: x\r\n\r\n.\r\n..\r\n.x\r\nend',
  '.starts with dot\r\nA: b\r\n\r\nbody\r\n.\r\n',
  'A: b\r\nC: d\r\n\r\nl1\r\nl2\r\n\r\nl4\r\n.l5\r\n',
  'no blank line at all\r\nX: y\r\n',
  'bare: lf\n\n.one\ntwo\n',
  'A: b\r\n\r\n',
].map((s) => Buffer.from(s, 'latin1'));

describe('pop3 dot-stuffing', () => {
  it('matches the reference for every chunk size', () => {
    for (const msg of samples) {
      for (let size = 1; size <= Math.max(1, msg.length); size++) {
        const s = new DotStuffer();
        const out = inChunks(msg, size, (c) => s.push(c)) + s.finish().toString('latin1');
        assert.equal(out, referenceStuff(msg), `${JSON.stringify(msg.toString())} / ${size}`);
      }
    }
  });

  it('returns the chunk itself when nothing needs stuffing', () => {
    const chunk = Buffer.from('no dots at line starts\r\nhere. either\r\n');
    assert.equal(new DotStuffer().push(chunk), chunk);
  });
});

describe('pop3 whole-message responses (read-ahead)', () => {
  it('equal the head plus the streamed stuffing and terminator, for samples and random messages', () => {
    const random: Buffer[] = [];
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    // Bytes drawn from ".\r\nx" so dots at line starts, bare LFs and CR-LF splits are frequent.
    for (let i = 0; i < 300; i++) random.push(Buffer.from(Array.from({ length: next(60) }, () => '.\r\nx'.charCodeAt(next(4)))));
    for (const msg of [...samples, ...random]) {
      const head = '+OK 12 octets\r\n';
      assert.equal(wholeResponse(head, msg).toString('latin1'), head + referenceStuff(msg), JSON.stringify(msg.toString('latin1')));
    }
  });
});

describe('pop3 TOP cutter', () => {
  it('matches the reference for every chunk size and line count', () => {
    for (const msg of samples) {
      for (const n of [0, 1, 2, 5]) {
        for (let size = 1; size <= Math.max(1, msg.length); size++) {
          const cut = new TopCutter(n);
          const out = inChunks(msg, size, (c) => cut.push(c), () => cut.done);
          assert.equal(out, referenceTop(msg, n), `${JSON.stringify(msg.toString())} n=${n} / ${size}`);
        }
      }
    }
  });
});
