/**
 * The page's only door to the admin API. Same-origin fetch with the session
 * cookie (HttpOnly, so the page never sees it) and the CSRF token in a header
 * on every state-changing request. A 401 anywhere sends the owner back to the
 * login page; every other failure becomes an `ApiError` with the server's
 * message, which the pages show next to the form that caused it.
 */

/** A failed API call: HTTP status, the server's error code (`bad_request`, `csrf`…) and its one-line message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code = '') {
    super(message);
  }
}

let csrfToken = '';
const unauthorizedListeners: (() => void)[] = [];

/** Remembers the CSRF token the server handed out (at setup, login or session check). */
export function setCsrfToken(token: string | undefined | null): void {
  csrfToken = token ?? '';
}

/** Registers a callback for "session expired or missing" (any 401 outside the login form). */
export function onUnauthorized(cb: () => void): void {
  unauthorizedListeners.push(cb);
}

export interface RequestOptions {
  /** Do not treat 401 as "session gone" (the login form handles its own 401). */
  expect401?: boolean;
  signal?: AbortSignal;
}

/** Calls the API; resolves with the parsed JSON (or null for 204), rejects with `ApiError`. */
export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The box did not answer. Check that it is on and on the same network.');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.expect401) for (const cb of unauthorizedListeners) cb();
    throw new ApiError(res.status, messageOf(res, data), codeOf(data));
  }
  if (data && typeof data === 'object' && 'csrfToken' in data && typeof (data as { csrfToken: unknown }).csrfToken === 'string') {
    csrfToken = (data as { csrfToken: string }).csrfToken;
  }
  return data as T;
}

function codeOf(data: unknown): string {
  const e = data && typeof data === 'object' ? (data as { error?: { code?: unknown } }).error : undefined;
  return e && typeof e === 'object' && typeof e.code === 'string' ? e.code : '';
}

function messageOf(res: Response, data: unknown): string {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown };
    const e = d.error as { message?: unknown } | string | undefined;
    if (e && typeof e === 'object' && typeof e.message === 'string' && e.message) return e.message;
    if (typeof e === 'string' && e) return e;
    if (typeof d.message === 'string' && d.message) return d.message;
  }
  if (res.status === 429) {
    const after = res.headers.get('retry-after');
    return `Too many attempts. Try again${after ? ` in ${after} s` : ' later'}.`;
  }
  if (res.status === 403) return 'Not allowed.';
  if (res.status === 404) return 'Not found.';
  return `The box answered ${res.status}.`;
}

export const get = <T>(path: string, opts?: RequestOptions): Promise<T> => request<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body: unknown = {}, opts?: RequestOptions): Promise<T> => request<T>('POST', path, body, opts);
export const put = <T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> => request<T>('PUT', path, body, opts);
export const patch = <T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> => request<T>('PATCH', path, body, opts);
export const del = <T>(path: string, opts?: RequestOptions): Promise<T> => request<T>('DELETE', path, undefined, opts);

/** Path segment escaping for names inside URLs (addresses contain `@`, which is fine, but `/` or `#` must not split the path). */
export const seg = (s: string): string => encodeURIComponent(s);
