import type { MailStore } from '../store/types.js';
import type { Maildrop } from './maildrop.js';

/** Options of `ReadAhead`; the defaults bound the extra memory to 8 × 128 KiB per session. */
export interface ReadAheadOptions {
  /** Messages read ahead of the one being retrieved. */
  depth?: number;
  /** Only messages up to this size are read whole; larger ones are streamed when asked for. */
  maxMessageBytes?: number;
}

/**
 * Read-ahead for the common download pattern "RETR 1, RETR 2, … RETR n": while
 * the client reads message n and sends its next command, the bodies of the
 * next few small messages are already being read from disk, so the file
 * opens and reads overlap the network round trip instead of adding to it.
 *
 * Bodies are immutable, so a message read ahead is exactly the message the
 * snapshot refers to (if another session expunges it meanwhile, sending the
 * original is what RFC 1939 and T58 allow). Read errors are kept for the
 * caller of `take`, never thrown unhandled. Memory: at most `depth` messages
 * of at most `maxMessageBytes`. Nothing to close: `clear()` drops the cache.
 */
export class ReadAhead {
  private readonly cache = new Map<number, Promise<Buffer>>();
  private readonly depth: number;
  private readonly maxBytes: number;

  constructor(
    private readonly store: MailStore,
    private readonly drop: Maildrop,
    options: ReadAheadOptions = {},
  ) {
    this.depth = options.depth ?? 8;
    this.maxBytes = options.maxMessageBytes ?? 128 * 1024;
  }

  /**
   * The body of message `n` (1-based) as one buffer if it is small (from the
   * cache or read now), or undefined when it should be streamed. Also starts
   * reading the next messages. The promise rejects with the store's error
   * (`notFound` when the body is gone).
   */
  take(n: number): Promise<Buffer> | undefined {
    const entry = this.drop.entries[n - 1];
    let whole = this.cache.get(n);
    this.cache.delete(n);
    for (const key of this.cache.keys()) if (key < n || key > n + this.depth) this.cache.delete(key);
    if (!whole && entry && entry.size <= this.maxBytes) whole = this.read(n);
    for (let next = n + 1; next <= n + this.depth; next++) {
      const e = this.drop.entries[next - 1];
      if (!e) break;
      if (e.deleted || e.size > this.maxBytes || this.cache.has(next)) continue;
      this.cache.set(next, this.read(next));
    }
    return whole;
  }

  /** Forgets everything read ahead. */
  clear(): void {
    this.cache.clear();
  }

  private read(n: number): Promise<Buffer> {
    const entry = this.drop.entries[n - 1]!;
    const p = this.store.readBlobRange(entry.blobId, 0, entry.size);
    p.catch(() => undefined); // reported to whoever takes it; a read nobody takes must not go unhandled
    return p;
  }
}
