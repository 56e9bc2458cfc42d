import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from './http-errors.js';

/**
 * Serves the built admin page (`web-admin/dist`). Paths are resolved inside
 * the directory only: `..`, dot-files, NUL and backslashes are refused before
 * touching the file system, and the resolved path must stay under the root.
 * Precompressed `file.br` / `file.gz` siblings are sent when the browser
 * accepts them (a Pi should not compress on every request). Paths without an
 * extension that match no file answer `index.html`, so the page's own routes
 * (`/users`) survive a reload.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` for a URL path, or null when the path is not acceptable. Pure. */
export function safeJoin(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const parts = rel.split('/').filter((p) => p.length > 0);
  if (parts.some((p) => p.startsWith('.'))) return null;
  const full = resolve(root, ...parts);
  return full === root || full.startsWith(root + sep) ? full : null;
}

async function send(reply: FastifyReply, file: string, acceptEncoding: string): Promise<FastifyReply> {
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  reply.type(type).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  for (const [enc, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
    if (acceptEncoding.includes(enc) && (await isFile(file + suffix))) {
      return reply.header('content-encoding', enc).send(createReadStream(file + suffix));
    }
  }
  return reply.send(createReadStream(file));
}

/** Registers `GET /*` for the page's files (no session needed: the login page must load). */
export function registerStaticFiles(app: FastifyInstance, dir: string | null): void {
  const root = dir ? resolve(dir) : null;
  app.get('/*', { config: { access: 'open' } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'] ?? '';
    if (!root) throw new HttpError(404, 'not_found', 'the admin page is not installed on this box');
    const file = safeJoin(root, path);
    if (!file) throw new HttpError(404, 'not_found', 'no such page');
    const accept = String(request.headers['accept-encoding'] ?? '');
    if (file !== root && (await isFile(file))) return send(reply, file, accept);
    if (extname(file) === '') {
      const index = resolve(root, 'index.html');
      if (await isFile(index)) return send(reply, index, accept);
    }
    throw new HttpError(404, 'not_found', 'no such page');
  });
  // Unknown API paths are session routes like the rest of /api: 401 without a session, 404 with one.
  app.all('/api/*', async () => {
    throw new HttpError(404, 'not_found', 'no such API route');
  });
}
