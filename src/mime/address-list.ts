/**
 * Address-list parsing for IMAP ENVELOPE.
 *
 * RFC 5322 §3.4 (address, mailbox, group, name-addr, addr-spec) with the
 * obsolete forms of §4.4 (routes, phrases with dots) tolerated, and RFC 3501
 * §7.4.2 for the result: one [name, adl, mailbox, host] per mailbox; a group
 * becomes a start marker (host NIL, mailbox = group name) and an end marker
 * (all NIL). Display names are unquoted but encoded-words stay raw. A mailbox
 * without a domain gets host "" (never NIL, which would read as a group marker).
 */
import type { EnvelopeAddress } from './types.js';

/** Postfix's header_address_token_limit: tokens past this are ignored (bounds CPU and output size). */
export const MAX_ADDRESS_TOKENS = 10240;

type TokenKind = 'word' | 'quoted' | 'literal' | 'special' | 'comment';

interface Token {
  kind: TokenKind;
  text: string;
  /** Blank or comment before this token (phrases keep one space there). */
  spaced: boolean;
}

const SPECIALS = '<>@,;:.';

/** Reads a delimited run (quoted string, comment, domain literal) honouring backslash escapes. */
function readDelimited(s: string, i: number, open: string, close: string): { text: string; next: number } {
  let text = '';
  let depth = 1;
  i++;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === close && --depth === 0) return { text, next: i + 1 };
    if (c === open && open !== close) depth++;
    text += c;
    i++;
  }
  return { text, next: i };
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let spaced = false;
  let i = 0;
  while (i < s.length && out.length < MAX_ADDRESS_TOKENS) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      spaced = true;
      i++;
      continue;
    }
    let tok: Token;
    if (c === '(') {
      const r = readDelimited(s, i, '(', ')');
      tok = { kind: 'comment', text: r.text.trim(), spaced };
      i = r.next;
    } else if (c === '"') {
      const r = readDelimited(s, i, '"', '"');
      tok = { kind: 'quoted', text: r.text, spaced };
      i = r.next;
    } else if (c === '[') {
      const r = readDelimited(s, i, '[', ']');
      tok = { kind: 'literal', text: `[${r.text}]`, spaced };
      i = r.next;
    } else if (SPECIALS.includes(c)) {
      tok = { kind: 'special', text: c, spaced };
      i++;
    } else {
      let j = i;
      while (j < s.length && !' \t\r\n("['.includes(s[j] as string) && !SPECIALS.includes(s[j] as string)) j++;
      tok = { kind: 'word', text: s.slice(i, j), spaced };
      i = j;
    }
    out.push(tok);
    spaced = tok.kind === 'comment';
  }
  return out;
}

function isSpecial(t: Token | undefined, chars: string): boolean {
  return t !== undefined && t.kind === 'special' && chars.includes(t.text);
}

/** A display name: words joined with one space where the header had blanks; null when empty. */
function phrase(tokens: Token[]): string | null {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    out += (t.spaced && out !== '' ? ' ' : '') + t.text;
  }
  return out === '' ? null : out;
}

/** A local part or domain: tokens joined tightly; quoted local parts keep their quotes. */
function tight(tokens: Token[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    out += t.kind === 'quoted' ? `"${t.text.replace(/[\\"]/g, '\\$&')}"` : t.text;
  }
  return out;
}

function firstComment(tokens: Token[]): string | null {
  const c = tokens.find((t) => t.kind === 'comment' && t.text !== '');
  return c ? c.text : null;
}

/** Splits `local@domain` at the last "@" (the local part may be quoted and contain none). */
function splitAddrSpec(tokens: Token[]): { mailbox: string; host: string } {
  let at = -1;
  for (let k = tokens.length - 1; k >= 0; k--) {
    if (isSpecial(tokens[k], '@')) {
      at = k;
      break;
    }
  }
  if (at === -1) return { mailbox: tight(tokens), host: '' };
  return { mailbox: tight(tokens.slice(0, at)), host: tight(tokens.slice(at + 1)) };
}

class AddressParser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  /** address-list, or the mailbox-list of a group when `inGroup` (stops before ";"). */
  list(inGroup: boolean, out: EnvelopeAddress[]): void {
    const toks = this.toks;
    while (this.i < toks.length) {
      const t = toks[this.i];
      if (isSpecial(t, ',')) {
        this.i++;
        continue;
      }
      if (isSpecial(t, ';')) {
        if (inGroup) return;
        this.i++;
        continue;
      }
      const start = this.i;
      while (this.i < toks.length && !isSpecial(toks[this.i], ',;<:')) this.i++;
      const stop = toks[this.i];
      if (isSpecial(stop, '<')) {
        this.angle(toks.slice(start, this.i), out);
      } else if (isSpecial(stop, ':') && !inGroup) {
        this.i++;
        out.push({ name: null, adl: null, mailbox: phrase(toks.slice(start, this.i - 1)) ?? '', host: null });
        this.list(true, out);
        if (isSpecial(toks[this.i], ';')) this.i++;
        out.push({ name: null, adl: null, mailbox: null, host: null });
      } else {
        // addr-spec, possibly with a trailing comment taken as the display name.
        const range = toks.slice(start, this.i);
        if (isSpecial(stop, ':')) this.i++; // stray colon inside a group: skip it
        if (range.some((x) => x.kind !== 'comment')) {
          out.push({ name: firstComment(range), adl: null, ...splitAddrSpec(range.filter((x) => x.kind !== 'comment')) });
        }
      }
    }
  }

  /** name-addr: `phrase <[@route,@route:]local@domain>`; junk after ">" up to the next separator is dropped. */
  private angle(nameTokens: Token[], out: EnvelopeAddress[]): void {
    const toks = this.toks;
    this.i++; // past '<'
    const start = this.i;
    while (this.i < toks.length && !isSpecial(toks[this.i], '>')) this.i++;
    let inner = toks.slice(start, this.i).filter((x) => x.kind !== 'comment');
    this.i++; // past '>'
    while (this.i < toks.length && !isSpecial(toks[this.i], ',;')) this.i++;
    let adl: string | null = null;
    if (isSpecial(inner[0], '@')) {
      const colon = inner.findIndex((x) => isSpecial(x, ':'));
      if (colon !== -1) {
        adl = tight(inner.slice(0, colon));
        inner = inner.slice(colon + 1);
      }
    }
    out.push({ name: phrase(nameTokens), adl, ...splitAddrSpec(inner) });
  }
}

/**
 * Parses an address-list header value (From, To, Cc, ...) into ENVELOPE
 * address structures. Returns null for an empty list (IMAP NIL). Never throws;
 * anything unparseable is skipped or kept as a domain-less mailbox.
 */
export function parseAddressList(raw: string): EnvelopeAddress[] | null {
  const out: EnvelopeAddress[] = [];
  new AddressParser(tokenize(raw)).list(false, out);
  return out.length === 0 ? null : out;
}
