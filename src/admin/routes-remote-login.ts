import type { FastifyInstance } from 'fastify';
import type { AdminContext } from './context.js';
import { HttpError } from './http-errors.js';
import { MAX_SSH_KEYS, checkPublicKey, firmwareAppliesSsh, readApplied, readRequest, writeRequest } from './remote-login.js';

/**
 * Remote login (SSH) for the owner: `GET`/`PUT /api/remote-login`
 * (docs/admin-api.md). The route only writes a request; the firmware applies
 * it (see remote-login.ts). Keys only — there is no password to set.
 */
export function registerRemoteLoginRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const dataDir = ctx.opts.dataDir;
  const supported = (): boolean => ctx.opts.sshSupported ?? firmwareAppliesSsh();

  const view = async () => {
    const [pending, applied] = await Promise.all([readRequest(dataDir), readApplied(dataDir)]);
    const wanted = pending ?? applied ?? { enabled: false, authorizedKeys: [] };
    return { supported: supported(), enabled: wanted.enabled, authorizedKeys: wanted.authorizedKeys, pending: pending !== null, applied };
  };

  app.get('/api/remote-login', view);

  app.put(
    '/api/remote-login',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled', 'authorizedKeys'],
          properties: {
            enabled: { type: 'boolean' },
            authorizedKeys: { type: 'array', maxItems: MAX_SSH_KEYS, items: { type: 'string', minLength: 1, maxLength: 16_500 } },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { enabled: unknown; authorizedKeys: string[] };
      if (typeof body.enabled !== 'boolean') throw new HttpError(400, 'bad_request', 'enabled must be true or false');
      const keys: string[] = [];
      for (const [i, raw] of body.authorizedKeys.entries()) {
        const c = checkPublicKey(raw);
        if ('problem' in c) throw new HttpError(400, 'bad_request', `key ${i + 1}: ${c.problem}`);
        if (!keys.includes(c.key)) keys.push(c.key);
      }
      if (body.enabled && keys.length === 0) throw new HttpError(400, 'bad_request', 'add at least one public key before switching remote login on (the box has no passwords)');
      if (!supported()) return view();
      await writeRequest(dataDir, body.enabled, keys);
      ctx.opts.log.info({ svc: 'admin', enabled: body.enabled, keys: keys.length }, 'admin: remote login (SSH) change requested');
      // Answered from what was written: the firmware may take the request before we could read it back.
      return { supported: true, enabled: body.enabled, authorizedKeys: keys, pending: true, applied: await readApplied(dataDir) };
    },
  );
}
