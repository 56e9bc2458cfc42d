/**
 * ENVELOPE (RFC 3501 §7.4.2) and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2,
 * formal syntax `body`) values from the stored MIME index, so FETCH never
 * reparses a message (ARCHITECTURE rule 6). Shapes follow Dovecot where the
 * RFC leaves room (a multipart without parts, an unparsed message/rfc822).
 */
import type { Envelope, EnvelopeAddress, MessageIndex, MimePart } from '../../mime/types.js';
import type { ImapValue } from './encoder.js';

function addressList(list: EnvelopeAddress[] | null): ImapValue {
  if (!list || list.length === 0) return null;
  return list.map((a) => [a.name, a.adl, a.mailbox, a.host]);
}

/** The ENVELOPE list: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id. */
export function envelopeValue(env: Envelope | null): ImapValue {
  const e = env ?? { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null };
  return [
    e.date,
    e.subject,
    addressList(e.from),
    addressList(e.sender),
    addressList(e.replyTo),
    addressList(e.to),
    addressList(e.cc),
    addressList(e.bcc),
    e.inReplyTo,
    e.messageId,
  ];
}

/** RFC 2231 §4 extended value for a parameter that is not plain ASCII: `utf-8''%XX...`. */
function rfc2231Encode(value: string): string {
  let out = "utf-8''";
  for (const b of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9!#$&+.^_`|~-]/.test(ch) ? ch : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * body-fld-param: names and values as strings, NIL when there are none.
 * Values the indexer decoded from RFC 2231 into non-ASCII text go back out
 * as `name*` with a UTF-8 extended value, because an IMAP string cannot say
 * which charset its 8-bit bytes are in.
 */
function paramList(params: Record<string, string>): ImapValue {
  const out: ImapValue[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (/^[\x20-\x7e]*$/.test(value)) out.push(name, value);
    else out.push(name + '*', rfc2231Encode(value));
  }
  return out.length === 0 ? null : out;
}

function languageValue(language: string[] | null): ImapValue {
  if (!language || language.length === 0) return null;
  return language.length === 1 ? (language[0] as string) : language;
}

function dispositionValue(part: MimePart): ImapValue {
  return part.disposition ? [part.disposition.type, paramList(part.disposition.params)] : null;
}

/** The parameters reported for a part; a text/plain part without any gets RFC 2045 §5.2's charset. */
function partParams(part: MimePart): ImapValue {
  if (part.type === 'text' && part.subtype === 'plain' && Object.keys(part.params).length === 0) return ['charset', 'us-ascii'];
  return paramList(part.params);
}

/** Placeholder for a multipart with no usable parts: `1*body` needs one (Dovecot does the same). */
const EMPTY_TEXT_PART: ImapValue[] = ['text', 'plain', ['charset', 'us-ascii'], null, null, '7BIT', 0, 0];

/**
 * BODY (extended=false) or BODYSTRUCTURE (extended=true) of one part.
 * Recursion follows the part tree, whose depth the MIME indexer bounds
 * (maxDepth, default 100).
 */
export function bodyStructureValue(part: MimePart, extended: boolean): ImapValue {
  if (part.type === 'multipart') {
    const placeholder = extended ? [...EMPTY_TEXT_PART, null, null, null, null] : EMPTY_TEXT_PART;
    const children: ImapValue[] = part.children.length > 0 ? part.children.map((c) => bodyStructureValue(c, extended)) : [placeholder];
    // `1*body SP subtype`: the children are not a list of their own, so they are spread.
    const value: ImapValue[] = [...children, part.subtype];
    if (extended) value.push(paramList(part.params), dispositionValue(part), languageValue(part.language), part.location);
    return value;
  }
  const size = part.bodyEnd - part.bodyStart;
  const value: ImapValue[] = [part.type, part.subtype, partParams(part), part.id, part.description, part.encoding, size];
  const embedded = part.children[0];
  if (part.type === 'message' && part.subtype === 'rfc822' && embedded) {
    value.push(envelopeValue(embedded.envelope), bodyStructureValue(embedded, extended), part.bodyLines);
  } else if (part.type === 'text') {
    value.push(part.bodyLines);
  }
  if (extended) value.push(part.md5, dispositionValue(part), languageValue(part.language), part.location);
  return value;
}

/** BODYSTRUCTURE or BODY of a whole message. */
export function messageBodyStructure(index: MessageIndex, extended: boolean): ImapValue {
  return bodyStructureValue(index.root, extended);
}

/** ENVELOPE of a whole message. */
export function messageEnvelope(index: MessageIndex): ImapValue {
  return envelopeValue(index.root.envelope);
}

