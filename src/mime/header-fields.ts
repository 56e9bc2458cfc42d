/**
 * Header-block parsing shared by the indexer and by delivery code that needs a
 * header value (for example Message-ID or Received counting).
 *
 * RFC 5322 §2.2 (header fields) and §2.2.3 (unfolding). Values stay raw:
 * encoded-words are not decoded, because IMAP ENVELOPE and HEADER.FIELDS send
 * the header text as it arrived.
 */

/** One unfolded header field. */
export interface HeaderField {
  /** Field name in lower case, trailing blanks before the colon removed. */
  name: string;
  /** Unfolded value (line breaks removed, the folding blanks kept), trimmed. */
  value: string;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Turns raw header bytes into a string: UTF-8 when the bytes are valid UTF-8
 * (RFC 6532 headers, and all ASCII), otherwise Latin-1 so that every byte
 * still maps to exactly one character and nothing is silently replaced.
 * Never throws.
 */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  }
}

/**
 * Walks a header block (CRLF or bare LF line endings) and calls `onField` for
 * every field in order. Lines without a colon that are not continuations are
 * ignored; the walk stops at the first empty line (end of the header).
 * `wanted`, when given, skips decoding of fields with other names, which keeps
 * hostile headers with thousands of fields cheap.
 */
function walkHeaderFields(block: Uint8Array, onField: (name: string, raw: Uint8Array[]) => void, wanted?: ReadonlySet<string>): void {
  let name: string | null = null;
  let pieces: Uint8Array[] = [];
  const flush = (): void => {
    if (name !== null) onField(name, pieces);
    name = null;
    pieces = [];
  };
  let pos = 0;
  while (pos < block.length) {
    let nl = block.indexOf(LF, pos);
    if (nl === -1) nl = block.length;
    let end = nl;
    if (end > pos && block[end - 1] === CR) end--;
    const first = block[pos];
    if (end === pos) break; // empty line: end of header
    if (first === SP || first === HT) {
      if (name !== null) pieces.push(block.subarray(pos, end));
    } else {
      flush();
      // Search this line only: a scan past it would make colon-less lines quadratic.
      const found = block.subarray(pos, end).indexOf(COLON);
      const colon = found === -1 ? -1 : pos + found;
      if (colon !== -1) {
        let nameEnd = colon;
        while (nameEnd > pos && (block[nameEnd - 1] === SP || block[nameEnd - 1] === HT)) nameEnd--;
        const candidate = Buffer.from(block.buffer, block.byteOffset + pos, nameEnd - pos).toString('latin1').toLowerCase();
        if (candidate.length > 0 && (!wanted || wanted.has(candidate))) {
          name = candidate;
          pieces.push(block.subarray(colon + 1, end));
        }
      }
    }
    pos = nl + 1;
  }
  flush();
}

function joinValue(pieces: Uint8Array[]): string {
  const joined = pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
  return decodeHeaderBytes(joined).trim();
}

/**
 * Parses a header block into its fields, in order, duplicates kept.
 * Never throws; garbage lines are skipped.
 */
export function parseHeaderFields(block: Uint8Array): HeaderField[] {
  const out: HeaderField[] = [];
  walkHeaderFields(block, (name, pieces) => out.push({ name, value: joinValue(pieces) }));
  return out;
}

/**
 * The first occurrence of each wanted field (lower-case names), unfolded and
 * trimmed. Later duplicates are ignored, as IMAP servers commonly do for
 * ENVELOPE and MIME fields. Never throws.
 */
export function firstHeaderValues(block: Uint8Array, wanted: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  walkHeaderFields(
    block,
    (name, pieces) => {
      if (!out.has(name)) out.set(name, joinValue(pieces));
    },
    wanted,
  );
  return out;
}
