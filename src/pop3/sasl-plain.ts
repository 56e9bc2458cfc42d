/**
 * SASL PLAIN (RFC 4616) as POP3 carries it (RFC 5034 §4). Pure. Kept here
 * until a shared `auth/sasl` decoder exists; nothing in it is POP3-specific.
 */

/** Credentials from a PLAIN response. */
export interface PlainCredentials {
  authzid: string;
  authcid: string;
  password: string;
}

/** Strict base64 (RFC 5034 §4: any character outside the alphabet, or padding before the end, is an error). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a base64 client response. "=" is the empty response (RFC 5034 §4).
 * Returns null when the text is not valid base64.
 */
export function decodeBase64Response(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/**
 * Splits `authzid NUL authcid NUL passwd` (RFC 4616 §2). Returns null when
 * the shape is wrong, a field is not UTF-8, the identity or password is
 * empty, or the client asks to act as someone else (authzid set and not equal
 * to authcid: the box has no proxy users).
 */
export function parsePlain(message: Buffer): PlainCredentials | null {
  const first = message.indexOf(0);
  const second = first < 0 ? -1 : message.indexOf(0, first + 1);
  if (first < 0 || second < 0 || message.indexOf(0, second + 1) >= 0) return null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let authzid: string, authcid: string, password: string;
  try {
    authzid = decoder.decode(message.subarray(0, first));
    authcid = decoder.decode(message.subarray(first + 1, second));
    password = decoder.decode(message.subarray(second + 1));
  } catch {
    return null;
  }
  if (authcid === '' || password === '') return null;
  if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) return null;
  return { authzid, authcid, password };
}
