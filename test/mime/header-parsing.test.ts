// Table tests for the pure header helpers: header fields, parameterised
// values (RFC 2045 / RFC 2231) and address lists (RFC 5322 -> RFC 3501).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeaderBytes, firstHeaderValues, parseAddressList, parseHeaderFields, parseParameterizedValue } from '../../src/mime/index.js';
import type { EnvelopeAddress } from '../../src/mime/types.js';

describe('parseHeaderFields', () => {
  it('unfolds, lower-cases names, keeps duplicates, stops at the blank line', () => {
    const block = Buffer.from('Subject: one\r\n  two\r\nX-A : b\nnot a header\r\nsubject:dup\r\n\r\nBody: no\r\n');
    assert.deepEqual(parseHeaderFields(block), [
      { name: 'subject', value: 'one  two' },
      { name: 'x-a', value: 'b' },
      { name: 'subject', value: 'dup' },
    ]);
  });

  it('firstHeaderValues keeps the first occurrence of wanted names only', () => {
    const block = Buffer.from('To: a@b\r\nCc: c@d\r\nTo: e@f\r\n');
    assert.deepEqual([...firstHeaderValues(block, new Set(['to']))], [['to', 'a@b']]);
  });

  it('decodes UTF-8 when valid and Latin-1 otherwise', () => {
    assert.equal(decodeHeaderBytes(Buffer.from('Grüße')), 'Grüße');
    assert.equal(decodeHeaderBytes(Buffer.from([0x4a, 0xf6, 0x72, 0x67])), 'J\u00f6rg');
    assert.equal(decodeHeaderBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), '\ufeffA');
  });
});

describe('parseParameterizedValue', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['text/plain', 'text/plain', {}],
    ['TEXT/Plain ; Charset="UTF-8"', 'text/plain', { charset: 'UTF-8' }],
    ['text/plain; charset=us-ascii (Plain text)', 'text/plain', { charset: 'us-ascii' }],
    ['text/plain (comment) ; a="x\\"y;z" ; b=unquoted value', 'text/plain', { a: 'x"y;z', b: 'unquoted value' }],
    ['multipart/mixed; boundary="unterminated', 'multipart/mixed', { boundary: 'unterminated' }],
    ['attachment; filename*=iso-8859-1\'de\'Gr%FC%DFe.txt', 'attachment', { filename: 'Grüße.txt' }],
    ["a/b; t*0*=utf-8''%E2%82; t*1*=%AC%20euro", 'a/b', { t: '€ euro' }],
    ['a/b; t*1="second"; t*0="first-"', 'a/b', { t: 'first-second' }],
    ['a/b; t="plain"; t*=utf-8\'\'ext', 'a/b', { t: 'ext' }],
    ["a/b; t*=unknown-charset''%41%zz", 'a/b', { t: 'A%zz' }],
    ['a/b; __proto__=x; constructor=y', 'a/b', { constructor: 'y' }],
    ['a/b; ; =novalue; noequals; c=d', 'a/b', { c: 'd' }],
    ['', '', {}],
  ];
  for (const [raw, value, params] of cases) {
    it(JSON.stringify(raw), () => {
      const r = parseParameterizedValue(raw);
      assert.equal(r.value, value);
      assert.deepEqual(r.params, params);
      assert.equal(Object.getPrototypeOf(r.params), Object.prototype);
    });
  }

  it('caps parameters and section numbers (RFC 2231 flood)', () => {
    let raw = 'a/b';
    for (let i = 0; i < 5000; i++) raw += `; p*${i}*=x`;
    const r = parseParameterizedValue(raw);
    assert.equal(r.params['p'], 'x'.repeat(64));
    const many = parseParameterizedValue(`a/b${Array.from({ length: 500 }, (_, i) => `; k${i}=v`).join('')}`);
    assert.equal(Object.keys(many.params).length, 64);
  });
});

function a(name: string | null, mailbox: string | null, host: string | null, adl: string | null = null): EnvelopeAddress {
  return { name, adl, mailbox, host };
}

describe('parseAddressList', () => {
  const cases: [string, EnvelopeAddress[] | null][] = [
    ['', null],
    ['  ,, ', null],
    ['user@example.com', [a(null, 'user', 'example.com')]],
    ['"Last, First" <first.last@example.com>', [a('Last, First', 'first.last', 'example.com')]],
    ['=?utf-8?q?J=C3=B6rg?= <j@x.test>', [a('=?utf-8?q?J=C3=B6rg?=', 'j', 'x.test')]],
    ['user@example.com (Real Name)', [a('Real Name', 'user', 'example.com')]],
    ['<@a.test,@b.test:u@c.test>', [a(null, 'u', 'c.test', '@a.test,@b.test')]],
    ['"a b"@example.com', [a(null, '"a b"', 'example.com')]],
    ['u@[192.0.2.1]', [a(null, 'u', '[192.0.2.1]')]],
    ['Team: ;', [a(null, 'Team', null), a(null, null, null)]],
    ['Team: x@y, z@w', [a(null, 'Team', null), a(null, 'x', 'y'), a(null, 'z', 'w'), a(null, null, null)]],
    ['nodomain', [a(null, 'nodomain', '')]],
    ['<>', [a(null, '', '')]],
    ['Name <unterminated@x', [a('Name', 'unterminated', 'x')]],
    ['"unterminated <a@b>', [a(null, '"unterminated <a@b>"', '')]],
    ['a@b junk <c@d>, e@f', [a('a@b junk', 'c', 'd'), a(null, 'e', 'f')]],
  ];
  for (const [raw, expected] of cases) {
    it(JSON.stringify(raw), () => assert.deepEqual(parseAddressList(raw), expected));
  }

  it('bounds the work on address floods', () => {
    const list = parseAddressList('a@b,'.repeat(100000));
    assert.ok(list !== null && list.length <= 10240);
  });
});
