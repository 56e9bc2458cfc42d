import { clientKey, type AuthThrottle } from '../auth/throttle.js';

/**
 * Rate limits of the admin's login and setup forms (T71, T74).
 *
 * Login uses the throttle shared with SMTP, IMAP and POP3 (one count of
 * failures per client across all protocols, T23). The mail protocols make a
 * penalised client wait before answering; a web form cannot hold a request
 * open that long, so here the penalty becomes a `429` with `Retry-After`
 * until the delay since the last failure has passed. The delay grows with
 * every further failure (2 s, 4 s, 8 s, 15 s), so at most a handful of guesses
 * per minute get through, while other clients are unaffected.
 */
export class LoginLimiter {
  /** Client key → time before which the next attempt is refused. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly throttle: AuthThrottle,
    private readonly now: () => number,
  ) {}

  /** Seconds the client must wait (0: go ahead). */
  retryAfter(ip: string): number {
    const key = clientKey(ip);
    const until = this.blockedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.blockedUntil.delete(key);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Records a failed login and starts the penalty the shared throttle asks for. */
  failed(ip: string): void {
    this.throttle.recordFailure(ip);
    const delay = this.throttle.delayFor(ip);
    if (delay > 0) {
      const key = clientKey(ip);
      this.blockedUntil.delete(key);
      this.blockedUntil.set(key, this.now() + delay);
      // Bounded like the throttle: forget the oldest penalties first.
      while (this.blockedUntil.size > 10_000) {
        const first = this.blockedUntil.keys().next();
        if (first.done) break;
        this.blockedUntil.delete(first.value);
      }
    }
  }

  succeeded(ip: string): void {
    this.throttle.recordSuccess(ip);
    this.blockedUntil.delete(clientKey(ip));
  }
}

/**
 * A sliding-window counter: at most `limit` attempts per `windowMs` per
 * client (the setup form: 5 per minute). Bounded memory.
 */
export class WindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts an attempt; returns 0 when allowed, else the seconds until the next one is. */
  take(ip: string): number {
    const key = clientKey(ip);
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return Math.max(1, Math.ceil(((recent[0] as number) + this.windowMs - t) / 1000));
    }
    recent.push(t);
    this.hits.delete(key);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) {
      const first = this.hits.keys().next();
      if (!first.done) this.hits.delete(first.value);
    }
    return 0;
  }
}
