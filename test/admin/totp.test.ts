import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, totpCode, verifyTotp } from '../../src/admin/totp.js';

// RFC 4226 appendix D and RFC 6238 appendix B (SHA-1, 8 digits there; we use the last 6).
const SECRET = Buffer.from('12345678901234567890');

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 4226 HOTP test values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => assert.equal(hotp(SECRET, counter), code));
  });

  it('matches the RFC 6238 TOTP test values (last 6 digits)', () => {
    const b32 = base32Encode(SECRET);
    assert.equal(b32, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [t, code] of [[59, '287082'], [1111111109, '081804'], [1111111111, '050471'], [1234567890, '005924'], [2000000000, '279037']] as const) {
      assert.equal(totpCode(b32, t * 1000), code, String(t));
    }
    assert.deepEqual(base32Decode(b32), SECRET);
  });

  it('accepts one step of drift, refuses replays and garbage', () => {
    const b32 = base32Encode(SECRET);
    const t = 1111111109 * 1000;
    const step = verifyTotp(b32, totpCode(b32, t - 30_000), t);
    assert.equal(step, Math.floor(t / 30_000) - 1);
    assert.equal(verifyTotp(b32, totpCode(b32, t - 90_000), t), null);
    assert.equal(verifyTotp(b32, totpCode(b32, t), t, Math.floor(t / 30_000)), null, 'replay');
    assert.equal(verifyTotp(b32, '12345', t), null);
    assert.equal(verifyTotp(b32, 'abcdef', t), null);
  });
});
