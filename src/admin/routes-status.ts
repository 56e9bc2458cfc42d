import type { FastifyInstance } from 'fastify';
import { S, type AdminContext } from './context.js';
import type { LogLevelName } from './log-ring.js';

const HOUR_MS = 3_600_000;

/** Port of a `host:port` / `[v6]:port` address, or null. */
function portOf(address: string | null | undefined): number | null {
  const m = address ? /:(\d{1,5})$/.exec(address) : null;
  return m ? Number(m[1]) : null;
}

/** Dashboard, health history and the Logs page: read-only views. */
export function registerStatusRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store, stats, config } = ctx.opts;

  app.get('/api/dashboard', async () => {
    const running = ctx.opts.services?.() ?? {};
    const names = new Set<string>(Object.keys(running));
    for (const [name, where] of Object.entries(config.listen)) if (where) names.add(name);
    const services = [...names].map((name) => {
      const address = running[name] ?? null;
      const configured = config.listen[name as keyof typeof config.listen];
      return { name, address, port: portOf(address) ?? (configured ? configured.port : null), up: address !== null };
    });
    const [queue, freeBytes] = await Promise.all([
      ctx.opts.queue ? store.listQueue().then((q) => q.length) : Promise.resolve(0),
      store.freeBytes().catch(() => 0),
    ]);
    return {
      hostname: config.hostname,
      now: ctx.now(),
      services,
      mail: stats.mail.today(),
      queue: { size: queue, available: ctx.opts.queue !== undefined },
      store: { writable: store.isWritable(), freeBytes },
      system: stats.health.latest(),
    };
  });

  app.get('/api/health', { schema: { querystring: S.obj({ hours: S.int(1, 24) }) } }, async (request) => {
    const hours = (request.query as { hours?: number }).hours ?? 24;
    return { samples: stats.health.since(ctx.now() - hours * HOUR_MS) };
  });

  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  app.get(
    '/api/logs',
    { schema: { querystring: S.obj({ service: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' }, level: { type: 'string', enum: levels }, limit: S.int(1, 1000) }) } },
    async (request) => {
      const q = request.query as { service?: string; level?: LogLevelName; limit?: number };
      const ring = ctx.opts.logRing;
      return {
        entries: ring ? ring.entries({ ...(q.service ? { service: q.service } : {}), ...(q.level ? { level: q.level } : {}), limit: q.limit ?? 200 }) : [],
        services: ring ? ring.services() : [],
      };
    },
  );
}
