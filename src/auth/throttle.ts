import { isIPv6 } from 'node:net';

/** Options of `AuthThrottle`; every field has a default matching security-cases appendix 1. */
export interface AuthThrottleOptions {
  /** Failures tolerated before attempts are delayed (default 5). */
  threshold?: number;
  /** Delay of the first penalised attempt (default 2000 ms); doubles per further failure. */
  baseDelayMs?: number;
  /** Delay cap (default 15000 ms). */
  maxDelayMs?: number;
  /** An address is forgotten this long after its last failure (default 15 min). */
  windowMs?: number;
  /** Addresses remembered at most; the least recently failing are forgotten first (default 10000). */
  maxEntries?: number;
  /** Clock in milliseconds (tests inject a fake one). */
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailure: number;
}

/**
 * Per-client authentication failure throttle shared by SMTP, IMAP and POP3,
 * modelled on Dovecot's auth penalty: after `threshold` failures from one
 * client within the window, each further attempt waits `baseDelayMs`, doubling
 * with every failure up to `maxDelayMs` (2 s, 4 s, 8 s, 15 s).
 *
 * Clients are keyed by IPv4 address, or by /64 prefix for IPv6 (one
 * subscriber usually owns a whole /64). A success forgives failures only down
 * to `threshold - 1`, so a client that owns one account cannot reset its
 * penalty by interleaving good logins with guesses at another account.
 * Memory is bounded by `maxEntries`; entries expire `windowMs` after their
 * last failure. Synchronous and in-memory: nothing to close.
 */
export class AuthThrottle {
  private readonly threshold: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Insertion order = least recently failing first, which is also eviction order. */
  private readonly entries = new Map<string, Entry>();

  constructor(options: AuthThrottleOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds the next authentication attempt from `ip` must wait before it is answered (0 = none). */
  delayFor(ip: string): number {
    const entry = this.live(clientKey(ip));
    if (!entry || entry.failures < this.threshold) return 0;
    const doublings = entry.failures - this.threshold;
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(doublings, 30));
  }

  /** Records a failed attempt from `ip`. */
  recordFailure(ip: string): void {
    const key = clientKey(ip);
    const entry = this.live(key);
    this.entries.delete(key);
    this.entries.set(key, { failures: (entry?.failures ?? 0) + 1, lastFailure: this.now() });
    this.evict();
  }

  /** Records a successful login from `ip` (forgives failures down to `threshold - 1`). */
  recordSuccess(ip: string): void {
    const key = clientKey(ip);
    const entry = this.live(key);
    if (!entry) return;
    if (entry.failures < this.threshold) this.entries.delete(key);
    else entry.failures = this.threshold - 1;
  }

  /** Number of clients currently remembered (for status and tests). */
  get size(): number {
    return this.entries.size;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.lastFailure >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - entry.lastFailure < this.windowMs) break;
      this.entries.delete(key);
    }
  }
}

/** Throttle key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix. */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const groups = expandIPv6(ip);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right];
  return groups.map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)));
}

/** Waits `ms` milliseconds (the real delay used by protocol front ends). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
