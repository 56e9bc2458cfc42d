import type { FastifyInstance } from 'fastify';
import type { StoredDnsCheck } from '../dns/index.js';
import type { QueueEntry } from '../store/types.js';
import { S, type AdminContext } from './context.js';
import { HttpError } from './http-errors.js';

const queueId = S.obj({ id: { type: 'string', pattern: '^[0-9a-f]{20}$' } }, ['id']);

function view(e: QueueEntry) {
  const pending = e.recipients.filter((r) => r.state === 'pending');
  const withError = [...pending, ...e.recipients].find((r) => r.lastResult);
  return {
    id: e.id,
    sender: e.sender,
    recipients: e.recipients.map((r) => ({ address: r.address, state: r.state, ...(r.lastResult ? { lastResult: r.lastResult } : {}), ...(r.status ? { status: r.status } : {}) })),
    createdAt: e.createdAt,
    nextAttemptAt: e.nextAttemptAt,
    attempts: e.attempts,
    lastError: withError?.lastResult ?? null,
  };
}

/**
 * The outbound queue (list, retry now, delete) and the DNS self-check (run
 * now, last result with its changes). Queue changes are store transactions;
 * the runner picks them up on its next run, which "retry" starts at once.
 */
export function registerQueueDnsRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store } = ctx.opts;

  app.get('/api/queue', async () => ({ available: ctx.opts.queue !== undefined, entries: (await store.listQueue()).map(view) }));

  app.post('/api/queue/:id/retry', { schema: { params: queueId, body: S.empty } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const entry = await store.getQueueEntry(id);
    if (!entry) throw new HttpError(404, 'not_found', 'no such message in the queue');
    await store.queueTransaction({ update: [{ ...entry, nextAttemptAt: ctx.now() }] });
    ctx.opts.queue?.kick().catch((err: unknown) => ctx.opts.log.error({ err, svc: 'admin' }, 'admin: queue run failed'));
    return reply.code(204).send();
  });

  app.delete('/api/queue/:id', { schema: { params: queueId } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await store.getQueueEntry(id))) throw new HttpError(404, 'not_found', 'no such message in the queue');
    await store.queueTransaction({ remove: [id] });
    ctx.opts.log.info({ svc: 'admin', queueId: id }, 'admin: queued message deleted');
    return reply.code(204).send();
  });

  let running: Promise<StoredDnsCheck> | null = null;
  app.get('/api/dns', async () => ({ running: running !== null, last: await ctx.opts.dnsCheck.readLast() }));

  app.post('/api/dns/run', { schema: { body: S.empty } }, async () => {
    running ??= ctx.opts.dnsCheck.runNow().finally(() => {
      running = null;
    });
    return running;
  });
}
