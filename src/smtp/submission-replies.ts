import { replies, SmtpReply } from './replies.js';

/**
 * The replies of the submission service (RFC 6409, enhanced codes from
 * RFC 3463 and the RFC 4954 §6 / RFC 5248 registry), in one place.
 */
export const submissionReplies = {
  ...replies,
  authFailed: () => new SmtpReply(535, '5.7.8', 'Authentication credentials invalid'),
  authUnavailable: () => new SmtpReply(454, '4.7.0', 'Temporary authentication failure, try again later'),
  senderNotOwned: () => new SmtpReply(553, '5.7.1', 'Sender address not owned by the authenticated user'),
  fromNotOwned: () => new SmtpReply(553, '5.7.1', 'From header address not owned by the authenticated user'),
  rateLimited: () => new SmtpReply(450, '4.7.1', 'Sending rate limit reached for this account, try again later'),
  badAddress: () => new SmtpReply(501, '5.1.3', 'Bad recipient address syntax'),
  tooManyErrors: () => new SmtpReply(421, '4.7.0', 'Too many errors, closing connection'),
  noRecipients: () => new SmtpReply(554, '5.5.1', 'No valid recipients'),
  headerTooLarge: () => new SmtpReply(552, '5.3.4', 'Header section too large'),
} as const;
