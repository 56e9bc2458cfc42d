import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, sendError } from './http-errors.js';
import { hostOf, isLanAddress } from './host-names.js';
import { CSRF_HEADER, SESSION_COOKIE, csrfMatches, readCookie, type Session, type SessionStore } from './sessions.js';

/**
 * The checks every admin request passes before any handler runs, in one
 * `onRequest` hook (so they happen before the body is even parsed):
 *
 * 1. Host allowlist → 421 (T77, DNS rebinding: a page on evil.example whose
 *    name now resolves to the box must not get answers meant for the owner).
 * 2. Client address filter → 403 (LAN only unless the owner widened it).
 * 3. Cross-site request refusal → 403 (T76): `Sec-Fetch-Site` other than
 *    same-origin/none, or an `Origin` that is not the Host we are answering as.
 * 4. Session (cookie) → 401, and the CSRF token on unsafe methods → 403.
 *
 * Routes say what they need with `config.access`:
 * - `public`: autoconfig, ACME challenges, CA download — everyone, any Host.
 * - `open`: login, setup, status, static files — checks 1–3 only.
 * - `session` (default, also for unknown paths): all checks.
 */

export type Access = 'public' | 'open' | 'session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The admin session, set by the guard for `session` routes (null elsewhere). */
    adminSession: Session | null;
  }
}

export interface GuardOptions {
  hosts: Set<string>;
  allowedClients: 'lan' | 'any';
  sessions: SessionStore;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `Content-Security-Policy` of every answer: no inline code, no framing, nothing from elsewhere (T78). */
export const CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/** The session cookie's value on this request, if any. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/** Installs the guard and the security headers on the root instance. */
export function installRequestGuard(app: FastifyInstance, options: GuardOptions): void {
  app.decorateRequest('adminSession', null);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access: Access = request.routeOptions.config?.access ?? 'session';
    if (access === 'public') return;
    const problem = check(request, access, options);
    if (problem) return sendError(reply, problem);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    // No CORS ever: the page is same-origin, and credentials must never be shared.
    reply.removeHeader('access-control-allow-origin');
    reply.removeHeader('access-control-allow-credentials');
    reply.removeHeader('x-powered-by');
    if (!reply.hasHeader('cache-control') || request.adminSession) reply.header('cache-control', 'no-store');
    return payload;
  });
}

function check(request: FastifyRequest, access: Access, options: GuardOptions): HttpError | null {
  const host = hostOf(request.headers.host);
  if (!host || !options.hosts.has(host)) {
    return new HttpError(421, 'misdirected', 'this box does not answer to that name; open it by its host name or address');
  }
  if (options.allowedClients === 'lan' && !isLanAddress(request.socket.remoteAddress)) {
    return new HttpError(403, 'forbidden', 'the admin page answers only on the local network');
  }
  const crossSite = crossSiteProblem(request);
  if (crossSite) return crossSite;
  if (access === 'open') return null;

  const session = options.sessions.use(sessionIdOf(request));
  if (!session) return new HttpError(401, 'unauthorized', 'please log in');
  if (UNSAFE.has(request.method) && !csrfMatches(session, request.headers[CSRF_HEADER])) {
    return new HttpError(403, 'csrf', 'the request lacks the page\'s CSRF token; reload the page');
  }
  request.adminSession = session;
  return null;
}

/**
 * A request a browser sent on behalf of another site. `Origin` is checked on
 * every request that carries it; `Sec-Fetch-Site` on unsafe methods (a
 * top-level navigation from a bookmark says `none`, a link from elsewhere
 * `cross-site` — harmless for GET, which never changes anything).
 */
function crossSiteProblem(request: FastifyRequest): HttpError | null {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let ok = false;
    try {
      const u = new URL(origin);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.host === String(request.headers.host ?? '').toLowerCase();
    } catch {
      ok = false;
    }
    if (!ok) return new HttpError(403, 'forbidden', 'requests from other sites are refused');
  }
  if (UNSAFE.has(request.method)) {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return new HttpError(403, 'forbidden', 'requests from other sites are refused');
    }
  }
  return null;
}
