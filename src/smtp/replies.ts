import { MailError, type MailErrorKind } from '../errors.js';

/**
 * An error an smtp-server handler passes to its callback. smtp-server sends
 * `responseCode` and `message`; our messages start with the RFC 3463 enhanced
 * status code, which the connection guard passes through unchanged.
 */
export class SmtpReply extends Error {
  readonly responseCode: number;

  constructor(code: number, enhanced: string, text: string) {
    super(`${enhanced} ${text}`);
    this.name = 'SmtpReply';
    this.responseCode = code;
  }
}

/** The replies inbound SMTP gives, in one place so wording stays consistent. */
export const replies = {
  relayDenied: () => new SmtpReply(550, '5.7.1', 'Relaying denied: authentication required'),
  unknownUser: () => new SmtpReply(550, '5.1.1', 'No such user here'),
  badAddress: () => new SmtpReply(501, '5.1.3', 'Bad recipient address syntax'),
  overQuota: () => new SmtpReply(452, '4.2.2', 'Mailbox full, try again later'),
  storageTrouble: () => new SmtpReply(452, '4.3.1', 'Insufficient system storage, try again later'),
  tooManyRcptErrors: () => new SmtpReply(421, '4.7.0', 'Too many errors, closing connection'),
  bareLineEnding: () => new SmtpReply(550, '5.5.2', 'Message contains bare CR or LF; use CRLF line endings'),
  loopDetected: () => new SmtpReply(554, '5.4.6', 'Too many Received headers: mail loop detected'),
  tempFailure: () => new SmtpReply(451, '4.3.0', 'Local error in processing, try again later'),
  sessionTooLong: () => new SmtpReply(421, '4.4.2', 'Session time limit exceeded, closing connection'),
  tooManyFromIp: () => new SmtpReply(421, '4.7.0', 'Too many connections from your address, try again later'),
  syncError: () => new SmtpReply(554, '5.5.0', 'Error: SMTP protocol synchronization'),
  encryptionRequired: () => new SmtpReply(538, '5.7.11', 'Encryption required: issue STARTTLS first'),
} as const;

const byKind: Record<MailErrorKind, () => SmtpReply> = {
  notFound: replies.unknownUser,
  exists: replies.tempFailure,
  overQuota: replies.overQuota,
  tooBig: () => new SmtpReply(552, '5.3.4', 'Message too big'),
  invalid: replies.badAddress,
  denied: replies.relayDenied,
  inUse: replies.tempFailure,
  expunged: replies.tempFailure,
  limit: () => new SmtpReply(452, '4.5.3', 'Too many recipients'),
  temporary: replies.storageTrouble,
};

/**
 * Maps any failure to the SMTP reply for it (ARCHITECTURE rule 8): a MailError
 * by its kind, anything unexpected as a temporary local error so the sender
 * retries instead of losing the message.
 */
export function replyFor(err: unknown): SmtpReply {
  if (err instanceof SmtpReply) return err;
  if (err instanceof MailError) return byKind[err.kind]();
  return replies.tempFailure();
}
