import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { clearRelay, setRelay, showRelays } from '../smtp/outbound/settings-ops.js';
import { OUTBOUND_SETTINGS_NAME, readOutboundSettings, type StoredOutboundSettings } from '../smtp/outbound/settings.js';
import type { AcmeControl } from './acme-types.js';
import { S, type AdminContext } from './context.js';
import { HttpError } from './http-errors.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** What the Certificates page shows about a PEM chain's leaf. */
export function describeCertificate(chainPem: string, source: string) {
  const leaf = new X509Certificate((chainPem.match(PEM_CERT) ?? [chainPem])[0] as string);
  const names = (leaf.subjectAltName ?? '').split(',').map((n) => n.trim().replace(/^(DNS|IP Address):/, '')).filter(Boolean);
  return {
    // Current ACME profiles issue certificates with an empty subject (the names are
    // only in the SAN); Node then reports `subject` as undefined.
    subject: (leaf.subject ?? '').replace(/\n/g, ', '),
    issuer: (leaf.issuer ?? '').replace(/\n/g, ', '),
    names,
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
    fingerprint256: leaf.fingerprint256,
    source,
  };
}

/**
 * Why a certificate chain and key cannot be served, or null: unreadable PEM,
 * a key that does not belong to the leaf, a leaf outside its validity, or a
 * chain whose certificates do not sign each other in order. Pure.
 */
export function certificatePairProblem(certPem: string, keyPem: string, nowMs: number): string | null {
  const pems = certPem.match(PEM_CERT) ?? [];
  if (pems.length === 0) return 'the certificate is not in PEM form (-----BEGIN CERTIFICATE-----)';
  let chain: X509Certificate[];
  try {
    chain = pems.map((p) => new X509Certificate(p));
  } catch {
    return 'the certificate cannot be read';
  }
  const leaf = chain[0] as X509Certificate;
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    if (!fromKey.equals(leaf.publicKey.export({ type: 'spki', format: 'der' }))) return 'the private key does not belong to the certificate';
  } catch {
    return 'the private key cannot be read (PEM, unencrypted)';
  }
  if (Date.parse(leaf.validTo) <= nowMs) return 'the certificate has expired';
  if (Date.parse(leaf.validFrom) > nowMs) return 'the certificate is not valid yet';
  if (leaf.ca) return 'the first certificate is a CA certificate; put the server certificate first';
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!(chain[i] as X509Certificate).checkIssued(chain[i + 1] as X509Certificate)) return `certificate ${i + 2} of the chain did not issue certificate ${i + 1}`;
  }
  return null;
}

function requireAcme(ctx: AdminContext): AcmeControl {
  if (!ctx.opts.acme) throw new HttpError(503, 'unavailable', 'ACME is not available on this box');
  return ctx.opts.acme;
}

/** Certificates (current, import, back to local), ACME switches, and runtime settings (smarthost, limits). */
export function registerCertsSettingsRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { certs, store } = ctx.opts;
  const current = () => describeCertificate(certs.serverPem().cert, certs.source?.() ?? 'local');

  app.get('/api/certificates', async () => ({
    current: current(),
    caUrl: '/ca.crt',
    acme: ctx.opts.acme ? await ctx.opts.acme.status() : null,
  }));

  const pem = { type: 'string', minLength: 1, maxLength: 64 * 1024 } as const;
  app.post('/api/certificates/import', { schema: { body: S.obj({ cert: pem, key: pem }, ['cert', 'key']) } }, async (request) => {
    const { cert, key } = request.body as { cert: string; key: string };
    const problem = certificatePairProblem(cert, key, ctx.now());
    if (problem) throw new HttpError(400, 'bad_request', problem);
    if (!certs.installExternal) throw new HttpError(503, 'unavailable', 'this box cannot install certificates');
    await certs.installExternal(cert, key, 'imported');
    ctx.opts.log.info({ svc: 'admin' }, 'admin: imported a certificate');
    return { current: current() };
  });

  app.post('/api/certificates/local', { schema: { body: S.empty } }, async () => {
    if (!certs.useLocal) throw new HttpError(503, 'unavailable', 'this box cannot switch certificates');
    await certs.useLocal();
    return { current: current() };
  });

  app.get('/api/acme', async () => requireAcme(ctx).status());

  app.put(
    '/api/acme',
    {
      schema: {
        body: S.obj(
          {
            enabled: { type: 'boolean' },
            email: { type: 'string', maxLength: 254, pattern: '^[^\\s@<>]+@[^\\s@<>]+$' },
            directoryUrl: { type: 'string', maxLength: 500, pattern: '^https://' },
            agreeTos: { type: 'boolean' },
          },
          ['enabled', 'agreeTos'],
        ),
      },
    },
    async (request) => {
      const body = request.body as { enabled: boolean; email?: string; directoryUrl?: string; agreeTos: boolean };
      const acme = requireAcme(ctx);
      if (body.enabled && !body.agreeTos) throw new HttpError(400, 'bad_request', 'accept the certificate authority\'s terms of service to use ACME');
      return acme.configure(body);
    },
  );

  app.post('/api/acme/renew', { schema: { body: S.empty } }, async (_request, reply) => reply.code(202).send(await requireAcme(ctx).renewNow()));

  const limitsOf = async () => {
    const s = await readOutboundSettings(store);
    return { messagesPerHour: s.rateLimit.messagesPerHour, recipientsPerHour: s.rateLimit.recipientsPerHour, maxConnections: s.maxConnections };
  };

  const HOUR_MS = 3_600_000;
  const deliveryOf = async () => {
    const s = await readOutboundSettings(store);
    return {
      giveUpAfterDays: Math.round(s.retry.giveUpAfterMs / (24 * HOUR_MS) * 100) / 100,
      delayWarningAfterHours: Math.round(s.retry.delayWarningAfterMs / HOUR_MS * 100) / 100,
      dkimEd25519: s.dkim.ed25519,
      dkimSelector: s.dkim.selector,
    };
  };

  app.get('/api/settings', async () => ({
    hostname: ctx.opts.config.hostname,
    relays: await showRelays(store),
    limits: await limitsOf(),
    delivery: await deliveryOf(),
    admin: { allowedClients: ctx.settings.allowedClients },
  }));

  app.put(
    '/api/settings/relay',
    {
      schema: {
        body: S.obj(
          {
            host: S.str(253),
            port: S.int(1, 65535),
            tls: { type: 'string', enum: ['starttls', 'implicit'] },
            username: S.str(256),
            password: { type: 'string', minLength: 1, maxLength: 1024 },
            domain: S.str(253),
          },
          ['host'],
        ),
      },
    },
    async (request) => setRelay(store, request.body as Parameters<typeof setRelay>[1]),
  );

  app.delete('/api/settings/relay', { schema: { querystring: S.obj({ domain: S.str(253) }) } }, async (request, reply) => {
    await clearRelay(store, (request.query as { domain?: string }).domain);
    return reply.code(204).send();
  });

  app.put(
    '/api/settings/limits',
    { schema: { body: S.obj({ messagesPerHour: S.int(1, 100_000), recipientsPerHour: S.int(1, 1_000_000), maxConnections: S.int(1, 64) }) } },
    async (request) => {
      const body = request.body as { messagesPerHour?: number; recipientsPerHour?: number; maxConnections?: number };
      const doc = ((await store.getSetting(OUTBOUND_SETTINGS_NAME)) as StoredOutboundSettings | null) ?? {};
      const rateLimit = { ...doc.rateLimit };
      if (body.messagesPerHour !== undefined) rateLimit.messagesPerHour = body.messagesPerHour;
      if (body.recipientsPerHour !== undefined) rateLimit.recipientsPerHour = body.recipientsPerHour;
      const next: StoredOutboundSettings = { ...doc, rateLimit };
      if (body.maxConnections !== undefined) next.maxConnections = body.maxConnections;
      await store.putSetting(OUTBOUND_SETTINGS_NAME, next);
      return { limits: await limitsOf() };
    },
  );

  // How long the queue keeps trying (RFC 5321 §4.5.4.1 suggests at least 4–5 days) and how
  // new DKIM keys are made. The queue re-reads these before each run: no restart.
  app.put(
    '/api/settings/delivery',
    {
      schema: {
        body: S.obj({
          giveUpAfterDays: { type: 'number', minimum: 1, maximum: 30 },
          delayWarningAfterHours: { type: 'number', minimum: 0, maximum: 240 },
          dkimEd25519: { type: 'boolean' },
          dkimSelector: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' },
        }),
      },
    },
    async (request) => {
      const body = request.body as { giveUpAfterDays?: number; delayWarningAfterHours?: number; dkimEd25519?: boolean; dkimSelector?: string };
      const doc = ((await store.getSetting(OUTBOUND_SETTINGS_NAME)) as StoredOutboundSettings | null) ?? {};
      const retry = { ...doc.retry };
      if (body.giveUpAfterDays !== undefined) retry.giveUpAfterMs = Math.round(body.giveUpAfterDays * 24 * HOUR_MS);
      if (body.delayWarningAfterHours !== undefined) retry.delayWarningAfterMs = Math.round(body.delayWarningAfterHours * HOUR_MS);
      const giveUp = retry.giveUpAfterMs ?? (await readOutboundSettings(store)).retry.giveUpAfterMs;
      if ((retry.delayWarningAfterMs ?? 0) >= giveUp) throw new HttpError(400, 'invalid', 'the delay warning must come before the queue gives up');
      const dkim = { ...doc.dkim };
      if (body.dkimEd25519 !== undefined) dkim.ed25519 = body.dkimEd25519;
      if (body.dkimSelector !== undefined) dkim.selector = body.dkimSelector;
      await store.putSetting(OUTBOUND_SETTINGS_NAME, { ...doc, retry, dkim });
      return { delivery: await deliveryOf() };
    },
  );
}
