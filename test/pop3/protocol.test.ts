import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineFramer, err, keywordOf, multiline, ok, parseCommand, safeText, type FramedLine } from '../../src/pop3/protocol.js';

/** Feeds `input` to a framer in pieces of `size` octets and collects everything it yields. */
function frame(input: Buffer, size: number, max = 32): string[] {
  const framer = new LineFramer(max);
  const out: string[] = [];
  const drain = (): void => {
    for (let l: FramedLine | null = framer.next(); l; l = framer.next()) out.push(l.kind === 'line' ? `${l.bytes.toString('latin1')}/${l.octets}` : '<overflow>');
  };
  for (let i = 0; i < input.length; i += size) {
    framer.push(input.subarray(i, i + size));
    drain();
  }
  return out;
}

describe('pop3 line framer', () => {
  const input = Buffer.from(`USER a\r\nPASS b c\r\n\r\nNOOP\n${'X'.repeat(100)}\r\nSTAT\r\nQUIT\r`);
  const expected = ['USER a/8', 'PASS b c/10', '/2', 'NOOP/5', '<overflow>', 'STAT/6'];

  it('yields the same lines for every chunk size, dropping an over-long line', () => {
    for (let size = 1; size <= input.length; size++) assert.deepEqual(frame(input, size), expected, `chunk size ${size}`);
  });

  it('never holds more than the limit of an unterminated line', () => {
    const framer = new LineFramer(16);
    for (let i = 0; i < 1000; i++) {
      framer.push(Buffer.alloc(100, 0x41));
      assert.equal(framer.next(), null);
      assert.ok(framer.pendingBytes <= 116);
    }
    framer.push(Buffer.from('\r\nNOOP\r\n'));
    assert.deepEqual(framer.next(), { kind: 'overflow' });
    assert.equal(framer.next()?.kind, 'line');
  });

  it('counts a line of exactly the limit as fine and one more octet as overflow', () => {
    assert.deepEqual(frame(Buffer.from(`${'A'.repeat(30)}\r\n${'B'.repeat(31)}\r\n`), 7), [`${'A'.repeat(30)}/32`, '<overflow>']);
  });

  it('clear() drops pipelined input (STLS)', () => {
    const framer = new LineFramer(64);
    framer.push(Buffer.from('STLS\r\nUSER x\r\nPASS y\r\nUS'));
    assert.equal(framer.next()?.kind, 'line');
    framer.clear();
    assert.equal(framer.next(), null);
    framer.push(Buffer.from('ER z\r\n'));
    const l = framer.next();
    assert.ok(l && l.kind === 'line' && l.bytes.toString() === 'ER z');
  });
});

describe('pop3 command parser', () => {
  const table: [string, unknown][] = [
    ['USER alice@example.com', { name: 'USER', user: 'alice@example.com' }],
    ['user Alice', { name: 'USER', user: 'Alice' }],
    ['PASS secret with  spaces ', { name: 'PASS', password: 'secret with  spaces ' }],
    ['STAT', { name: 'STAT' }],
    ['LIST', { name: 'LIST', msg: null }],
    ['LIST 3', { name: 'LIST', msg: 3 }],
    ['UIDL 12', { name: 'UIDL', msg: 12 }],
    ['RETR 1', { name: 'RETR', msg: 1 }],
    ['RETR 0', { name: 'RETR', msg: 0 }],
    ['DELE 999999999', { name: 'DELE', msg: 999999999 }],
    ['TOP 1 0', { name: 'TOP', msg: 1, lines: 0 }],
    ['AUTH plain', { name: 'AUTH', mechanism: 'PLAIN', initialResponse: null }],
    ['AUTH PLAIN AGFsaWNl', { name: 'AUTH', mechanism: 'PLAIN', initialResponse: 'AGFsaWNl' }],
    ['APOP a b', { name: 'APOP' }],
    ['CAPA', { name: 'CAPA' }],
    ['STLS', { name: 'STLS' }],
  ];
  it('parses valid commands', () => {
    for (const [line, expected] of table) assert.deepEqual(parseCommand(line), expected, line);
  });

  it('rejects bad arguments as syntax errors and unknown keywords as unknown', () => {
    for (const line of ['RETR', 'RETR -1', 'RETR 1a', 'RETR 99999999999999999999', 'RETR 1 2', 'TOP 1', 'TOP 1 -1', 'TOP 1 99999999999', 'LIST x', 'STAT 1', 'USER', 'USER a b', 'PASS', 'AUTH', 'QUIT now']) {
      const r = parseCommand(line);
      assert.equal(r.name, 'ERROR', line);
      assert.equal((r as { kind: string }).kind, 'syntax', line);
    }
    for (const line of ['', ' ', 'HELO x', 'XYZZY', '\x1b[31m', 'RETR\t1', '1 RETR']) {
      const r = parseCommand(line);
      assert.equal(r.name, 'ERROR', JSON.stringify(line));
      assert.equal((r as { kind: string }).kind, 'unknown', JSON.stringify(line));
    }
  });

  it('finds the keyword to choose a line budget', () => {
    assert.equal(keywordOf('auth PLAIN xyz'), 'AUTH');
    assert.equal(keywordOf('PASS'), 'PASS');
    assert.equal(keywordOf('!!'), '');
  });
});

describe('pop3 response encoder', () => {
  it('writes status lines with response codes and no raw control bytes', () => {
    assert.equal(ok(''), '+OK\r\n');
    assert.equal(ok('2 320'), '+OK 2 320\r\n');
    assert.equal(err('locked', 'IN-USE'), '-ERR [IN-USE] locked\r\n');
    assert.equal(err('bad\r\nINJECTED\x1b\x00'), '-ERR bad??INJECTED??\r\n');
    assert.equal(safeText('x'.repeat(500)).length, 100);
  });

  it('byte-stuffs multi-line listings and terminates them', () => {
    assert.equal(multiline('caps', ['TOP', '.dot', 'UIDL']), '+OK caps\r\nTOP\r\n..dot\r\nUIDL\r\n.\r\n');
    assert.equal(multiline('none', []), '+OK none\r\n.\r\n');
  });
});
