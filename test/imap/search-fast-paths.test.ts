// SEARCH's fast paths give the same answers as decoding everything: BODY on raw bytes (ASCII
// search strings in ASCII-compatible charsets), the cached envelope header table, and the
// literal substring semantics of security-cases T44 on both.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexMessage } from '../../src/mime/index.js';
import { bodyContains, bytesContain, collectBodyText, fold } from '../../src/imap/search-text.js';
import { envelopeColumn, headerRow, rowContains } from '../../src/imap/search-headers.js';

function msg(headers: string, body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${headers.replace(/\n/g, '\r\n')}\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

/** What the fast path must agree with: the whole body text decoded and folded. */
function slow(raw: Buffer, want: string): boolean {
  return fold(collectBodyText(indexMessage(raw).root, raw)).includes(fold(want));
}

function fast(raw: Buffer, want: string): boolean {
  return bodyContains(indexMessage(raw).root, raw, fold(want));
}

const MULTIPART = msg(
  'Subject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"',
  [
    '--b',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=E9 au lait, soft=',
    'break here',
    '--b',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Tietäjä Ärrä HTML</p>').toString('base64'),
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('needle in an attachment').toString('base64'),
    '--b',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner subject line',
    '',
    'inner body',
    '--b--',
    '',
  ].join('\r\n'),
);

describe('SEARCH BODY on raw bytes', () => {
  const cases: [string, Buffer, string][] = [
    ['plain ASCII, other case', msg('Subject: a', 'Hello World'), 'hello WORLD'],
    ['plain ASCII, absent', msg('Subject: a', 'Hello World'), 'zzz'],
    ['a pattern that looks like a regular expression is literal', msg('Subject: a', 'x (a+)+$ y'), '(a+)+$'],
    ['regular expression syntax does not act as one', msg('Subject: a', 'aaaa'), '(a+)+$'],
    ['8-bit UTF-8 body, ASCII pattern', msg('Subject: a\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit', 'Grüße aus Köln'), 'AUS köln'.slice(0, 3)],
    ['8-bit UTF-8 body, non-ASCII pattern in other case', msg('Subject: a\nContent-Type: text/plain; charset=utf-8', 'Grüße aus KÖLN'), 'köln'],
    ['Kelvin sign folds to k', msg('Subject: a\nContent-Type: text/plain; charset=utf-8', '5 \u212Aelvin'), 'kelvin'],
    ['dotted capital I folds to i + dot', msg('Subject: a\nContent-Type: text/plain; charset=utf-8', '\u0130stanbul'), 'i\u0307stanbul'],
    ['quoted-printable soft break joins words', MULTIPART, 'soft break here'],
    ['quoted-printable Latin-1', MULTIPART, 'CAFÉ'],
    ['base64 UTF-8 HTML', MULTIPART, 'tietäjä ärrä'],
    ['attachments are not text', MULTIPART, 'needle'],
    ['embedded message header counts as body', MULTIPART, 'inner subject'],
    ['Windows-1252 body', msg('Subject: a\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit', Buffer.from([0x93, 0x51, 0x75, 0x6f, 0x74, 0x65, 0x94])), '“quote”'],
    ['KOI8-R body decoded', msg('Subject: a\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit', Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4])), 'привет'],
    ['header is not body', msg('Subject: only-in-header', 'body'), 'only-in-header'],
  ];
  for (const [name, raw, want] of cases) {
    it(`${name}: same answer as decoding everything`, () => assert.equal(fast(raw, want), slow(raw, want)));
  }

  it('finds what it should (the table above is not all misses)', () => {
    assert.equal(fast(MULTIPART, 'café'), true);
    assert.equal(fast(MULTIPART, 'needle'), false);
    assert.equal(fast(msg('Subject: a\nContent-Type: text/plain; charset=utf-8', '5 \u212Aelvin'), 'kelvin'), true);
  });

  it('bytesContain falls back to decoding for non-ASCII patterns and unknown charsets', () => {
    assert.equal(bytesContain(Buffer.from('GRÜSSE', 'utf8'), 'utf-8', 'grüsse', false), true);
    assert.equal(bytesContain(Buffer.from([0xc4]), 'iso-8859-1', 'ä', false), true);
    assert.equal(bytesContain(Buffer.from('ABC'), 'x-unknown', 'abc', true), true);
  });
});

describe('envelope header table', () => {
  const env = (raw: string) => indexMessage(Buffer.from(raw.replace(/\n/g, '\r\n'))).root.envelope!;

  it('answers like the envelope: decoded, folded, absent fields never match', () => {
    const row = headerRow(env('Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= .*.*.*.*==\nFrom: "Ann Example" <ann@example.org>, bob@example.net\nTo: undisclosed-recipients:;\n\nbody\n'));
    const subject = envelopeColumn('subject');
    assert.equal(rowContains(row, subject, fold('GRÜSSE'.replace('SS', 'ß'))), true);
    assert.equal(rowContains(row, subject, '.*.*.*.*=='), true);
    assert.equal(rowContains(row, subject, '.*x'), false);
    assert.equal(rowContains(row, envelopeColumn('from'), 'ann example <ann@example.org>'), true);
    assert.equal(rowContains(row, envelopeColumn('from'), 'bob@example.net'), true);
    // The empty string matches a present field only (RFC 3501 §6.4.4 HEADER).
    assert.equal(rowContains(row, envelopeColumn('from'), ''), true);
    assert.equal(rowContains(row, envelopeColumn('cc'), ''), false);
    assert.equal(rowContains(row, envelopeColumn('to'), ''), false);
    // Two addresses never match as one string.
    assert.equal(rowContains(row, envelopeColumn('from'), 'org>, bob'), false);
    assert.equal(envelopeColumn('x-mailer'), -1);
  });
});
