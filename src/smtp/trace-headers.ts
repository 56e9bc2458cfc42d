/**
 * The trace headers delivery prepends (RFC 5321 §4.4): Return-Path with the
 * envelope sender and a Received line saying who handed us the message.
 * Pure functions; the caller writes the result in front of the message bytes.
 */

export interface TraceInfo {
  /** Envelope sender, '' for the null sender. */
  sender: string;
  /** What the client said in HELO/EHLO. */
  helo: string;
  remoteAddress: string;
  /** Reverse-DNS name of the client, if known. */
  remoteName?: string;
  /** Our host name. */
  hostname: string;
  /** ESMTP, ESMTPS (TLS), ESMTPA/ESMTPSA (authenticated) per RFC 3848. */
  protocol: string;
  /** Queue/transaction id for the log and the Received line. */
  id: string;
  /** Envelope recipients; the Received line names one only when there is exactly one (privacy of Bcc). */
  recipients: string[];
  date: Date;
}

// Client-supplied text (HELO name, addresses) must never break out of its header
// field: control characters are exactly what we are looking for here.
/* eslint-disable no-control-regex */
const UNSAFE_IN_COMMENT = /[\x00-\x1f\x7f()<>\\;"]/g;
const UNSAFE_IN_ADDRESS = /[\x00-\x1f\x7f<>]/g;
/* eslint-enable no-control-regex */

/** Strips what a client could use to forge header structure. */
function clean(text: string, max = 255): string {
  return text.replace(UNSAFE_IN_COMMENT, '').slice(0, max) || 'unknown';
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC, e.g. `Thu, 26 Nov 2026 05:33:57 +0000`. */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The Return-Path and Received header lines, CRLF-terminated, ready to be prepended. */
export function traceHeaders(t: TraceInfo): string {
  const sender = t.sender.replace(UNSAFE_IN_ADDRESS, '');
  const remote = `${t.remoteName ? clean(t.remoteName) + ' ' : ''}[${clean(t.remoteAddress, 64)}]`;
  const forClause = t.recipients.length === 1 ? `\r\n\tfor <${(t.recipients[0] ?? '').replace(UNSAFE_IN_ADDRESS, '')}>` : '';
  return (
    `Return-Path: <${sender}>\r\n` +
    `Received: from ${clean(t.helo)} (${remote})\r\n` +
    `\tby ${clean(t.hostname)} (Letterbox) with ${t.protocol} id ${t.id}${forClause};\r\n` +
    `\t${rfc5322Date(t.date)}\r\n`
  );
}
