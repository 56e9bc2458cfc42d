/**
 * The MIME index stored beside every message at delivery (ARCHITECTURE rule 6):
 * everything IMAP FETCH, BODYSTRUCTURE, ENVELOPE and SEARCH need, so the raw
 * bytes are never parsed again. All offsets are byte offsets into the stored
 * raw message (which round-trips exactly).
 */

/** RFC 3501 §7.4.2 ENVELOPE address: [name, adl, mailbox, host]; null fields are NIL. */
export interface EnvelopeAddress {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/** RFC 3501 §7.4.2 ENVELOPE, header values decoded from their raw form only where IMAP wants raw (IMAP sends raw header text). */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** One MIME part (the message itself is the root part). */
export interface MimePart {
  /** IMAP part number, e.g. "" for the root, "1", "1.2". */
  path: string;
  /** Lower-case type/subtype, defaulted per RFC 2045 §5.2 (text/plain, or message/rfc822 inside multipart/digest). */
  type: string;
  subtype: string;
  /** Content-Type parameters, lower-case names, values unquoted (RFC 2231 continuations joined). */
  params: Record<string, string>;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding, upper-case as IMAP reports it; default "7BIT". */
  encoding: string;
  md5: string | null;
  disposition: { type: string; params: Record<string, string> } | null;
  language: string[] | null;
  location: string | null;
  /** Byte offset where this part's header starts and the body starts (after the blank line). */
  headerStart: number;
  bodyStart: number;
  /** Byte offset one past the end of the body (before the CRLF that precedes the next boundary). */
  bodyEnd: number;
  /** Number of lines in the body (RFC 3501 body-fld-lines). */
  bodyLines: number;
  /** Children for multipart/*; for message/rfc822 exactly one child, the embedded message. */
  children: MimePart[];
  /** Present for message/rfc822 parts and the root: the embedded message's envelope. */
  envelope: Envelope | null;
}

/** The stored index of one message. */
export interface MessageIndex {
  /** Total size in bytes (RFC822.SIZE). */
  size: number;
  /** Root part (its headerStart is 0). */
  root: MimePart;
  /** True when a limit (depth, parts, header bytes) stopped parsing; the rest is treated as opaque body. */
  truncated: boolean;
}
