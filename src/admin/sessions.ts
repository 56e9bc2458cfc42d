import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Admin sessions (T75). Kept in memory only: a restart logs everybody out,
 * which on an appliance is what the owner expects, and nothing about a
 * session ever reaches the SD card.
 *
 * The cookie is `__Host-sid` (the prefix makes browsers refuse it unless it is
 * Secure, Path=/ and without Domain), HttpOnly and SameSite=Strict. Ids and
 * CSRF tokens are 256 random bits. A new session is made at every login, so a
 * cookie planted before login is worthless afterwards (fixation).
 */

/** Name of the session cookie. */
export const SESSION_COOKIE = '__Host-sid';
/** Header carrying the CSRF token on state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';

export interface Session {
  readonly id: string;
  readonly csrfToken: string;
  readonly username: string;
  readonly createdAt: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  idleMs: number;
  maxMs: number;
  now: () => number;
  /** Most sessions kept; the least recently used is dropped first (default 16). */
  maxSessions?: number;
}

/** The live sessions. Synchronous, in memory; nothing to close. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;

  constructor(private readonly options: SessionStoreOptions) {
    this.maxSessions = options.maxSessions ?? 16;
  }

  /** Makes a new session for `username`. */
  create(username: string): Session {
    const t = this.options.now();
    const s: Session = { id: token(), csrfToken: token(), username, createdAt: t, lastSeen: t };
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    return s;
  }

  /**
   * The live session with this id, marked as used now (and moved to the back
   * of the eviction order); null when unknown, idle too long or too old
   * (an expired session is deleted).
   */
  use(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    const t = this.options.now();
    if (t - s.lastSeen >= this.options.idleMs || t - s.createdAt >= this.options.maxMs) {
      this.sessions.delete(id);
      return null;
    }
    s.lastSeen = t;
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  /** When the session ends if left alone: the earlier of idle and absolute expiry. */
  expiries(s: Session): { idleExpiresAt: number; expiresAt: number } {
    return { idleExpiresAt: s.lastSeen + this.options.idleMs, expiresAt: s.createdAt + this.options.maxMs };
  }

  /** Ends one session (logout). */
  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session (password change, claim reset). */
  destroyAll(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Seconds a new session's cookie may live at most. */
  get cookieMaxAgeSeconds(): number {
    return Math.floor(this.options.maxMs / 1000);
  }
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

/** True when the CSRF token sent matches the session's (constant time). */
export function csrfMatches(session: Session, sent: string | string[] | undefined): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header, or undefined. Pure. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value that installs a session. */
export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}
