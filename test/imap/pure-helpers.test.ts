// Pure helpers of the IMAP service: LIST pattern matching (linear, T44), mailbox-name rules (T42),
// SEARCH text decoding (RFC 2047 words, quoted-printable, base64, charsets) and sent-date parsing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fullPattern, matchPattern, simplifyPattern } from '../../src/imap/list-match.js';
import { checkNewMailboxName, parentsOf } from '../../src/imap/mailbox-rules.js';
import { DEFAULT_IMAP_LIMITS } from '../../src/imap/limits.js';
import { decodeBase64, decodeCharset, decodeEncodedWords, decodeQuotedPrintable } from '../../src/imap/search-text.js';
import { sentDay } from '../../src/imap/search-evaluator.js';
import { isMailError } from '../../src/errors.js';

describe('LIST patterns', () => {
  const table: [string, string, boolean][] = [
    ['*', 'INBOX', true],
    ['*', 'a/b/c', true],
    ['%', 'a/b', false],
    ['%', 'a', true],
    ['a/%', 'a/b', true],
    ['a/%', 'a/b/c', false],
    ['a/*', 'a/b/c', true],
    ['*c', 'a/b/c', true],
    ['%c', 'a/b/c', false],
    ['a%b', 'axxb', true],
    ['a%b', 'ax/b', false],
    ['INBOX', 'INBOX', true],
    ['tiet*', 'tietäjä', true],
    ['😀%', '😀x', true],
  ];
  for (const [p, n, want] of table) it(`${p} ~ ${n} → ${want}`, () => assert.equal(matchPattern(simplifyPattern(p), n), want));

  it('collapses wildcard runs and joins references', () => {
    assert.equal(simplifyPattern('a**%%*b%%c'), 'a*b%c');
    assert.equal(fullPattern('Work', '%'), 'Work/%');
    assert.equal(fullPattern('Work/', '%'), 'Work/%');
    assert.equal(fullPattern('', 'inbox/x'), 'INBOX/x');
  });

  it('stays fast on hostile patterns', () => {
    const t = Date.now();
    const p = simplifyPattern(`${'*%'.repeat(5000)}x`);
    for (let i = 0; i < 1000; i++) matchPattern(p, 'a/'.repeat(100) + 'y');
    assert.ok(Date.now() - t < 2000);
  });
});

describe('mailbox name rules', () => {
  it('normalises and refuses', () => {
    assert.equal(checkNewMailboxName('Work/', DEFAULT_IMAP_LIMITS), 'Work');
    assert.equal(checkNewMailboxName('inbox/Sub', DEFAULT_IMAP_LIMITS), 'INBOX/Sub');
    for (const bad of ['', '/x', '~x', '#x', 'a//b', 'a/./b', 'a/../b', ' a', 'a\u2028b', 'a\u0085b', 'x*', 'y%', 'z'.repeat(1025), 'l'.repeat(256)]) {
      assert.throws(() => checkNewMailboxName(bad, DEFAULT_IMAP_LIMITS), (e: unknown) => isMailError(e, 'invalid'), JSON.stringify(bad));
    }
    assert.throws(() => checkNewMailboxName(Array(21).fill('a').join('/'), DEFAULT_IMAP_LIMITS));
    assert.deepEqual(parentsOf('a/b/c'), ['a', 'a/b']);
  });
});

describe('search text decoding', () => {
  it('decodes encoded words, joining adjacent ones', () => {
    assert.equal(decodeEncodedWords('=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from =?ISO-8859-1?B?S+RzZQ==?='), 'Grüße from Käse');
    assert.equal(decodeEncodedWords('=?utf-8?q?a_b?= =?utf-8?q?c?='), 'a bc');
    assert.equal(decodeEncodedWords('=?x-unknown?Q?abc?='), 'abc');
    assert.equal(decodeEncodedWords('plain'), 'plain');
  });

  it('decodes transfer encodings leniently', () => {
    assert.equal(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc=ZZ=')).toString(), 'a=bc=ZZ=');
    assert.equal(decodeBase64(Buffer.from('aGVs\r\nbG8*')).toString(), 'hello');
    assert.equal(decodeCharset(Buffer.from([0xe4]), 'iso-8859-1'), 'ä');
    assert.equal(decodeCharset(Buffer.from([0xe4]), 'no-such-charset'), '\ufffd');
  });

  it('reads the day of a Date: header without time or zone', () => {
    assert.equal(sentDay('Tue, 2 Jan 2024 23:59:00 -1200'), '2024-01-02');
    assert.equal(sentDay('2 Jan 99 10:00 GMT'), '1999-01-02');
    assert.equal(sentDay('garbage'), null);
  });
});
