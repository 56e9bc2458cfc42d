/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3). Clients send and expect
 * mailbox names in this encoding; the server keeps them as Unicode strings.
 * Decoding is strict so that one mailbox can only ever have one spelling on
 * the wire: a name that is not the canonical encoding of its Unicode form is
 * rejected instead of being aliased (security-cases T43, Dovecot's
 * test-imap-utf7 vectors).
 */
import { MailError } from '../../errors.js';

const AMP = 0x26;
const DASH = 0x2d;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/**
 * Encodes a Unicode mailbox name for the wire: printable ASCII stays as it
 * is, `&` becomes `&-`, every other run is UTF-16BE in modified base64
 * between `&` and `-`. Never fails (lone surrogates are encoded as they are).
 */
export function encodeMailboxName(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c === AMP) {
      out += '&-';
      i++;
    } else if (isDirect(c)) {
      out += name[i];
      i++;
    } else {
      const units: number[] = [];
      while (i < name.length && !isDirect(name.charCodeAt(i))) units.push(name.charCodeAt(i++));
      out += '&' + base64Units(units) + '-';
    }
  }
  return out;
}

function base64Units(units: number[]): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const u of units) {
    acc = (acc << 16) | u;
    bits += 16;
    while (bits >= 6) {
      bits -= 6;
      out += B64[(acc >>> bits) & 0x3f];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B64[(acc << (6 - bits)) & 0x3f];
  return out;
}

function invalid(why: string): MailError {
  return new MailError('invalid', `Invalid mailbox name encoding: ${why}`);
}

/**
 * Decodes a wire mailbox name (its raw bytes, or a string whose code units
 * are those bytes). Throws MailError 'invalid' for: raw 8-bit or control
 * bytes, `&` without a closing `-`, characters outside the modified base64
 * alphabet, bit padding that is not zero or leaves a partial UTF-16 unit,
 * unpaired surrogates, encoded printable ASCII, encoded control characters
 * (U+0000–001F, U+007F–009F), and two encoded runs next to each other (the
 * canonical form merges them). `&-` decodes to `&`.
 */
export function decodeMailboxName(raw: string | Uint8Array): string {
  const bytes = typeof raw === 'string' ? Uint8Array.from(raw, (ch) => ch.charCodeAt(0)) : raw;
  let out = '';
  let i = 0;
  let lastRunEnd = -1;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    if (c !== AMP) {
      if (!isDirect(c)) throw invalid('raw 8-bit or control character');
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const end = bytes.indexOf(DASH, i + 1);
    if (end < 0) throw invalid('unterminated &');
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastRunEnd === i) throw invalid('adjacent encoded runs');
    out += decodeRun(bytes.subarray(i + 1, end));
    i = end + 1;
    lastRunEnd = i;
  }
  return out;
}

function decodeRun(run: Uint8Array): string {
  let acc = 0;
  let bits = 0;
  const units: number[] = [];
  for (const b of run) {
    const v = b < 128 ? (B64_VALUE[b] as number) : -1;
    if (v < 0) throw invalid('bad base64 character');
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push((acc >>> bits) & 0xffff);
    }
  }
  if (bits >= 6 || (acc & ((1 << bits) - 1)) !== 0) throw invalid('bad base64 padding');
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k] as number;
    if (u >= 0xd800 && u <= 0xdbff) {
      const lo = units[k + 1];
      if (lo === undefined || lo < 0xdc00 || lo > 0xdfff) throw invalid('unpaired surrogate');
      out += String.fromCharCode(u, lo);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw invalid('unpaired surrogate');
    } else if (isDirect(u)) {
      throw invalid('encoded printable ASCII');
    } else if (u < 0x20 || (u >= 0x7f && u <= 0x9f)) {
      throw invalid('encoded control character');
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}

/**
 * Decodes a wire name and folds INBOX: a name equal to "INBOX" in any case
 * becomes "INBOX" (RFC 3501 §5.1); `INBOX/child` prefixes are left as sent.
 * Throws like decodeMailboxName.
 */
export function decodeMailboxArgument(raw: string | Uint8Array): string {
  const name = decodeMailboxName(raw);
  return name.length === 5 && name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}
