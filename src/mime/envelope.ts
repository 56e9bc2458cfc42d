/**
 * IMAP ENVELOPE from a message header. RFC 3501 §7.4.2: date, subject, from,
 * sender, reply-to, to, cc, bcc, in-reply-to, message-id; sender and reply-to
 * default to from when absent or empty. String fields are the raw unfolded
 * header text (encoded-words included), NIL when the field is absent.
 */
import type { Envelope } from './types.js';
import { parseAddressList } from './address-list.js';

/** Header names the indexer reads for ENVELOPE. */
export const ENVELOPE_FIELD_NAMES: readonly string[] = [
  'date',
  'subject',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'in-reply-to',
  'message-id',
];

function addresses(fields: ReadonlyMap<string, string>, name: string): Envelope['from'] {
  const raw = fields.get(name);
  return raw === undefined ? null : parseAddressList(raw);
}

/**
 * Builds the ENVELOPE of one message from the first occurrence of each header
 * field. Never throws.
 */
export function buildEnvelope(fields: ReadonlyMap<string, string>): Envelope {
  const from = addresses(fields, 'from');
  return {
    date: fields.get('date') ?? null,
    subject: fields.get('subject') ?? null,
    from,
    sender: addresses(fields, 'sender') ?? from,
    replyTo: addresses(fields, 'reply-to') ?? from,
    to: addresses(fields, 'to'),
    cc: addresses(fields, 'cc'),
    bcc: addresses(fields, 'bcc'),
    inReplyTo: fields.get('in-reply-to') ?? null,
    messageId: fields.get('message-id') ?? null,
  };
}

/** An ENVELOPE with every field NIL (a message without a header). */
export function emptyEnvelope(): Envelope {
  return buildEnvelope(new Map());
}
