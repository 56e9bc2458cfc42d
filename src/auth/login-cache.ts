import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Options of a `LoginCache`. */
export interface LoginCacheOptions {
  /** How long one scrypt verification vouches for a password (default 1 hour, as Dovecot's auth cache). */
  ttlMs?: number;
  /** Accounts remembered at most; the oldest entry goes first (default 256). */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry {
  /** The stored password hash the password was verified against. */
  hash: string;
  /** HMAC of hash and password under this process's random key. */
  proof: Buffer;
  expires: number;
}

export const DEFAULT_LOGIN_CACHE_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_LOGIN_CACHE_ENTRIES = 256;

/**
 * Remembers, for a while, that a password was verified against an account's
 * stored hash, so the next login with the same password skips scrypt.
 *
 * Why: each scrypt verification takes 64 MiB and a few hundred milliseconds
 * on a Raspberry Pi, and mail programs log in often (a phone polling POP3
 * every few minutes, a desktop opening five IMAP connections at start). After
 * one verification, the same address + password is accepted on an HMAC
 * comparison until the entry expires.
 *
 * Contract:
 * - Only successes are remembered. A wrong password never matches an entry,
 *   so it always costs a full scrypt verification (and the throttle's delay).
 * - An entry is bound to the stored hash it was verified against: a password
 *   change (or the rehash after a parameter change) makes it miss.
 * - An entry vouches for at most `ttlMs` after its scrypt verification; hits
 *   do not extend it.
 * - What is kept is an HMAC under a random key made at start-up and never
 *   written anywhere; it dies with the process. Nothing is persisted.
 */
export class LoginCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Logins answered from the cache (status and tests). */
  hits = 0;

  constructor(options: LoginCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LOGIN_CACHE_TTL_MS;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_LOGIN_CACHE_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  /** True when `password` was verified against `hash` for `address` within the TTL. */
  matches(address: string, hash: string, password: string): boolean {
    const entry = this.entries.get(address);
    if (!entry) return false;
    if (entry.expires <= this.now() || entry.hash !== hash) {
      this.entries.delete(address);
      return false;
    }
    if (!timingSafeEqual(entry.proof, this.proof(hash, password))) return false;
    this.hits++;
    return true;
  }

  /** Records a successful scrypt verification of `password` against `hash`. */
  remember(address: string, hash: string, password: string): void {
    this.entries.delete(address);
    this.entries.set(address, { hash, proof: this.proof(hash, password), expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Number of accounts remembered (including expired entries not yet looked at). */
  get size(): number {
    return this.entries.size;
  }

  private proof(hash: string, password: string): Buffer {
    // NFC as in the scrypt input: the same password typed on another system must match.
    return createHmac('sha256', this.key).update(hash).update('\0').update(password.normalize('NFC')).digest();
  }
}
