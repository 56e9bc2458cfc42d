/**
 * One catalogue of failure kinds for every service. Protocol front ends map a
 * kind to their own reply once (SMTP reply code + enhanced status, IMAP response
 * code, POP3 -ERR); clients get short generic text and the log gets the cause.
 */
export type MailErrorKind =
  | 'notFound'
  | 'exists'
  | 'overQuota'
  | 'tooBig'
  | 'invalid'
  | 'denied'
  | 'inUse'
  | 'expunged'
  | 'limit'
  | 'temporary';

/** A failure with a kind that every protocol knows how to answer. */
export class MailError extends Error {
  readonly kind: MailErrorKind;
  override readonly cause?: unknown;

  constructor(kind: MailErrorKind, message: string, cause?: unknown) {
    super(message);
    this.name = 'MailError';
    this.kind = kind;
    this.cause = cause;
  }
}

/** True when `err` is a MailError, optionally of one of the given kinds. */
export function isMailError(err: unknown, ...kinds: MailErrorKind[]): err is MailError {
  return err instanceof MailError && (kinds.length === 0 || kinds.includes(err.kind));
}
