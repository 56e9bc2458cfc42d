import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';
import type { Session, SessionStore } from './sessions.js';
import type { AdminOptions, AdminSettings } from './types.js';

/** What every route module of the admin app shares (made once by `buildAdmin`). */
export interface AdminContext {
  opts: AdminOptions;
  settings: AdminSettings;
  sessions: SessionStore;
  now: () => number;
  /** When this app was built: the setup window counts from here. */
  startedAt: number;
}

/** The request's session; routes behind the guard always have one. */
export function sessionOf(request: FastifyRequest): Session {
  const s = request.adminSession;
  if (!s) throw new HttpError(401, 'unauthorized', 'please log in');
  return s;
}

/** The client address as seen on the socket (no proxy headers are trusted). */
export function clientIp(request: FastifyRequest): string {
  return request.socket.remoteAddress ?? 'unknown';
}

/** JSON-schema snippets used by many routes. */
export const S = {
  str: (max = 256, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const,
  int: (min = 0, max = Number.MAX_SAFE_INTEGER) => ({ type: 'integer', minimum: min, maximum: max }) as const,
  obj: (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required }) as const,
  empty: { type: 'object', additionalProperties: false, properties: {} } as const,
  error: {
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
  } as const,
};
