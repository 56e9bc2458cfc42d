/**
 * Boundary delimiter lines (RFC 2046 §5.1.1) for the part tree: the
 * boundaries of the multiparts open right now, and the start of the line
 * being read, kept only as long as it could still be a delimiter of one of
 * them. Whatever the length of a line, at most `PREFIX_CAP` of its bytes are
 * kept, so a hostile message cannot make the indexer hold a long line.
 */

/** RFC 2046 §5.1.1 allows 70; we accept longer ones from sloppy generators, up to this many bytes. */
const MAX_BOUNDARY = 200;
/** "--" + boundary + "--": every byte that can matter for recognising a delimiter line. */
const PREFIX_CAP = MAX_BOUNDARY + 4;

/** Transport padding after a delimiter (RFC 2046 §5.1.1 `LWSP`), and the CR of a CRLF. */
export function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

/**
 * The key a multipart's `boundary` parameter is matched by: its bytes as
 * latin1, trailing blanks dropped. Null when the multipart has no usable
 * boundary (none, empty, or longer than we recognise): it stays an opaque leaf.
 */
export function boundaryKey(boundary: string | undefined): string | null {
  const key = Buffer.from((boundary ?? '').replace(/[ \t]+$/, ''), 'utf8').toString('latin1');
  return key === '' || key.length > MAX_BOUNDARY ? null : key;
}

/** A delimiter line found: the frame index of its multipart, and whether it is the close delimiter (`--boundary--`). */
export interface DelimiterHit {
  index: number;
  closing: boolean;
}

/** Internal to the part tree; one per message. */
export class BoundaryDelimiters {
  /** Active boundary keys -> indices of the frames using them (innermost last). */
  private readonly active = new Map<string, number[]>();
  private readonly prefix = Buffer.alloc(PREFIX_CAP);
  private prefixLen = 0;
  /** Every content byte of the line after the kept prefix is a blank. */
  private tailBlank = true;

  /** Bytes held whatever the message (the line prefix buffer). */
  retainedBytes(): number {
    return this.prefix.length;
  }

  /** Takes in the content bytes [from, contentEnd) of the current line, in order, in as many calls as the chunks need. */
  scan(chunk: Uint8Array, from: number, contentEnd: number): void {
    let i = from;
    if (this.prefixLen < PREFIX_CAP && i < contentEnd) {
      const k = Math.min(PREFIX_CAP - this.prefixLen, contentEnd - i);
      this.prefix.set(chunk.subarray(i, i + k), this.prefixLen);
      this.prefixLen += k;
      i += k;
    }
    if (this.tailBlank) {
      for (; i < contentEnd; i++) {
        if (!isBlank(chunk[i])) {
          this.tailBlank = false;
          break;
        }
      }
    }
  }

  /** Forgets the current line, before the next one starts. */
  resetLine(): void {
    this.prefixLen = 0;
    this.tailBlank = true;
  }

  /**
   * Whether the complete current line is a delimiter of an active boundary:
   * "--" boundary ["--"] then only transport padding (RFC 2046 §5.1.1). The
   * innermost matching boundary wins; a line matching an outer boundary also
   * closes the inner multiparts (§5.1.2), which the caller does.
   */
  match(): DelimiterHit | null {
    if (this.active.size === 0 || this.prefixLen < 2 || this.prefix[0] !== 0x2d || this.prefix[1] !== 0x2d || !this.tailBlank) return null;
    let end = this.prefixLen;
    while (end > 2 && isBlank(this.prefix[end - 1])) end--;
    const s = this.prefix.toString('latin1', 2, end);
    const open = this.active.get(s)?.at(-1) ?? -1;
    const close = s.endsWith('--') ? (this.active.get(s.slice(0, -2))?.at(-1) ?? -1) : -1;
    if (open === -1 && close === -1) return null;
    return close > open ? { index: close, closing: true } : { index: open, closing: false };
  }

  /** The multipart at frame `index` now waits for delimiters of `key` (from `boundaryKey`). */
  activate(key: string, index: number): void {
    const list = this.active.get(key) ?? [];
    list.push(index);
    this.active.set(key, list);
  }

  /** The multipart at frame `index` no longer takes delimiters of `key` (it was closed or left). */
  deactivate(key: string, index: number): void {
    const list = this.active.get(key);
    if (!list) return;
    const at = list.lastIndexOf(index);
    if (at !== -1) list.splice(at, 1);
    if (list.length === 0) this.active.delete(key);
  }
}
