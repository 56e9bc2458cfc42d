/**
 * BODY[section]<partial> resolution against real MIME indexes, header field
 * filtering, and BODYSTRUCTURE corner cases (RFC 2231 output, 8-bit
 * headers, unparsed message/rfc822, multipart without parts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexMessage } from '../../../src/mime/index.js';
import { applyPartial, filterHeaderFields, resolveSection } from '../../../src/imap/protocol/section-resolver.js';
import { encodeValues } from '../../../src/imap/protocol/encoder.js';
import { messageBodyStructure, messageEnvelope } from '../../../src/imap/protocol/body-structure.js';
import type { FetchSection } from '../../../src/imap/protocol/types.js';
import { parseText } from './codec-helpers.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

const NESTED = crlf(`From: a@example.com
Subject: test
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

part one
--b1
Content-Type: message/rfc822

Subject: inner
X-Other: y
 folded
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain

inner plain
--b2
Content-Type: text/html

<p>inner</p>
--b2--

--b1--
`);

/** Parses `BODY[<spec>]` with the real parser and resolves it; returns the sliced text or null. */
function slice(raw: Buffer, spec: string): string | null {
  const r = parseText(`a FETCH 1 BODY[${spec}]\r\n`);
  assert.ok(r.ok && r.command.name === 'FETCH');
  const att = r.command.items[0];
  assert.ok(att?.kind === 'BODY[]');
  const range = resolveSection(indexMessage(raw), att.section);
  if (!range) return null;
  const bytes = raw.subarray(range.start, range.end);
  return (range.fields ? filterHeaderFields(bytes, range.fields.names, range.fields.not) : bytes).toString('latin1');
}

const after = (raw: Buffer, marker: string): string => {
  const s = raw.toString('latin1');
  return s.slice(s.indexOf(marker));
};

test('sections of a multipart with a nested message/rfc822', () => {
  const s = NESTED.toString('latin1');
  const table: [string, string | null][] = [
    ['', s],
    ['HEADER', s.slice(0, s.indexOf('--b1'))],
    ['TEXT', after(NESTED, '--b1')],
    ['1', 'part one'],
    ['1.MIME', 'Content-Type: text/plain\r\n\r\n'],
    ['2.MIME', 'Content-Type: message/rfc822\r\n\r\n'],
    ['2', s.slice(s.indexOf('Subject: inner'), s.indexOf('\r\n--b1--'))],
    ['2.HEADER', 'Subject: inner\r\nX-Other: y\r\n folded\r\nContent-Type: multipart/alternative; boundary="b2"\r\n\r\n'],
    ['2.TEXT', s.slice(s.indexOf('--b2\r\n'), s.indexOf('\r\n--b1--'))],
    ['2.1', 'inner plain'],
    ['2.2', '<p>inner</p>'],
    ['2.2.MIME', 'Content-Type: text/html\r\n\r\n'],
    ['2.HEADER.FIELDS (SUBJECT)', 'Subject: inner\r\n\r\n'],
    ['2.HEADER.FIELDS.NOT (Subject content-type)', 'X-Other: y\r\n folded\r\n\r\n'],
    ['HEADER.FIELDS (FROM X-NONE)', 'From: a@example.com\r\n\r\n'],
    ['HEADER.FIELDS (X-NONE)', '\r\n'],
    ['3', null],
    ['1.1', null],
    ['2.3', null],
    ['2.1.1', null],
  ];
  for (const [spec, want] of table) assert.equal(slice(NESTED, spec), want, `BODY[${spec}]`);
});

test('sections of a single-part message and of a message/rfc822 root', () => {
  const single = crlf('Subject: s\n\nhello\nworld\n');
  assert.equal(slice(single, '1'), 'hello\r\nworld\r\n');
  assert.equal(slice(single, 'TEXT'), 'hello\r\nworld\r\n');
  assert.equal(slice(single, '1.MIME'), 'Subject: s\r\n\r\n');
  assert.equal(slice(single, '2'), null);
  const root = crlf('Subject: outer\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n');
  assert.equal(slice(root, '1'), 'Subject: inner\r\n\r\ninner body\r\n');
  assert.equal(slice(root, '1.HEADER'), 'Subject: inner\r\n\r\n');
  assert.equal(slice(root, '1.TEXT'), 'inner body\r\n');
  assert.equal(slice(root, '1.1'), 'inner body\r\n');
  assert.equal(slice(root, 'HEADER.FIELDS (SUBJECT)'), 'Subject: outer\r\n\r\n');
});

test('resolveSection never throws on any part path', () => {
  const index = indexMessage(NESTED);
  for (const part of [[0], [99], [2, 2, 2, 2], [4294967295], Array(200).fill(1)]) {
    const section: FetchSection = { part, specifier: 'MIME', fields: [] };
    assert.doesNotThrow(() => resolveSection(index, section));
  }
});

test('filterHeaderFields keeps folded lines, tolerates bare LF and ends with a blank line', () => {
  const header = Buffer.from('Subject: a\r\n b\r\nX-A: 1\nx-a: 2\r\nFrom: f\r\n\r\n');
  assert.equal(filterHeaderFields(header, ['X-A', 'SUBJECT'], false).toString(), 'Subject: a\r\n b\r\nX-A: 1\nx-a: 2\r\n\r\n');
  assert.equal(filterHeaderFields(header, ['X-A', 'SUBJECT'], true).toString(), 'From: f\r\n\r\n');
  assert.equal(filterHeaderFields(Buffer.from('A: 1'), ['A'], false).toString(), 'A: 1\r\n\r\n');
});

test('partial fetch ranges (RFC 3501 §6.4.5)', () => {
  assert.deepEqual(applyPartial(100, null), { start: 0, end: 100 });
  assert.deepEqual(applyPartial(100, { offset: 10, length: 20 }), { start: 10, end: 30 });
  assert.deepEqual(applyPartial(100, { offset: 90, length: 20 }), { start: 90, end: 100 });
  assert.deepEqual(applyPartial(100, { offset: 200, length: 20 }), { start: 100, end: 100 });
});

test('BODYSTRUCTURE corner cases', () => {
  const bs = (raw: string, ext = true): string => encodeValues([messageBodyStructure(indexMessage(crlf(raw)), ext)]).toString('latin1');
  // Non-ASCII RFC 2231 value goes back out as a UTF-8 extended parameter.
  assert.equal(
    bs("Content-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename*=utf-8''na%C3%AFve.txt\n\nx\n"),
    `("text" "plain" ("charset" "utf-8") NIL NIL "7BIT" 3 1 NIL ("attachment" ("filename*" "utf-8''na%C3%AFve.txt")) NIL NIL)`,
  );
  // A transfer-encoded message/rfc822 is not parsed: it is described as a basic part.
  assert.equal(
    bs('Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5DQo=\n'),
    '("message" "rfc822" NIL NIL NIL "BASE64" 26 NIL NIL NIL NIL)',
  );
  // A multipart without a boundary still has one (empty) body, as `1*body` requires.
  assert.equal(bs('Content-Type: multipart/mixed\n\nno parts\n', false), '(("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 0 0) "mixed")');
  // Language list, location, md5.
  assert.equal(
    bs('Content-Type: text/html; charset=x\nContent-Language: en, fr\nContent-Location: http://e/x\nContent-MD5: abc=\n\n<p>\n'),
    '("text" "html" ("charset" "x") NIL NIL "7BIT" 5 1 "abc=" NIL ("en" "fr") "http://e/x")',
  );
});

test('ENVELOPE with 8-bit header text uses a literal', () => {
  const raw = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\nFrom: "Q \\"x\\"" <q@x>\r\n\r\nbody\r\n')]);
  const env = encodeValues([messageEnvelope(indexMessage(raw))]).toString('latin1');
  assert.ok(env.startsWith('(NIL {5}\r\ncaf\xc3\xa9 (('), env);
  assert.ok(env.includes('(("Q \\"x\\"" NIL "q" "x"))'), env);
});
