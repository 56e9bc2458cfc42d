/**
 * Parser refusals: syntax errors, unknown commands, bad numbers, nesting
 * limits (T40), NUL/CTL/8-bit in strings (T45), sequence sets (T41),
 * modified UTF-7 (T43), unsupported charsets. Small inputs are also framed
 * in chunks of every size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText } from './codec-helpers.js';
import { parseAppendPrefix, parseCommand, frameTag } from '../../../src/imap/protocol/parser.js';
import { PRE_AUTH_PARSER_OPTIONS } from '../../../src/imap/protocol/parse-common.js';
import { CommandFramer } from '../../../src/imap/protocol/framer.js';

type Expect = { tag: string | null; status: 'BAD' | 'NO'; code?: string | null; codeArgs?: string[] };

const ERRORS: [string, Expect][] = [
  ['a FOO\r\n', { tag: 'a', status: 'BAD' }],
  ['\r\n', { tag: null, status: 'BAD' }],
  ['* NOOP\r\n', { tag: null, status: 'BAD' }],
  ['a+b NOOP\r\n', { tag: null, status: 'BAD' }],
  ['a\r\n', { tag: 'a', status: 'BAD' }],
  ['a  NOOP\r\n', { tag: 'a', status: 'BAD' }],
  ['a NOOP extra\r\n', { tag: 'a', status: 'BAD' }],
  ['a NOOP (((\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN "al\x00ice" "pw"\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN {5}\r\nal\x00ce pw\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN "al\rice" pw\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN alice "pw\\\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN alice "p\\w"\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN alice "p\xffw"\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN alice\r\n', { tag: 'a', status: 'BAD' }],
  ['a LOGIN {5}\r\nalice\r\n', { tag: 'a', status: 'BAD' }],
  ['a AUTHENTICATE PLAIN a$b\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 0 (FLAGS)\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 4294967296 (FLAGS)\r\n', { tag: 'a', status: 'BAD' }],
  ['a UID FETCH 4294967296 (FLAGS)\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1:0 FLAGS\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1, FLAGS\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 (FLAGS\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 ()\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BODY[4.0]\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BODY[MIME]\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BODY[HEADER.FIELDS]\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BODY[1]<5>\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BODY.PEEK\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 BINARY[1]\r\n', { tag: 'a', status: 'BAD' }],
  ['a FETCH 1 (FLAGS) (VANISHED)\r\n', { tag: 'a', status: 'BAD' }],
  ['a UID FETCH 1 (FLAGS) (VANISHED)\r\n', { tag: 'a', status: 'BAD' }],
  ['a UID FETCH 1 (FLAGS) (CHANGEDSINCE 9223372036854775808)\r\n', { tag: 'a', status: 'BAD' }],
  ['a STORE 1 FLAGZ (\\Seen)\r\n', { tag: 'a', status: 'BAD' }],
  ['a STORE 1 +FLAGS\r\n', { tag: 'a', status: 'BAD' }],
  ['a STATUS INBOX (FOO)\r\n', { tag: 'a', status: 'BAD' }],
  ['a STATUS INBOX ()\r\n', { tag: 'a', status: 'BAD' }],
  ['a SELECT INBOX (FOO)\r\n', { tag: 'a', status: 'BAD' }],
  ['a SELECT INBOX (QRESYNC (0 1))\r\n', { tag: 'a', status: 'BAD' }],
  ['a LIST (RECURSIVEMATCH) "" *\r\n', { tag: 'a', status: 'BAD' }],
  ['a LIST "" * RETURN (FOO)\r\n', { tag: 'a', status: 'BAD' }],
  ['a APPEND INBOX\r\n', { tag: 'a', status: 'BAD' }],
  ['a UID NOOP\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH FOO\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH BEFORE 30-Feb-2024\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH ON 1-Foo-2020\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH OR ALL\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH (ALL\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH SUBJECT "\xff"\r\n', { tag: 'a', status: 'BAD' }],
  ['a SEARCH CHARSET ISO-8859-1 ALL\r\n', { tag: 'a', status: 'NO', code: 'BADCHARSET', codeArgs: ['UTF-8', 'US-ASCII'] }],
  ['a SEARCH RETURN (FOO) ALL\r\n', { tag: 'a', status: 'BAD' }],
  ['a ID ("a")\r\n', { tag: 'a', status: 'BAD' }],
  ['a ENABLE\r\n', { tag: 'a', status: 'BAD' }],
  ['a CREATE "&"\r\n', { tag: 'a', status: 'NO' }],
  ['a CREATE "&Jjo"\r\n', { tag: 'a', status: 'NO' }],
  ['a CREATE "&Jjo!"\r\n', { tag: 'a', status: 'NO' }],
  ['a CREATE "&U,BTFw-&ZeVnLIqe-"\r\n', { tag: 'a', status: 'NO' }],
  ['a SELECT "&AGE-"\r\n', { tag: 'a', status: 'NO' }],
  ['a RENAME x "&2D0-"\r\n', { tag: 'a', status: 'NO' }],
  ['a CREATE "p\xe4\xe4"\r\n', { tag: 'a', status: 'NO' }],
  ['a CREATE {4}\r\nx\r\ny\r\n', { tag: 'a', status: 'NO' }],
];

function check(input: string, expected: Expect, chunk: number): void {
  const r = parseText(input, undefined, chunk);
  assert.ok(!r.ok, `${JSON.stringify(input)} should fail`);
  assert.equal(r.error.tag, expected.tag, JSON.stringify(input));
  assert.equal(r.error.status, expected.status, JSON.stringify(input));
  if (expected.code !== undefined) assert.equal(r.error.code, expected.code);
  if (expected.codeArgs) assert.deepEqual(r.error.codeArgs, expected.codeArgs);
  assert.ok(r.error.message.length > 0 && !/[\r\n]/.test(r.error.message));
}

test('error fixtures: each input is refused with the right tag and status', () => {
  for (const [input, expected] of ERRORS) check(input, expected, 0);
});

test('error fixtures give the same refusal when framed in chunks of every size', () => {
  for (const [input, expected] of ERRORS) for (let size = 1; size <= input.length; size++) check(input, expected, size);
});

test('T40: nesting limits stop deep SEARCH and FETCH sections without a stack overflow', () => {
  const cases = [
    'a SEARCH ' + '('.repeat(150) + 'ALL' + ')'.repeat(150),
    'a SEARCH ' + 'NOT '.repeat(15000) + 'ALL',
    'a SEARCH ' + 'OR ALL '.repeat(9000) + 'ALL',
    'a FETCH 1 BODY[' + '1.'.repeat(30000) + '1]',
  ];
  for (const c of cases) check(c + '\r\n', { tag: 'a', status: 'BAD' }, 0);
  assert.ok(parseText('a SEARCH ' + '('.repeat(50) + 'ALL' + ')'.repeat(50) + '\r\n').ok, 'moderate nesting is fine');
  assert.ok(parseText('a SEARCH ' + 'NOT '.repeat(99) + 'ALL\r\n').ok);
});

test('T40: before login one list level only', () => {
  const framer = new CommandFramer();
  framer.push(Buffer.from('a NOOP ' + '('.repeat(4000) + ')'.repeat(4000) + '\r\nb SEARCH ((ALL))\r\nc ID ("x" "y")\r\n'));
  const results = [];
  for (let ev = framer.next(); ev; ev = framer.next()) if (ev.kind === 'command') results.push(parseCommand(ev.frame, PRE_AUTH_PARSER_OPTIONS));
  assert.equal(results.length, 3);
  assert.ok(!results[0]?.ok && !results[1]?.ok);
  assert.ok(results[2]?.ok, 'a flat ID list is fine before login');
});

test('T41: a long sequence set parses in bounded time', () => {
  const r = parseText('a FETCH ' + '1,'.repeat(30000) + '1 (FLAGS)\r\n');
  assert.ok(r.ok && r.command.name === 'FETCH' && r.command.set.kind === 'ranges' && r.command.set.ranges.length === 30001);
});

test('parseAppendPrefix reads mailbox, flags and date before the message literal', () => {
  const frame = { lines: [Buffer.from('A003 APPEND saved-messages (\\Seen $Work) " 7-Feb-1994 21:52:25 -0800" {310}')], literals: [] };
  assert.deepEqual(parseAppendPrefix(frame, 310, true), {
    ok: true,
    command: { tag: 'A003', name: 'APPEND', mailbox: 'saved-messages', flags: ['\\Seen', '$Work'], date: new Date('1994-02-08T05:52:25Z'), size: 310, synchronizing: true },
  });
  const lit = { lines: [Buffer.from('b APPEND {5}'), Buffer.from(' {3+}')], literals: [Buffer.from('inbox')] };
  assert.deepEqual(parseAppendPrefix(lit, 3, false), { ok: true, command: { tag: 'b', name: 'APPEND', mailbox: 'INBOX', flags: [], date: null, size: 3, synchronizing: false } });
  const bad = parseAppendPrefix({ lines: [Buffer.from('c APPEND INBOX "31-Feb-2020 00:00:00 +0000" {3}')], literals: [] }, 3, true);
  assert.ok(!bad.ok && bad.error.tag === 'c' && bad.error.status === 'BAD');
  const badName = parseAppendPrefix({ lines: [Buffer.from('d APPEND &Jjo {3}')], literals: [] }, 3, true);
  assert.ok(!badName.ok && badName.error.status === 'NO');
});

test('frameTag recovers the tag of an unparseable frame', () => {
  assert.equal(frameTag({ lines: [Buffer.from('x1 WHATEVER')], literals: [] }), 'x1');
  assert.equal(frameTag({ lines: [Buffer.from('* WHATEVER')], literals: [] }), null);
});
