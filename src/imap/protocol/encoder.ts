/**
 * Response encoder (RFC 3501 §7, §9 formal syntax): typed values → wire
 * bytes. Strings pick their own form — quoted when short 7-bit text, a
 * literal otherwise (8-bit, CR, LF, NUL, or longer than MAX_QUOTED) — so no
 * caller can produce a response a client misparses. Message content that is
 * too big to hold (BODY[] of a large message) is passed as a
 * DeferredLiteral: the encoder writes `{n}\r\n` and leaves a slot the session
 * fills by streaming exactly n bytes.
 */

/** An atom sent exactly as given (flags, keywords, FETCH item names, numbers as text). */
export interface ImapAtom {
  readonly atom: string;
}

/** Bytes that must go out as a literal whatever they contain. */
export interface ImapLiteral {
  readonly literal: Uint8Array;
}

/**
 * A literal of `size` bytes whose content the session streams itself;
 * `source` is whatever the session needs to find the bytes (opaque here).
 */
export interface DeferredLiteral {
  readonly deferredSize: number;
  readonly source: unknown;
}

/**
 * A response value: null → NIL, number/bigint → number, string → IMAP
 * string (UTF-8), Uint8Array → IMAP string from bytes, arrays → lists.
 */
export type ImapValue = null | number | bigint | string | Uint8Array | ImapAtom | ImapLiteral | DeferredLiteral | readonly ImapValue[];

/** Encoded output: bytes, with slots for deferred literal content. */
export type EncodedPart = Buffer | DeferredLiteral;

/** Strings longer than this are sent as literals (readability of logs and clients' quoted limits). */
export const MAX_QUOTED = 1024;

const CRLF = Buffer.from('\r\n');

/** Wraps text to be sent as an atom. The caller guarantees atom syntax. */
export function atom(text: string): ImapAtom {
  return { atom: text };
}

/** Forces a literal. */
export function literal(bytes: Uint8Array | string): ImapLiteral {
  return { literal: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes };
}

/** A literal the session streams; see DeferredLiteral. */
export function deferredLiteral(size: number, source: unknown): DeferredLiteral {
  return { deferredSize: size, source };
}

/** astring: an atom when the text allows (and is not NIL), else a string. */
export function astring(text: string): ImapValue {
  return /^[\x21\x23-\x24\x26-\x27\x2b-\x5b\x5d-\x7a\x7c-\x7e]+$/.test(text) && text.toUpperCase() !== 'NIL' ? atom(text) : text;
}

function isAtomValue(v: object): v is ImapAtom {
  return 'atom' in v;
}

function isLiteralValue(v: object): v is ImapLiteral {
  return 'literal' in v;
}

function isDeferred(v: object): v is DeferredLiteral {
  return 'deferredSize' in v;
}

/** True when the bytes can be a quoted string: 7-bit, no NUL/CR/LF, not too long. */
function quotable(bytes: Uint8Array): boolean {
  if (bytes.length > MAX_QUOTED) return false;
  for (const b of bytes) if (b === 0 || b === 0x0d || b === 0x0a || b > 0x7f) return false;
  return true;
}

/** Appends one value's encoding to `out` as small pieces; encodeParts merges them. */
export function encodeValueInto(v: ImapValue, out: EncodedPart[]): void {
  const push = (s: string | Buffer): void => {
    out.push(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
  };
  if (v === null) return push('NIL');
  if (typeof v === 'number' || typeof v === 'bigint') return push(String(v));
  if (typeof v === 'string' || v instanceof Uint8Array) {
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.length);
    if (quotable(bytes)) return push('"' + bytes.toString('latin1').replace(/["\\]/g, '\\$&') + '"');
    push(`{${bytes.length}}\r\n`);
    return push(bytes);
  }
  if (Array.isArray(v)) {
    push('(');
    v.forEach((item: ImapValue, i) => {
      if (i > 0) push(' ');
      encodeValueInto(item, out);
    });
    return push(')');
  }
  const o = v as object;
  if (isAtomValue(o)) return push(o.atom);
  if (isLiteralValue(o)) {
    push(`{${o.literal.length}}\r\n`);
    return push(Buffer.from(o.literal.buffer, o.literal.byteOffset, o.literal.length));
  }
  if (isDeferred(o)) {
    push(`{${o.deferredSize}}\r\n`);
    out.push(o);
    return;
  }
  throw new TypeError('not an IMAP value');
}

/** Encodes values separated by spaces into parts (for responses with deferred literals). */
export function encodeParts(values: readonly ImapValue[]): EncodedPart[] {
  const out: EncodedPart[] = [];
  values.forEach((v, i) => {
    if (i > 0) out.push(Buffer.from(' '));
    encodeValueInto(v, out);
  });
  return mergeBuffers(out);
}

/** Joins runs of adjacent buffers so the session writes few, larger chunks. */
export function mergeBuffers(parts: readonly EncodedPart[]): EncodedPart[] {
  const merged: EncodedPart[] = [];
  let run: Buffer[] = [];
  for (const p of parts) {
    if (Buffer.isBuffer(p)) run.push(p);
    else {
      if (run.length > 0) merged.push(Buffer.concat(run));
      run = [];
      merged.push(p);
    }
  }
  if (run.length > 0) merged.push(Buffer.concat(run));
  return merged;
}

/** Encodes values separated by spaces into one buffer. Throws TypeError on a DeferredLiteral. */
export function encodeValues(values: readonly ImapValue[]): Buffer {
  const parts = encodeParts(values);
  if (parts.some((p) => !Buffer.isBuffer(p))) throw new TypeError('deferred literal needs encodeParts');
  return Buffer.concat(parts as Buffer[]);
}

/** A response code: `[NAME args]`, e.g. { name: 'UIDNEXT', args: [5] }. */
export interface ResponseCode {
  name: string;
  args?: readonly ImapValue[];
}

/** Human-readable text must stay on one line and be 7-bit; anything else is replaced. */
function safeText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ');
}

function statusLine(prefix: string, status: string, text: string, code?: ResponseCode | null): Buffer {
  let s = `${prefix} ${status} `;
  if (code) {
    const args = code.args && code.args.length > 0 ? ' ' + encodeValues(code.args).toString('latin1') : '';
    s += `[${code.name}${args}] `;
  }
  return Buffer.concat([Buffer.from(s + safeText(text), 'latin1'), CRLF]);
}

/** `tag OK|NO|BAD [code] text` (RFC 3501 §7.1). */
export function taggedResponse(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: ResponseCode | null): Buffer {
  return statusLine(tag, status, text, code);
}

/** `* OK|NO|BAD|BYE|PREAUTH [code] text`. */
export function untaggedStatus(status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH', text: string, code?: ResponseCode | null): Buffer {
  return statusLine('*', status, text, code);
}

/** `+ text` (RFC 3501 §7.5); for SASL challenges pass the base64 text. */
export function continuation(text = 'Ready'): Buffer {
  return Buffer.from(`+ ${safeText(text)}\r\n`, 'latin1');
}

/** `* v1 v2 ...` e.g. untagged([3, atom('EXISTS')]). Throws TypeError on a DeferredLiteral. */
export function untagged(values: readonly ImapValue[]): Buffer {
  return Buffer.concat([Buffer.from('* '), encodeValues(values), CRLF]);
}

/** Same as untagged() but allows deferred literals; the session writes the parts in order. */
export function untaggedParts(values: readonly ImapValue[]): EncodedPart[] {
  return mergeBuffers([Buffer.from('* '), ...encodeParts(values), CRLF]);
}
