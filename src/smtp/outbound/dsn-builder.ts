import { randomBytes } from 'node:crypto';
import { rfc5322Date } from '../trace-headers.js';

/**
 * Delivery status notifications (RFC 3464) as RFC 6522 multipart/report
 * messages: a short human-readable part, the machine-readable
 * message/delivery-status part, and the headers of the original message
 * (text/rfc822-headers, so a bounce never carries a large body back).
 *
 * Everything taken from outside (remote replies, addresses) is reduced to
 * printable ASCII on one line first: a remote cannot add header fields or
 * MIME parts to a DSN we generate (security-cases T26).
 */

export interface DsnRecipient {
  address: string;
  /** RFC 3463 status, e.g. `5.1.1` or `4.4.1`. */
  status: string;
  /** The remote's reply or our reason. */
  diagnostic: string;
  remoteMta?: string;
}

export interface DsnInput {
  /** Our host name (Reporting-MTA and the From address domain). */
  hostname: string;
  /** The envelope sender of the original message: the DSN goes to them. */
  to: string;
  kind: 'failed' | 'delayed';
  recipients: DsnRecipient[];
  arrivalDate: Date;
  now: Date;
  /** For `delayed`: until when we keep trying. */
  willRetryUntil?: Date;
  /** Header section of the original message (without the empty line). */
  originalHeaders: Buffer;
}

/** Printable ASCII on one line, at most `max` characters. */
function oneLine(text: string, max = 400): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim().slice(0, max);
}

/** An RFC 3464 §2.3.6 diagnostic code type: `smtp` when it is an SMTP reply. */
function diagnostic(text: string): string {
  const t = oneLine(text);
  return /^\d{3}[ -]/.test(t) ? `smtp; ${t}` : `X-Letterbox; ${t}`;
}

/** Builds the DSN message bytes (CRLF line endings, 7-bit). Pure apart from the random boundary/Message-ID. */
export function buildDsn(input: DsnInput): Buffer {
  const boundary = `=_dsn_${randomBytes(12).toString('hex')}`;
  const failed = input.kind === 'failed';
  const subject = failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const lines: string[] = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${oneLine(input.to, 256)}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.hostname}>`,
    // RFC 3834 §5: machine-generated; auto-responders must not answer it.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-formatted message describing a delivery problem.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `This is the mail system at ${input.hostname}.`,
    '',
    failed
      ? 'Your message could not be delivered to the recipients below. The delivery has been abandoned.'
      : `Your message has not been delivered yet to the recipients below. Delivery will be retried until ${rfc5322Date(input.willRetryUntil ?? input.now)}; you do not need to send it again.`,
    '',
    ...input.recipients.map((r) => `<${oneLine(r.address, 256)}>: ${oneLine(r.diagnostic)}`),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${input.hostname}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
  ];
  for (const r of input.recipients) {
    lines.push('', `Final-Recipient: rfc822; ${oneLine(r.address, 256)}`, `Action: ${failed ? 'failed' : 'delayed'}`, `Status: ${/^[245]\.\d{1,3}\.\d{1,3}$/.test(r.status) ? r.status : failed ? '5.0.0' : '4.0.0'}`);
    if (r.remoteMta) lines.push(`Remote-MTA: dns; ${oneLine(r.remoteMta, 255)}`);
    lines.push(`Diagnostic-Code: ${diagnostic(r.diagnostic)}`, `Last-Attempt-Date: ${rfc5322Date(input.now)}`);
    if (!failed && input.willRetryUntil) lines.push(`Will-Retry-Until: ${rfc5322Date(input.willRetryUntil)}`);
  }
  lines.push('', `--${boundary}`, 'Content-Type: text/rfc822-headers', '');
  const head = Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
  const original = input.originalHeaders.length > 0 && !input.originalHeaders.subarray(-2).equals(Buffer.from('\r\n')) ? Buffer.concat([input.originalHeaders, Buffer.from('\r\n')]) : input.originalHeaders;
  return Buffer.concat([head, original, Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1')]);
}

/** The header section of a message (without the empty line), at most `max` bytes. */
export function headerSection(head: Buffer, max = 64 * 1024): Buffer {
  const end = head.indexOf('\r\n\r\n');
  const section = end >= 0 ? head.subarray(0, end + 2) : head.subarray(0, max);
  // Drop our Return-Path line: the DSN's recipient is that address anyway.
  return /^return-path:/i.test(section.subarray(0, 12).toString('latin1')) ? section.subarray(section.indexOf('\n') + 1) : section;
}
