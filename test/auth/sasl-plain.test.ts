import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PLAIN_MESSAGE_OCTETS, authzidAllowed, decodeSaslPlain, parseSaslPlain, type PlainProblem, type PlainResult } from '../../src/auth/sasl-plain.js';

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64');
const problemOf = (r: PlainResult): PlainProblem | 'ok' => (r.ok ? 'ok' : r.problem);

describe('SASL PLAIN decoding (RFC 4616)', () => {
  it('accepts well-formed messages with and without an authzid', () => {
    assert.deepEqual(decodeSaslPlain(b64('\0alice@mail.test\0secret')), { ok: true, credentials: { authzid: '', authcid: 'alice@mail.test', password: 'secret' } });
    // The authzid may name the user itself, in any case.
    assert.deepEqual(decodeSaslPlain(b64('Alice@Mail.Test\0alice@mail.test\0pw')), { ok: true, credentials: { authzid: 'Alice@Mail.Test', authcid: 'alice@mail.test', password: 'pw' } });
    // Passwords are form-free UTF-8 and may contain spaces; nothing is trimmed or normalised.
    assert.deepEqual(decodeSaslPlain(b64('\0bob@mail.test\0 pässwörd 🔑 ')), { ok: true, credentials: { authzid: '', authcid: 'bob@mail.test', password: ' pässwörd 🔑 ' } });
  });

  it('accepts 255-octet fields (RFC 4616 §2 MUST) and a 1024-character password of 4-octet characters', () => {
    const id = `${'a'.repeat(245)}@mail.test`;
    assert.equal(Buffer.byteLength(id), 255);
    const pw255 = 'p'.repeat(255);
    const r = decodeSaslPlain(b64(`${id}\0${id}\0${pw255}`));
    assert.ok(r.ok && r.credentials.password === pw255 && r.credentials.authcid === id);
    const longPw = '𝄞'.repeat(1024);
    const long = decodeSaslPlain(b64(`\0${id}\0${longPw}`));
    assert.ok(long.ok && long.credentials.password === longPw);
  });

  it('refuses text that is not strict base64', () => {
    for (const bad of ['=AAA', 'AAA=BBB', 'ab*d', 'abc', 'AGFsaWNl AHB3', 'AGFsaWNlAHB3\r\n', 'AA==AA==', 'A===', '====', 'AGFsaWNlAHB3=', 'ä']) {
      assert.equal(problemOf(decodeSaslPlain(bad)), 'base64', JSON.stringify(bad));
    }
  });

  it('treats "=" and the empty string as the empty response, which lacks the NULs', () => {
    assert.equal(problemOf(decodeSaslPlain('=')), 'missingNul');
    assert.equal(problemOf(decodeSaslPlain('')), 'missingNul');
  });

  it('refuses missing and extra NUL separators', () => {
    const cases: [string, PlainProblem][] = [
      ['alice@mail.test', 'missingNul'],
      ['alice@mail.test\0pw', 'missingNul'],
      ['\0alice@mail.testpw', 'missingNul'],
      ['\0a\0b\0c', 'extraNul'],
      ['\0alice@mail.test\0pw\0', 'extraNul'],
      ['\0\0\0', 'extraNul'],
      ['\0alice@mail.test\0p\0w', 'extraNul'],
    ];
    for (const [message, want] of cases) {
      assert.equal(problemOf(decodeSaslPlain(b64(message))), want, JSON.stringify(message));
      assert.equal(problemOf(parseSaslPlain(Buffer.from(message))), want, JSON.stringify(message));
    }
  });

  it('refuses an empty authcid or password', () => {
    assert.equal(problemOf(decodeSaslPlain(b64('\0alice@mail.test\0'))), 'emptyPassword');
    assert.equal(problemOf(decodeSaslPlain(b64('\0\0pw'))), 'emptyAuthcid');
    assert.equal(problemOf(decodeSaslPlain(b64('alice@mail.test\0\0pw'))), 'emptyAuthcid');
    assert.equal(problemOf(decodeSaslPlain(b64('\0\0'))), 'emptyAuthcid');
  });

  it('refuses acting as another user', () => {
    assert.equal(problemOf(decodeSaslPlain(b64('bob@mail.test\0alice@mail.test\0pw'))), 'authzidMismatch');
    assert.equal(problemOf(decodeSaslPlain(b64('alice@mail.test.\0alice@mail.test\0pw'))), 'authzidMismatch');
    assert.equal(authzidAllowed('', 'alice@mail.test'), true);
    assert.equal(authzidAllowed('ALICE@mail.test', 'alice@MAIL.test'), true);
    assert.equal(authzidAllowed('bob@mail.test', 'alice@mail.test'), false);
    assert.equal(authzidAllowed('alice@mail.test', ''), false);
  });

  it('refuses fields that are not UTF-8', () => {
    const bad = [
      [0, 0xc0, 0xaf, 0, 0x70], // overlong "/"
      [0, 0x61, 0, 0x80], // lone continuation byte
      [0, 0x61, 0, 0xed, 0xa0, 0x80], // UTF-16 surrogate
      [0xff, 0, 0x61, 0, 0x70], // in the authzid
      [0, 0x61, 0, 0xe2, 0x82], // truncated sequence at the end
    ];
    for (const bytes of bad) {
      assert.equal(problemOf(parseSaslPlain(Uint8Array.from(bytes))), 'notUtf8', JSON.stringify(bytes));
      assert.equal(problemOf(decodeSaslPlain(b64(Uint8Array.from(bytes)))), 'notUtf8', JSON.stringify(bytes));
    }
  });

  it('refuses over-long messages before decoding them, and accepts one at the limit', () => {
    const head = '\0alice@mail.test\0';
    const atLimit = head + 'x'.repeat(MAX_PLAIN_MESSAGE_OCTETS - head.length);
    assert.equal(problemOf(decodeSaslPlain(b64(atLimit))), 'ok');
    assert.equal(problemOf(decodeSaslPlain(b64(`${atLimit}x`))), 'tooLong');
    assert.equal(problemOf(parseSaslPlain(Buffer.from(`${atLimit}x`))), 'tooLong');
    // Huge text is refused by its length alone, even when it is not base64 at all.
    assert.equal(problemOf(decodeSaslPlain('*'.repeat(300 * 1024))), 'tooLong');
    // Anything an IMAP line before login (8192 octets) can carry is judged on its content, not its size.
    assert.equal(problemOf(decodeSaslPlain('Q'.repeat(8192))), 'missingNul');
  });

  it('never throws on arbitrary bytes', () => {
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: next() % 40 }, () => (next() % 4 === 0 ? 0 : next() % 256));
      const r = decodeSaslPlain(b64(bytes));
      if (r.ok) {
        assert.notEqual(r.credentials.authcid, '');
        assert.notEqual(r.credentials.password, '');
        assert.ok(authzidAllowed(r.credentials.authzid, r.credentials.authcid));
      }
    }
  });
});
