import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPasswordAcceptable, passwordProblem } from '../../src/auth/password-policy.js';
import { isMailError } from '../../src/errors.js';

const cases: [string, string | undefined, RegExp | null][] = [
  ['', undefined, /empty/],
  ['short', undefined, /too short \(5 characters; at least 10/],
  ['123456789', undefined, /too short/],
  ['aaaaaaaaaaaa', undefined, /repeats a single character/],
  ['alice@example.com', 'Alice@Example.com', /must not be the address/],
  ['alicealice', 'alicealice@example.com', /must not be the address or its user name/],
  ['1234567890', undefined, /most common/],
  ['Password123', undefined, /most common/],
  ['QWERTYUIOP', undefined, /most common/],
  ['line one\nline two', undefined, /control character/],
  ['tab\tinside pw', undefined, /control character/],
  ['x'.repeat(1025) + 'y', undefined, /too long/],
  ['correct horse battery staple', 'alice@example.com', null],
  ['Tr0ub4dor&3-long', undefined, null],
  ['ünïcödé-pässwörd', undefined, null],
];

for (const [password, address, expected] of cases) {
  test(`policy: ${JSON.stringify(password.slice(0, 30))}${address ? ` for ${address}` : ''}`, () => {
    const problem = passwordProblem(password, address);
    if (expected === null) assert.equal(problem, null);
    else assert.match(problem ?? '(accepted)', expected);
  });
}

test('assertPasswordAcceptable throws MailError invalid with a clear message', () => {
  assert.throws(
    () => assertPasswordAcceptable('short'),
    (err: unknown) => isMailError(err, 'invalid') && /^weak password: the password is too short/.test(err.message),
  );
  assert.doesNotThrow(() => assertPasswordAcceptable('a perfectly fine passphrase'));
});
