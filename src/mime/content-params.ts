/**
 * Parameterised MIME header values: Content-Type and Content-Disposition.
 *
 * RFC 2045 §5.1 (syntax, quoted-string values, comments), RFC 2231 §3–§4
 * (parameter continuations `name*0=`, `name*1*=` and `charset'lang'%XX`
 * encoding). Continuations are a CPU amplifier (Dovecot CVE-2026-27859), so
 * the number of parameters and section numbers are capped.
 */

/** A value like `text/plain` or `attachment` with its parameters. */
export interface ParameterizedValue {
  /** The leading value, comments and blanks removed, lower case. */
  value: string;
  /** Parameters with lower-case names; quoted values unquoted; RFC 2231 sections joined and decoded. */
  params: Record<string, string>;
}

/** More parameters than this in one header are ignored. */
const MAX_PARAMS = 64;
/** Stop after this many `;`-separated segments, valid or not. */
const MAX_SEGMENTS = 256;
/** RFC 2231 section numbers above this are ignored. */
const MAX_SECTION = 99;

interface Section {
  index: number;
  encoded: boolean;
  value: string;
}

/** Skips blanks and (nested) comments starting at `i`; returns the new index. */
function skipCfws(s: string, i: number): number {
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 0;
      while (i < s.length) {
        const d = s[i];
        if (d === '\\') i++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) {
          i++;
          break;
        }
        i++;
      }
    } else {
      break;
    }
  }
  return i;
}

/** Reads a quoted-string starting at the opening quote; unterminated strings run to the end. */
function readQuoted(s: string, i: number): { text: string; next: number } {
  let text = '';
  i++;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      text += s[i + 1];
      i += 2;
    } else if (c === '"') {
      return { text, next: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  return { text, next: i };
}

/** Reads an unquoted run up to `;` or a comment; inner blanks are kept (common in the wild: `name=my file.pdf`). */
function readBare(s: string, i: number): { text: string; next: number } {
  let j = i;
  while (j < s.length && s[j] !== ';' && s[j] !== '(') j++;
  return { text: s.slice(i, j).trim(), next: j };
}

function percentDecode(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(s[i] as string, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

/** Decodes bytes in a named charset; unknown charsets fall back to UTF-8 when valid, else Latin-1. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const label = charset.trim().toLowerCase() || 'us-ascii';
  try {
    return new TextDecoder(label === 'us-ascii' ? 'utf-8' : label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return Buffer.from(bytes).toString('latin1');
    }
  }
}

/** RFC 2231 §4: joins sections in order; the first encoded section names the charset. */
function joinSections(sections: Section[]): string {
  sections.sort((a, b) => a.index - b.index);
  let charset = 'utf-8';
  const first = sections[0];
  if (first && first.encoded) {
    const m = /^([^']*)'[^']*'/.exec(first.value);
    if (m) {
      charset = m[1] || 'utf-8';
      first.value = first.value.slice(m[0].length);
    }
  }
  let out = '';
  let pending: Buffer[] = [];
  const flush = (): void => {
    if (pending.length > 0) out += decodeCharset(Buffer.concat(pending), charset);
    pending = [];
  };
  let last = -1;
  for (const sec of sections) {
    if (sec.index === last) continue; // duplicate section number: first one wins
    last = sec.index;
    if (sec.encoded) {
      pending.push(percentDecode(sec.value));
    } else {
      flush();
      out += sec.value;
    }
  }
  flush();
  return out;
}

/**
 * Parses `value *(; name=value)` as used by Content-Type and
 * Content-Disposition. Never throws: malformed parameters are skipped, an
 * unterminated quote runs to the end of the value.
 */
export function parseParameterizedValue(raw: string): ParameterizedValue {
  let i = skipCfws(raw, 0);
  let head = '';
  while (i < raw.length && raw[i] !== ';') {
    if (raw[i] === '(') {
      i = skipCfws(raw, i);
      continue;
    }
    if (raw[i] === '"') {
      const q = readQuoted(raw, i);
      head += q.text;
      i = q.next;
      continue;
    }
    const c = raw[i] as string;
    if (c !== ' ' && c !== '\t') head += c;
    i++;
  }
  const simple = new Map<string, string>();
  const extended = new Map<string, Section[]>();
  let count = 0;
  let segments = 0;
  while (i < raw.length && count < MAX_PARAMS && segments++ < MAX_SEGMENTS) {
    i = skipCfws(raw, i + 1); // past ';'
    let semi = raw.indexOf(';', i);
    if (semi === -1) semi = raw.length;
    // Look for "=" only up to the next ";" so that floods of ";" stay linear.
    const eq = raw.slice(i, semi).indexOf('=') + i;
    if (eq < i) {
      i = semi;
      continue;
    }
    const name = raw.slice(i, eq).trim().toLowerCase();
    i = skipCfws(raw, eq + 1);
    const read = raw[i] === '"' ? readQuoted(raw, i) : readBare(raw, i);
    i = read.next;
    while (i < raw.length && raw[i] !== ';') i++;
    if (name === '' || name === '__proto__') continue;
    count++;
    const m = /^([^*]+)\*(?:(\d{1,3})(\*)?)?$/.exec(name);
    if (!m) {
      if (!simple.has(name)) simple.set(name, read.text);
      continue;
    }
    const base = m[1] as string;
    const index = m[2] === undefined ? 0 : Number(m[2]);
    if (index > MAX_SECTION || base === '__proto__') continue;
    const encoded = m[2] === undefined || m[3] === '*';
    const list = extended.get(base) ?? [];
    list.push({ index, encoded, value: read.text });
    extended.set(base, list);
  }
  const params: Record<string, string> = {};
  for (const [name, value] of simple) params[name] = value;
  // RFC 2231 §3: an extended form wins over a plain one of the same name.
  for (const [name, sections] of extended) params[name] = joinSections(sections);
  return { value: head.toLowerCase(), params };
}
