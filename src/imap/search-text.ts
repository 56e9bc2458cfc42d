/**
 * Text extraction for IMAP SEARCH (RFC 3501 §6.4.4): header values with
 * RFC 2047 encoded-words decoded, and the text of a message's text parts with
 * their transfer encoding (quoted-printable, base64; RFC 2045 §6.7, §6.8)
 * and charset undone, so a user searching for "tietäjä" finds it whatever
 * the sending client did. Matching is case-insensitive substring search —
 * never a regular expression built from client input (security-cases T44).
 * Pure and bounded: malformed input decodes to something, never throws.
 */
import type { MimePart } from '../mime/types.js';

/** Decodes bytes in a declared charset; unknown charsets fall back to UTF-8 (bad bytes become U+FFFD). */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase();
  try {
    return new TextDecoder(label === 'us-ascii' || label === 'ascii' ? 'utf-8' : label, { ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable body decoding; soft line breaks removed, bad escapes kept as they are. */
export function decodeQuotedPrintable(input: Uint8Array, underscoreIsSpace = false): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as number;
    if (c === 0x3d) {
      const a = input[i + 1];
      const b = input[i + 2];
      if (a === 0x0d && b === 0x0a) {
        i += 2;
        continue;
      }
      if (a === 0x0a) {
        i += 1;
        continue;
      }
      const hi = a === undefined ? -1 : hexValue(a);
      const lo = b === undefined ? -1 : hexValue(b);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = underscoreIsSpace && c === 0x5f ? 0x20 : c;
  }
  return out.subarray(0, o);
}

/** Lenient base64: characters outside the alphabet are skipped (RFC 2045 §6.8). */
export function decodeBase64(input: Uint8Array): Buffer {
  return Buffer.from(Buffer.from(input).toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Undoes a Content-Transfer-Encoding (7BIT/8BIT/BINARY pass through). */
export function decodeTransfer(body: Uint8Array, encoding: string): Buffer {
  const e = encoding.toUpperCase();
  if (e === 'QUOTED-PRINTABLE') return decodeQuotedPrintable(body);
  if (e === 'BASE64') return decodeBase64(body);
  return Buffer.from(body);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded-words in an unfolded header value; whitespace between adjacent words is dropped (§6.2). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const joined = value.replace(/(\?=)[ \t]+(?==\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (_m, charset: string, enc: string, text: string) => {
    const bytes = Buffer.from(text, 'latin1');
    const raw = enc.toUpperCase() === 'B' ? decodeBase64(bytes) : decodeQuotedPrintable(bytes, true);
    // RFC 2231 §5: charset may carry a language suffix (`utf-8*en`).
    return decodeCharset(raw, charset.split('*')[0]);
  });
}

/** Lower-cases for case-insensitive comparison (Unicode-aware, locale-independent). */
export function fold(s: string): string {
  return s.toLowerCase();
}

/**
 * Collects the searchable text of a part tree: every text/* leaf (decoded),
 * recursing into multiparts and parsed message/rfc822 parts. `read` gives
 * the raw bytes of [start, end) of the message. Stops adding once `maxChars`
 * characters are collected (huge bodies are searched in their first part).
 */
export function collectBodyText(part: MimePart, raw: Buffer, maxChars = 4 * 1024 * 1024): string {
  const pieces: string[] = [];
  let total = 0;
  const stack: MimePart[] = [part];
  while (stack.length > 0 && total < maxChars) {
    const p = stack.pop() as MimePart;
    if (p.children.length > 0) {
      // message/rfc822: its embedded message's headers are searchable body text too.
      if (p.type === 'message') pieces.push(decodeCharset(raw.subarray(p.bodyStart, p.children[0]?.bodyStart ?? p.bodyStart), 'utf-8'));
      for (let i = p.children.length - 1; i >= 0; i--) stack.push(p.children[i] as MimePart);
      continue;
    }
    if (p.type !== 'text') continue;
    const body = raw.subarray(p.bodyStart, Math.min(p.bodyEnd, raw.length));
    const text = decodeCharset(decodeTransfer(body, p.encoding), p.params.charset);
    pieces.push(text);
    total += text.length;
  }
  return pieces.join('\n');
}

/** Charsets whose bytes below 0x80 are ASCII and whose other characters never lower-case to ASCII letters. */
const ASCII_FOLD_SAFE = new Set(['us-ascii', 'ascii', 'utf-8', 'utf8', 'iso-8859-1', 'latin1', 'windows-1252', 'cp1252', 'iso-8859-15']);

/**
 * In UTF-8 text, the two characters whose lower case is ASCII: U+0130 (İ → "i̇")
 * and U+212A (Kelvin sign → "k"). A part holding one of them is decoded in full.
 */
const DOTTED_I = Buffer.from([0xc4, 0xb0]);
const KELVIN = Buffer.from([0xe2, 0x84, 0xaa]);

/**
 * True when the decoded text of `bytes` (in `charset`) contains `want`
 * (already folded), case-insensitively. For an ASCII search string and an
 * ASCII-compatible charset the bytes are searched as they are: bytes below
 * 0x80 are the same characters in the text, and no other byte folds to
 * ASCII, so lower-casing the bytes as Latin-1 finds exactly the matches the
 * decoded text has — without building a Unicode string of the whole body.
 */
export function bytesContain(bytes: Buffer, charset: string | undefined, want: string, wantIsAscii: boolean): boolean {
  const label = (charset ?? 'us-ascii').trim().toLowerCase();
  if (wantIsAscii && ASCII_FOLD_SAFE.has(label)) {
    if (bytes.toString('latin1').toLowerCase().includes(want)) return true;
    const utf8 = label !== 'iso-8859-1' && label !== 'latin1' && label !== 'windows-1252' && label !== 'cp1252' && label !== 'iso-8859-15';
    if (!utf8 || !(/[ik]/.test(want) && (bytes.includes(DOTTED_I) || bytes.includes(KELVIN)))) return false;
  }
  return fold(decodeCharset(bytes, charset)).includes(want);
}

/**
 * BODY search over a part tree (RFC 3501 §6.4.4): true when the decoded text
 * of a text/* leaf, or the header of an embedded message/rfc822, contains
 * `want` (folded with `fold`). The same text as `collectBodyText`, searched
 * part by part, so only parts that need it are decoded; stops after
 * `maxBytes` bytes of body (huge bodies are searched in their first part).
 */
export function bodyContains(part: MimePart, raw: Buffer, want: string, maxBytes = 4 * 1024 * 1024): boolean {
  // eslint-disable-next-line no-control-regex
  const wantIsAscii = /^[\x00-\x7f]*$/.test(want);
  let total = 0;
  const stack: MimePart[] = [part];
  while (stack.length > 0 && total < maxBytes) {
    const p = stack.pop() as MimePart;
    if (p.children.length > 0) {
      if (p.type === 'message' && bytesContain(raw.subarray(p.bodyStart, p.children[0]?.bodyStart ?? p.bodyStart), 'utf-8', want, wantIsAscii)) return true;
      for (let i = p.children.length - 1; i >= 0; i--) stack.push(p.children[i] as MimePart);
      continue;
    }
    if (p.type !== 'text') continue;
    const body = raw.subarray(p.bodyStart, Math.min(p.bodyEnd, raw.length));
    const e = p.encoding.toUpperCase();
    const decoded = e === 'QUOTED-PRINTABLE' || e === 'BASE64' ? decodeTransfer(body, e) : body;
    if (bytesContain(decoded, p.params.charset, want, wantIsAscii)) return true;
    total += decoded.length;
  }
  return false;
}
