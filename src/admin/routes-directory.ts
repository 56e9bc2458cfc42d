import type { FastifyInstance } from 'fastify';
import { hashPassword, passwordProblem } from '../auth/index.js';
import { buildExpectedRecords, type DnsCheckConfig } from '../dns/index.js';
import { dkimPublicKeys } from '../smtp/outbound/dkim-keys.js';
import { activateDkim, removeDkim, rotateDkim, showDkim } from '../smtp/outbound/settings-ops.js';
import { S, type AdminContext } from './context.js';
import { HttpError } from './http-errors.js';

const domainName = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' } as const;
const address = { type: 'string', minLength: 3, maxLength: 320 } as const;
const aliasSource = { type: 'string', minLength: 2, maxLength: 320 } as const;
const quota = S.int(0, 2 ** 50);
const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;

/**
 * Domains (with DKIM and "records to create"), users and aliases including
 * catch-alls. Every change is one synced store batch; the store validates
 * names and answers `invalid`/`exists`/`inUse`, which map to 400/409.
 */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { store } = ctx.opts;

  const requireDomain = (name: string): string => {
    const d = name.trim().toLowerCase();
    if (!store.isLocalDomain(d)) throw new HttpError(404, 'not_found', `${d} is not one of the box's domains`);
    return d;
  };

  app.get('/api/domains', async () => {
    const [domains, accounts, aliases] = await Promise.all([store.listDomains(), store.listAccounts(), store.listAliases()]);
    const dom = (a: string): string => a.slice(a.lastIndexOf('@') + 1);
    return {
      domains: domains.map((name) => ({
        name,
        accounts: accounts.filter((a) => dom(a.address) === name).length,
        aliases: aliases.filter((a) => dom(a.source) === name).length,
      })),
    };
  });

  app.post('/api/domains', { schema: { body: S.obj({ name: domainName }, ['name']) } }, async (request, reply) => {
    const { name } = request.body as { name: string };
    await store.addDomain(name);
    return reply.code(201).send({ name: name.trim().toLowerCase() });
  });

  app.delete('/api/domains/:name', { schema: { params: S.obj({ name: domainName }, ['name']) } }, async (request, reply) => {
    await store.removeDomain((request.params as { name: string }).name);
    return reply.code(204).send();
  });

  app.get('/api/domains/:name/dkim', { schema: { params: S.obj({ name: domainName }, ['name']) } }, async (request) => {
    const d = requireDomain((request.params as { name: string }).name);
    return { records: await showDkim(store, d) };
  });

  app.post(
    '/api/domains/:name/dkim/rotate',
    { schema: { params: S.obj({ name: domainName }, ['name']), body: S.obj({ selector: { type: 'string', pattern: '^[A-Za-z0-9-]{1,63}$' } }) } },
    async (request) => {
      const d = requireDomain((request.params as { name: string }).name);
      return { records: await rotateDkim(store, d, (request.body as { selector?: string }).selector) };
    },
  );

  // The waiting key starts signing once the owner has published its record.
  app.post('/api/domains/:name/dkim/activate', { schema: { params: S.obj({ name: domainName }, ['name']) } }, async (request) => {
    const d = requireDomain((request.params as { name: string }).name);
    return { records: await activateDkim(store, d) };
  });

  app.delete(
    '/api/domains/:name/dkim/:selector',
    { schema: { params: S.obj({ name: domainName, selector: { type: 'string', pattern: '^[A-Za-z0-9-]{1,63}$' } }, ['name', 'selector']) } },
    async (request) => {
      const { name, selector } = request.params as { name: string; selector: string };
      return { records: await removeDkim(store, requireDomain(name), selector) };
    },
  );

  app.get('/api/domains/:name/records', { schema: { params: S.obj({ name: domainName }, ['name']) } }, async (request) => {
    const d = requireDomain((request.params as { name: string }).name);
    await showDkim(store, d); // makes the key on first use, so its record can be listed
    const config: DnsCheckConfig = { ...ctx.opts.dnsCheck.checkConfig() };
    const { active, pending } = await dkimPublicKeys(store, d);
    if (active) config.dkim = active;
    if (pending) config.dkimPending = pending;
    const last = await ctx.opts.dnsCheck.readLast();
    const configured = config.publicIp === undefined ? [] : typeof config.publicIp === 'string' ? [config.publicIp] : [...config.publicIp];
    const ips = configured.length > 0 ? configured : (last?.report.publicIps ?? []);
    return buildExpectedRecords(config, d, ips);
  });

  app.get('/api/users', { schema: { querystring: S.obj({ domain: domainName }) } }, async (request) => {
    const { domain } = request.query as { domain?: string };
    const accounts = await store.listAccounts(domain);
    return { users: accounts.map((a) => ({ address: a.address, quotaBytes: a.quotaBytes, usedBytes: a.usedBytes, createdAt: a.createdAt })) };
  });

  app.post('/api/users', { schema: { body: S.obj({ address, password, quotaBytes: quota }, ['address', 'password']) } }, async (request, reply) => {
    const body = request.body as { address: string; password: string; quotaBytes?: number };
    const problem = passwordProblem(body.password, body.address);
    if (problem) throw new HttpError(400, 'bad_request', `weak password: ${problem}`);
    await store.addAccount(body.address, await hashPassword(body.password), body.quotaBytes !== undefined ? { quotaBytes: body.quotaBytes } : {});
    ctx.opts.log.info({ svc: 'admin', user: body.address.toLowerCase() }, 'admin: account added');
    return reply.code(201).send({ address: body.address.trim().toLowerCase() });
  });

  app.delete('/api/users/:address', { schema: { params: S.obj({ address }, ['address']) } }, async (request, reply) => {
    const addr = (request.params as { address: string }).address;
    await store.removeAccount(addr);
    ctx.opts.log.info({ svc: 'admin', user: addr.toLowerCase() }, 'admin: account removed');
    return reply.code(204).send();
  });

  app.post(
    '/api/users/:address/password',
    { schema: { params: S.obj({ address }, ['address']), body: S.obj({ password }, ['password']) } },
    async (request, reply) => {
      const addr = (request.params as { address: string }).address;
      const { password: pw } = request.body as { password: string };
      if (!(await store.getAccount(addr))) throw new HttpError(404, 'not_found', `no account ${addr}`);
      const problem = passwordProblem(pw, addr);
      if (problem) throw new HttpError(400, 'bad_request', `weak password: ${problem}`);
      await store.setPasswordHash(addr, await hashPassword(pw));
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/users/:address/quota',
    { schema: { params: S.obj({ address }, ['address']), body: S.obj({ quotaBytes: quota }, ['quotaBytes']) } },
    async (request) => {
      const addr = (request.params as { address: string }).address;
      if (!store.setQuota) throw new HttpError(503, 'unavailable', 'this store cannot change quotas');
      await store.setQuota(addr, (request.body as { quotaBytes: number }).quotaBytes);
      const a = await store.getAccount(addr);
      if (!a) throw new HttpError(404, 'not_found', `no account ${addr}`);
      return { address: a.address, quotaBytes: a.quotaBytes, usedBytes: a.usedBytes };
    },
  );

  app.get('/api/aliases', { schema: { querystring: S.obj({ domain: domainName }) } }, async (request) => {
    const { domain } = request.query as { domain?: string };
    return { aliases: await store.listAliases(domain) };
  });

  app.post('/api/aliases', { schema: { body: S.obj({ source: aliasSource, target: address }, ['source', 'target']) } }, async (request, reply) => {
    const { source, target } = request.body as { source: string; target: string };
    await store.addAlias(source, target);
    return reply.code(201).send({ source: source.trim().toLowerCase(), target: target.trim().toLowerCase() });
  });

  app.delete(
    '/api/aliases/:source',
    { schema: { params: S.obj({ source: aliasSource }, ['source']), querystring: S.obj({ target: address }) } },
    async (request, reply) => {
      const { source } = request.params as { source: string };
      const { target } = request.query as { target?: string };
      await store.removeAlias(source, target);
      return reply.code(204).send();
    },
  );
}
