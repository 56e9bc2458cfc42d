import { MailError } from '../errors.js';

/** Minimum length in characters (NIST SP 800-63B asks for at least 8; mail passwords live in clients, so longer is cheap). */
export const MIN_PASSWORD_LENGTH = 10;
/** Upper bound, so a pasted file cannot become a password. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * A small built-in list of the most common passwords of 10+ characters (from
 * published breach top lists); shorter ones already fail the length rule.
 * Compared case-insensitively.
 */
const COMMON_PASSWORDS = new Set([
  '1234567890', '0123456789', '0987654321', '9876543210', '12345678910', '123456789a', '1234567890a',
  'qwertyuiop', 'qwertyuiop1', 'asdfghjkl1', 'zxcvbnm123', '1q2w3e4r5t', '1q2w3e4r5t6y', '1qaz2wsx3edc',
  'password12', 'password123', 'password1!', 'password1234', 'passw0rd12', 'p@ssw0rd123', 'p@ssword123',
  'qwerty1234', 'qwerty12345', 'qwerty123456', 'abcdefghij', 'abcd123456', 'abc1234567', 'a123456789',
  'iloveyou12', 'iloveyou123', 'letmein123', 'welcome123', 'welcome1234', 'administrator', 'admin12345',
  'changeme123', 'football123', 'baseball123', 'sunshine123', 'princess123', 'monkey1234', 'dragon1234',
  'trustno1234', 'starwars123', 'superman123', 'michael123', 'whatever123', 'mailbox123', 'letterbox123',
  'letterbox1', 'letterbox', 'postmaster', 'postmaster1', 'secret1234', 'mypassword', 'mypassword1',
  'qazwsxedcrfv', '1111111111', 'aaaaaaaaaa',
]);

/**
 * Says why `password` is not acceptable for the account `address`, or null
 * when it is. Rules: not empty; at least 10 and at most 1024 characters; no
 * control characters (they break protocol framing such as SASL PLAIN's NUL
 * separators and the CLI's one-line input); not one character repeated; not
 * the address or its local part (any case); not in the built-in list of
 * common passwords. Pure.
 */
export function passwordProblem(password: string, address?: string): string | null {
  if (password.length === 0) return 'the password is empty';
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password is too short (${length} characters; at least ${MIN_PASSWORD_LENGTH} are needed)`;
  if (length > MAX_PASSWORD_LENGTH) return `the password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'the password contains a control character (such as a newline or tab)';
  if (new Set(password).size === 1) return 'the password repeats a single character';
  const lower = password.toLowerCase();
  if (address) {
    const full = address.trim().toLowerCase();
    const local = full.includes('@') ? full.slice(0, full.lastIndexOf('@')) : full;
    if (lower === full || lower === local) return 'the password must not be the address or its user name';
  }
  if (COMMON_PASSWORDS.has(lower)) return 'the password is one of the most common passwords';
  return null;
}

/** Throws `MailError('invalid', 'weak password: …')` when `passwordProblem` finds a problem. */
export function assertPasswordAcceptable(password: string, address?: string): void {
  const problem = passwordProblem(password, address);
  if (problem) throw new MailError('invalid', `weak password: ${problem}`);
}
