/**
 * Which mailbox names a user may create (security-cases T42/T43, Dovecot's
 * rules in A.2.1), on top of the store's own checks (empty, `.`/`..`
 * levels, NUL/CR/LF, wildcards, 255 per level, 1024 total). Names are
 * Unicode here — the codec already decoded and validated modified UTF-7.
 * Mailboxes are stored under numeric ids, so no name can reach another
 * account's keys whatever it contains; these rules keep names sane for
 * every client and for the admin page.
 */
import { MailError } from '../errors.js';
import type { ImapLimits } from './limits.js';

/** Separator of hierarchy levels (RFC 3501 §5.1.1), the same for every account. */
export const SEPARATOR = '/';

/** C0 and C1 controls, DEL, line/paragraph separators and the BOM (RFC 9755 net-unicode). */
function hasForbiddenCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) return true;
  }
  return false;
}

/**
 * Normalises a name for CREATE/RENAME: a trailing separator is dropped
 * (RFC 3501 §6.3.3). Fails `invalid` with a message the user can act on.
 */
export function checkNewMailboxName(name: string, limits: Pick<ImapLimits, 'maxMailboxNameLength' | 'maxMailboxLevels'>): string {
  let n = name.endsWith(SEPARATOR) ? name.slice(0, -1) : name;
  if (n.length === 0) throw new MailError('invalid', 'Mailbox name is empty');
  if (n.length > limits.maxMailboxNameLength) throw new MailError('invalid', 'Mailbox name too long');
  if (hasForbiddenCharacter(n)) throw new MailError('invalid', 'Mailbox name contains control characters');
  if (n.startsWith(SEPARATOR) || n.startsWith('~') || n.startsWith('#')) throw new MailError('invalid', 'Mailbox name must not start with /, ~ or #');
  const levels = n.split(SEPARATOR);
  if (levels.length > limits.maxMailboxLevels) throw new MailError('invalid', 'Mailbox hierarchy too deep');
  for (const level of levels) {
    if (level.length === 0) throw new MailError('invalid', 'Mailbox name has an empty level');
    if (level === '.' || level === '..') throw new MailError('invalid', 'Mailbox name has a . or .. level');
    if (level.length > 255) throw new MailError('invalid', 'Mailbox name level too long');
    if (level.trim() !== level) throw new MailError('invalid', 'Mailbox name level starts or ends with a space');
  }
  if (/[*%]/.test(n)) throw new MailError('invalid', 'Mailbox name contains a wildcard');
  if (levels[0]?.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  n = levels.join(SEPARATOR);
  return n;
}

/** The superior names of `name` (`a/b/c` → `a`, `a/b`). */
export function parentsOf(name: string): string[] {
  const levels = name.split(SEPARATOR);
  const out: string[] = [];
  for (let i = 1; i < levels.length; i++) out.push(levels.slice(0, i).join(SEPARATOR));
  return out;
}
