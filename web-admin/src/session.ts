/**
 * What the page knows about the owner's session: whether the box has been
 * claimed (setup done) and whether this browser is logged in. The cookie
 * itself is HttpOnly; the page learns the state from `/api/status` and
 * `/api/session`, and keeps the CSRF token those hand out.
 */
import { get, post, setCsrfToken } from './api.js';
import type { BoxStatus, SessionAnswer, SessionInfo } from './types.js';

let state: SessionInfo = { claimed: true, authenticated: false };
const listeners: ((s: SessionInfo) => void)[] = [];

/** The last known session state. */
export function session(): SessionInfo {
  return state;
}

/** Called whenever the state changes (login, logout, expiry). */
export function onSessionChange(cb: (s: SessionInfo) => void): void {
  listeners.push(cb);
}

/** Replaces the state (and CSRF token) and tells the listeners. */
export function setSession(next: SessionInfo): void {
  state = next;
  setCsrfToken(next.csrfToken);
  for (const cb of listeners) cb(state);
}

/** Asks the box for the claim state, then (when logged in) for the session and its CSRF token. */
export async function refreshSession(): Promise<SessionInfo> {
  const status = await get<BoxStatus>('/api/status', { expect401: true });
  let next: SessionInfo = { claimed: status.claimed, setup: status.setup, authenticated: false, hostname: status.hostname };
  if (status.authenticated) {
    try {
      const s = await get<SessionAnswer>('/api/session', { expect401: true });
      next = { ...next, authenticated: true, user: s.username, csrfToken: s.csrfToken, totpEnabled: s.totpEnabled };
    } catch {
      // Expired between the two calls: treat as logged out.
    }
  }
  setSession(next);
  return next;
}

/** Ends the session on the box; the state becomes "logged out" even when the call fails. */
export async function logout(): Promise<void> {
  try {
    await post('/api/logout', {}, { expect401: true });
  } finally {
    setSession({ ...state, authenticated: false, user: undefined, csrfToken: undefined });
  }
}
