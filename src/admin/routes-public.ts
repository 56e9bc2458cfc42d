import type { FastifyInstance, FastifyRequest } from 'fastify';
import { autoconfigXml, autodiscoverRequestAddress, autodiscoverXml, clientSettings, mobileconfigXml } from './client-config.js';
import { S, type AdminContext } from './context.js';
import { HttpError } from './http-errors.js';
import { hostOf } from './host-names.js';

const EMAIL = '^[^\\s<>"&\']{1,256}@[A-Za-z0-9.-]{1,253}$';
const emailQuery = S.obj({ emailaddress: { type: 'string', maxLength: 320, pattern: EMAIL } });

/**
 * Routes every client may call, whatever its address or the Host it used
 * (`access: 'public'`): mail-client self-configuration, the CA certificate,
 * and ACME HTTP-01 answers. They reveal nothing that is not in DNS already:
 * whether an address exists is never looked up, and a request's address is
 * only echoed back (escaped).
 */
export function registerPublicRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { hostname, listen } = ctx.opts.config;
  const pub = { access: 'public' as const };

  /** The mail domain a request is about: the address's, else `autoconfig.<domain>` in Host, else the first local domain. */
  const domainFor = async (request: FastifyRequest, address?: string): Promise<string> => {
    if (address) return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const host = hostOf(request.headers.host) ?? '';
    const m = /^(?:autoconfig|autodiscover)\.(.+)$/.exec(host);
    if (m && ctx.opts.store.isLocalDomain(m[1] as string)) return m[1] as string;
    return (await ctx.opts.store.listDomains())[0] ?? hostname;
  };

  const autoconfig = async (request: FastifyRequest) => {
    const { emailaddress } = request.query as { emailaddress?: string };
    const domain = await domainFor(request, emailaddress);
    const settings = clientSettings(hostname, listen, emailaddress ?? `%EMAILADDRESS%@${domain}`);
    settings.domain = domain;
    return autoconfigXml(settings, hostname);
  };
  for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml']) {
    app.get(path, { config: pub, schema: { querystring: emailQuery } }, async (request, reply) => {
      return reply.type('application/xml; charset=utf-8').send(await autoconfig(request));
    });
  }

  // Autodiscover posts an XML document; this parser exists only inside this plugin.
  void app.register(async (scope) => {
    scope.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));
    for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      scope.post(path, { config: pub }, async (request, reply) => {
        const address = typeof request.body === 'string' ? autodiscoverRequestAddress(request.body) : null;
        if (!address || !new RegExp(EMAIL).test(address)) throw new HttpError(400, 'bad_request', 'the request names no e-mail address (EMailAddress)');
        return reply.type('application/xml; charset=utf-8').send(autodiscoverXml(clientSettings(hostname, listen, address)));
      });
      scope.get(path, { config: pub, schema: { querystring: emailQuery } }, async (request, reply) => {
        const { emailaddress } = request.query as { emailaddress?: string };
        const address = emailaddress ?? `user@${await domainFor(request)}`;
        return reply.type('application/xml; charset=utf-8').send(autodiscoverXml(clientSettings(hostname, listen, address)));
      });
    }
  });

  app.get(
    '/mobileconfig',
    { config: pub, schema: { querystring: S.obj({ emailaddress: { type: 'string', maxLength: 320, pattern: EMAIL } }, ['emailaddress']) } },
    async (request, reply) => {
      const { emailaddress } = request.query as { emailaddress: string };
      const body = mobileconfigXml(clientSettings(hostname, listen, emailaddress), hostname, ctx.opts.certs.caPem());
      const file = emailaddress.replace(/[^A-Za-z0-9.@-]/g, '_');
      return reply
        .type('application/x-apple-aspen-config')
        .header('content-disposition', `attachment; filename="${file}.mobileconfig"`)
        .send(body);
    },
  );

  app.get('/ca.crt', { config: pub }, async (_request, reply) => {
    return reply.type('application/x-x509-ca-cert').header('content-disposition', 'attachment; filename="letterbox-ca.crt"').send(ctx.opts.certs.caPem());
  });

  // RFC 8555 §8.3: the answer is the key authorization as plain text.
  app.get(
    '/.well-known/acme-challenge/:token',
    { config: pub, schema: { params: S.obj({ token: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,256}$' } }, ['token']) } },
    async (request, reply) => {
      const answer = ctx.opts.acme?.challengeResponse((request.params as { token: string }).token) ?? null;
      if (!answer) throw new HttpError(404, 'not_found', 'no such challenge');
      return reply.type('text/plain').send(answer);
    },
  );

  app.get('/api/users/:address/client-setup', { schema: { params: S.obj({ address: S.str(320, 3) }, ['address']) } }, async (request) => {
    const { address } = request.params as { address: string };
    const account = await ctx.opts.store.getAccount(address);
    if (!account) throw new HttpError(404, 'not_found', `no account ${address}`);
    const s = clientSettings(hostname, listen, account.address);
    const q = encodeURIComponent(account.address);
    return {
      address: s.address,
      username: s.username,
      incoming: s.incoming,
      outgoing: s.outgoing,
      autoconfigUrl: `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${q}`,
      mobileconfigUrl: `/mobileconfig?emailaddress=${q}`,
    };
  });
}
