/**
 * The MIME fields of one part's header, with the defaults IMAP BODYSTRUCTURE
 * needs. RFC 2045 §5 (Content-Type and its defaults), §6 (encoding), §7
 * (Content-ID), §8 (Content-Description); RFC 1864 (Content-MD5); RFC 2183
 * (Content-Disposition); RFC 3282 (Content-Language); RFC 2557 (Content-Location);
 * RFC 2046 §5.1.5 (message/rfc822 is the default inside multipart/digest).
 */
import type { MimePart } from './types.js';
import { parseParameterizedValue } from './content-params.js';

/** The header-derived fields of a MimePart. */
export type PartHeaderFields = Pick<
  MimePart,
  'type' | 'subtype' | 'params' | 'id' | 'description' | 'encoding' | 'md5' | 'disposition' | 'language' | 'location'
>;

/** Header names the indexer reads for MIME structure. */
export const MIME_FIELD_NAMES: readonly string[] = [
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-disposition',
  'content-language',
  'content-location',
];

/** RFC 2045 §5.1 token: printable ASCII without blanks and tspecials. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && depth > 0) i++;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * Builds the MIME fields of a part from its first-occurrence header values.
 * `defaultType` applies when Content-Type is absent or syntactically invalid
 * (RFC 2045 §5.2): "text/plain" (with charset us-ascii) normally,
 * "message/rfc822" for a child of multipart/digest. Never throws.
 */
export function describePartHeaders(fields: ReadonlyMap<string, string>, defaultType: 'text/plain' | 'message/rfc822'): PartHeaderFields {
  let type = defaultType === 'text/plain' ? 'text' : 'message';
  let subtype = defaultType === 'text/plain' ? 'plain' : 'rfc822';
  let params: Record<string, string> = defaultType === 'text/plain' ? { charset: 'us-ascii' } : {};
  const ct = fields.get('content-type');
  if (ct !== undefined) {
    const parsed = parseParameterizedValue(ct);
    const slash = parsed.value.indexOf('/');
    const t = parsed.value.slice(0, slash);
    const st = parsed.value.slice(slash + 1);
    if (slash > 0 && TOKEN.test(t) && TOKEN.test(st)) {
      type = t;
      subtype = st;
      params = parsed.params;
    }
  }

  const cte = stripComments(fields.get('content-transfer-encoding') ?? '').trim();
  const encoding = cte === '' ? '7BIT' : cte.toUpperCase();

  let disposition: PartHeaderFields['disposition'] = null;
  const cd = fields.get('content-disposition');
  if (cd !== undefined) {
    const parsed = parseParameterizedValue(cd);
    if (parsed.value !== '') disposition = { type: parsed.value, params: parsed.params };
  }

  let language: string[] | null = null;
  const cl = fields.get('content-language');
  if (cl !== undefined) {
    const tags = stripComments(cl)
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (tags.length > 0) language = tags;
  }

  return {
    type,
    subtype,
    params,
    id: fields.get('content-id') ?? null,
    description: fields.get('content-description') ?? null,
    encoding,
    md5: fields.get('content-md5') ?? null,
    disposition,
    language,
    location: fields.get('content-location') ?? null,
  };
}
