/**
 * SASL PLAIN (RFC 4616) decoding, one implementation for every protocol that
 * offers it: IMAP AUTHENTICATE (RFC 3501 §6.2.2, RFC 4959), POP3 AUTH
 * (RFC 5034 §4) and, for the identity rule only, SMTP AUTH (RFC 4954), whose
 * base64 smtp-server decodes itself.
 *
 * Pure: no I/O, no store, no logging. Each protocol turns a failure into its
 * own reply, and every failure is meant to be answered the same way there, so
 * a client learns nothing from which rule its response broke.
 */

/** Credentials from a well-formed PLAIN message. */
export interface PlainCredentials {
  /** The authorization identity as sent; '' when the client left it out. */
  authzid: string;
  /** The authentication identity: the account whose password is checked. Never empty. */
  authcid: string;
  /** The clear-text password. Never empty. */
  password: string;
}

/**
 * Why a PLAIN response was refused:
 * - `tooLong`: longer than `MAX_PLAIN_MESSAGE_OCTETS` once decoded;
 * - `base64`: not strict base64 (RFC 4648 §4 alphabet, padding only at the end);
 * - `missingNul`: fewer than the two NUL separators;
 * - `extraNul`: a third NUL (NUL may not appear inside a field);
 * - `notUtf8`: a field is not valid UTF-8;
 * - `emptyAuthcid`, `emptyPassword`: RFC 4616 §2 requires at least one character;
 * - `authzidMismatch`: the client asks to act as another user (see `authzidAllowed`).
 */
export type PlainProblem = 'tooLong' | 'base64' | 'missingNul' | 'extraNul' | 'notUtf8' | 'emptyAuthcid' | 'emptyPassword' | 'authzidMismatch';

/** The outcome of decoding: credentials, or the first rule the response broke. */
export type PlainResult = { ok: true; credentials: PlainCredentials } | { ok: false; problem: PlainProblem };

/**
 * Largest decoded PLAIN message accepted, in octets. RFC 4616 §2 asks for at
 * least 255 octets per field; our passwords may be 1024 characters (up to 4096
 * octets of UTF-8). The bound sits above what the protocols' own line budgets
 * let through (IMAP 8192-octet lines before login, POP3 2048-octet credential
 * lines, so at most about 6 KiB decoded), so with their default limits it is
 * never what refuses a login; it keeps the decoder bounded for any caller.
 */
export const MAX_PLAIN_MESSAGE_OCTETS = 8192;

/** Base64 characters that can decode to at most `MAX_PLAIN_MESSAGE_OCTETS`. */
const MAX_BASE64_CHARS = Math.ceil(MAX_PLAIN_MESSAGE_OCTETS / 3) * 4;

/** Strict base64: any character outside the alphabet, whitespace, or padding before the end is an error (RFC 5034 §4). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const fail = (problem: PlainProblem): PlainResult => ({ ok: false, problem });

/**
 * Decodes a client's base64 PLAIN response, as it arrives in an initial
 * response or on a continuation line, and checks it with `parseSaslPlain`.
 *
 * `=` alone is the empty response (RFC 4959 §3, RFC 5034 §4) and, being empty,
 * fails with `missingNul`; so does the empty string. The caller handles `*`
 * (the client cancelling) before calling this: it is a protocol reply, not a
 * malformed response. Never throws.
 */
export function decodeSaslPlain(response: string): PlainResult {
  if (response.length > MAX_BASE64_CHARS) return fail('tooLong');
  if (response === '=') return parseSaslPlain(new Uint8Array(0));
  if (!BASE64.test(response)) return fail('base64');
  return parseSaslPlain(Buffer.from(response, 'base64'));
}

/**
 * Splits an already decoded PLAIN message, `[authzid] NUL authcid NUL passwd`
 * (RFC 4616 §2), and checks it, in this order: size, exactly two NULs, UTF-8
 * in every field (a leading U+FEFF byte-order mark in a field is dropped, as
 * `TextDecoder` does), authcid and password not empty, then `authzidAllowed`.
 *
 * No SASLprep (RFC 4013) is applied: the identity and password are passed on
 * exactly as sent, and the account lookup lower-cases the address itself.
 * Never throws.
 */
export function parseSaslPlain(message: Uint8Array): PlainResult {
  if (message.length > MAX_PLAIN_MESSAGE_OCTETS) return fail('tooLong');
  const first = message.indexOf(0);
  const second = first < 0 ? -1 : message.indexOf(0, first + 1);
  if (second < 0) return fail('missingNul');
  if (message.indexOf(0, second + 1) >= 0) return fail('extraNul');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let authzid: string, authcid: string, password: string;
  try {
    authzid = decoder.decode(message.subarray(0, first));
    authcid = decoder.decode(message.subarray(first + 1, second));
    password = decoder.decode(message.subarray(second + 1));
  } catch {
    return fail('notUtf8');
  }
  if (authcid === '') return fail('emptyAuthcid');
  if (password === '') return fail('emptyPassword');
  if (!authzidAllowed(authzid, authcid)) return fail('authzidMismatch');
  return { ok: true, credentials: { authzid, authcid, password } };
}

/**
 * RFC 4616 §2 leaves it to the server whether the authentication identity may
 * act as the authorization identity. The box has no proxy users or admin
 * impersonation: an authzid is allowed only when empty or the same address as
 * the authcid, compared without regard to case (addresses are stored
 * lower-case).
 */
export function authzidAllowed(authzid: string, authcid: string): boolean {
  return authzid === '' || authzid.toLowerCase() === authcid.toLowerCase();
}
