/** What replaces a secret in logged text. */
export const MASK = '****';

/**
 * Masks the secret part of one protocol command line before it is logged, so
 * passwords never reach the journal:
 *
 * - SMTP `AUTH <mech> <initial-response>` (RFC 4954 §4) → `AUTH PLAIN ****`
 * - POP3 `PASS <secret>` (RFC 1939 §7) and `APOP <name> <digest>` → `PASS ****`, `APOP name ****`
 * - POP3 `AUTH <mech> <initial-response>` (RFC 5034) as for SMTP
 * - IMAP `<tag> LOGIN <user> <password>` (RFC 9051 §6.2.3) → `a1 LOGIN user ****`
 *   (a user name sent as a literal is masked too, since the line cannot show it)
 * - IMAP `<tag> AUTHENTICATE <mech> <initial-response>` (RFC 4959) → `a1 AUTHENTICATE PLAIN ****`
 *
 * Other lines come back unchanged apart from a trailing CRLF being removed.
 * SASL continuation lines (the base64 lines after `AUTH LOGIN`) cannot be
 * recognised from the text alone: sessions must log those as `MASK` themselves.
 * Pure; never throws.
 */
export function maskCommand(line: string): string {
  const text = line.replace(/\r?\n$/, '');
  let m = /^(\s*(?:AUTH)\s+\S+)\s+\S.*$/i.exec(text);
  if (m) return `${m[1]} ${MASK}`;
  m = /^(\s*PASS)(?:\s.*)?$/i.exec(text);
  if (m) return text.length > (m[1] as string).length ? `${m[1]} ${MASK}` : text;
  m = /^(\s*APOP\s+\S+)\s+\S.*$/i.exec(text);
  if (m) return `${m[1]} ${MASK}`;
  m = /^(\s*\S+\s+AUTHENTICATE\s+\S+)\s+\S.*$/i.exec(text);
  if (m) return `${m[1]} ${MASK}`;
  m = /^(\s*\S+\s+LOGIN\s+)(.*)$/i.exec(text);
  if (m) return maskImapLogin(m[1] as string, m[2] as string);
  return text;
}

/** Keeps the IMAP LOGIN user name (atom or quoted string) and masks what follows it. */
function maskImapLogin(prefix: string, rest: string): string {
  if (rest === '') return prefix.trimEnd();
  let end: number;
  if (rest.startsWith('"')) {
    end = 1;
    while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
    end = Math.min(end + 1, rest.length);
  } else if (rest.startsWith('{') || rest.startsWith('~{')) {
    return `${prefix}${MASK}`;
  } else {
    const space = rest.indexOf(' ');
    end = space < 0 ? rest.length : space;
  }
  const user = rest.slice(0, end);
  return rest.length > end ? `${prefix}${user} ${MASK}` : `${prefix}${user}`;
}
