import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { AdminContext } from './context.js';
import { installErrorHandlers } from './http-errors.js';
import { allowedHosts, interfaceAddresses } from './host-names.js';
import { installRequestGuard } from './request-guard.js';
import { registerAuthRoutes } from './routes-auth.js';
import { registerCertsSettingsRoutes } from './routes-certs-settings.js';
import { registerDirectoryRoutes } from './routes-directory.js';
import { registerPublicRoutes } from './routes-public.js';
import { registerQueueDnsRoutes } from './routes-queue-dns.js';
import { registerRemoteLoginRoutes } from './routes-remote-login.js';
import { registerStatusRoutes } from './routes-status.js';
import { SessionStore } from './sessions.js';
import { registerStaticFiles } from './static-files.js';
import { DEFAULT_ADMIN_SETTINGS, type AdminOptions, type AdminSettings } from './types.js';

/** Where the built admin page lies in an installation (dist/src/admin → repository root). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../web-admin/dist/', import.meta.url));

/** Largest request body: certificates with chains are the biggest thing the page sends. */
const BODY_LIMIT = 256 * 1024;

/**
 * Builds the admin app (ARCHITECTURE rule 12): a fastify instance with every
 * route, ready for `inject()` in tests or `listen()` by `startAdminServer`.
 * It does not listen and closes none of the services it is given; closing the
 * instance only stops its own work. Fails only on programming errors (a route
 * registered twice).
 *
 * `server` is for `startAdminServer` (it supplies the HTTPS server).
 *
 * Bodies must be JSON (the text/plain parser fastify brings is removed, so a
 * cross-site "simple request" cannot reach a handler, T76); schemas refuse
 * unknown properties instead of silently dropping them.
 */
export async function buildAdmin(opts: AdminOptions, server?: { serverFactory: FastifyServerFactory }): Promise<FastifyInstance> {
  const settings: AdminSettings = { ...DEFAULT_ADMIN_SETTINGS, ...opts.config.admin };
  const now = opts.now ?? Date.now;
  const sessions = new SessionStore({ idleMs: settings.sessionIdleMs, maxMs: settings.sessionMaxMs, now });
  const ctx: AdminContext = { opts, settings, sessions, now, startedAt: now() };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    routerOptions: { maxParamLength: 400, caseSensitive: true },
    ...(server ? { serverFactory: server.serverFactory } : {}),
  });
  app.removeContentTypeParser('text/plain');

  const hosts = allowedHosts(opts.config.hostname, opts.config.addresses ?? interfaceAddresses(), settings.extraHostnames);
  installRequestGuard(app, { hosts, allowedClients: settings.allowedClients, sessions });
  installErrorHandlers(app, opts.log);

  registerPublicRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerStatusRoutes(app, ctx);
  registerDirectoryRoutes(app, ctx);
  registerQueueDnsRoutes(app, ctx);
  registerCertsSettingsRoutes(app, ctx);
  registerRemoteLoginRoutes(app, ctx);
  registerStaticFiles(app, settings.staticDir ?? DEFAULT_STATIC_DIR);

  await app.ready();
  return app;
}
