import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { hardenTlsServer } from '../tls/tls-harden.js';
import { buildAdmin } from './build-admin.js';
import { allowedHosts, hostOf, interfaceAddresses } from './host-names.js';
import { DEFAULT_ADMIN_SETTINGS, type AdminCertificates, type AdminOptions } from './types.js';

/** What `startAdminServer` needs beyond `buildAdmin`'s options. */
export interface AdminServerOptions extends AdminOptions {
  certs: AdminCertificates & { tlsOptions(): TlsOptions; onRenewed(listener: () => void): () => void };
  /** Where the HTTPS admin listener binds (`listen.admin`). */
  listen: { host: string; port: number };
}

/** The running admin listeners. */
export interface AdminServer {
  app: FastifyInstance;
  /** `host:port` of the HTTPS listener. */
  address: string;
  /** `host:port` of the port-80 listener, when configured. */
  httpAddress: string | null;
  /** Stops both listeners (open requests finish). Idempotent. */
  close(): Promise<void>;
}

/** Paths the plain-HTTP listener serves itself instead of redirecting (ACME must be plain HTTP; mail clients try HTTP too). */
const PLAIN_HTTP_PATHS = [/^\/\.well-known\/acme-challenge\//, /^\/\.well-known\/autoconfig\//, /^\/mail\/config-v1\.1\.xml/, /^\/autodiscover\/autodiscover\.xml/i, /^\/ca\.crt$/];

function formatAddress(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * Starts the admin app on HTTPS with the box's certificate (renewals and an
 * imported or ACME certificate reach it without a restart), only HTTP/1.1
 * offered in ALPN. With `config.admin.httpListen` set, also a plain-HTTP
 * listener (port 80) that answers ACME HTTP-01 challenges and the public
 * autoconfig paths, and redirects everything else to HTTPS on the box's own
 * name (never to a name taken from a foreign Host header). Rejects when a
 * port cannot be bound (nothing is left listening then). The caller closes it;
 * the services in `opts` stay the caller's.
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const { certs, log } = opts;
  const settings = { ...DEFAULT_ADMIN_SETTINGS, ...opts.config.admin };
  let offRenewed: (() => void) | undefined;
  const app = await buildAdmin(opts, {
    serverFactory: (handler) => {
      const server = createHttpsServer({ ...certs.tlsOptions(), ALPNProtocols: ['http/1.1'] }, handler);
      hardenTlsServer(server, log);
      // Clients without SNI (a bare IP address in the browser) use the default context: keep it current.
      offRenewed = certs.onRenewed(() => server.setSecureContext(certs.tlsOptions()));
      server.headersTimeout = 20_000;
      server.requestTimeout = 60_000;
      return server as unknown as HttpServer;
    },
  });
  let plain: HttpServer | null = null;
  try {
    await app.listen({ host: opts.listen.host, port: opts.listen.port });
    const httpsAddress = app.server.address() as AddressInfo;
    if (settings.httpListen) {
      const hosts = allowedHosts(opts.config.hostname, opts.config.addresses ?? interfaceAddresses(), settings.extraHostnames);
      plain = createHttpServer((req, res) => plainHttp(app, req, res, hosts, opts.config.hostname, httpsAddress.port));
      plain.headersTimeout = 20_000;
      plain.requestTimeout = 30_000;
      plain.on('clientError', (_err, socket) => socket.destroy());
      const where = settings.httpListen;
      await new Promise<void>((resolve, reject) => {
        (plain as HttpServer).once('error', reject);
        (plain as HttpServer).listen(where.port, where.host, () => resolve());
      });
      plain.on('error', (err) => log.error({ err, svc: 'admin' }, 'admin: HTTP listener error'));
    }
    let closing: Promise<void> | undefined;
    return {
      app,
      address: formatAddress(httpsAddress),
      httpAddress: plain ? formatAddress(plain.address() as AddressInfo) : null,
      close: () =>
        (closing ??= (async () => {
          offRenewed?.();
          if (plain) await new Promise<void>((resolve) => (plain as HttpServer).close(() => resolve()));
          await app.close();
        })()),
    };
  } catch (err) {
    offRenewed?.();
    if (plain?.listening) await new Promise<void>((resolve) => (plain as HttpServer).close(() => resolve()));
    await app.close();
    throw err;
  }
}

/** The port-80 handler: public paths go through the app (same routes, same guard); the rest is redirected. */
function plainHttp(app: FastifyInstance, req: IncomingMessage, res: ServerResponse, hosts: Set<string>, hostname: string, httpsPort: number): void {
  const url = req.url ?? '/';
  if (PLAIN_HTTP_PATHS.some((p) => p.test(url))) {
    app.routing(req, res);
    return;
  }
  const asked = hostOf(req.headers.host);
  const host = asked && hosts.has(asked) ? asked : hostname;
  const authority = (host.includes(':') ? `[${host}]` : host) + (httpsPort === 443 ? '' : `:${httpsPort}`);
  const safePath = url.startsWith('/') && !url.startsWith('//') ? url : '/';
  res.writeHead(301, { location: `https://${authority}${safePath}`, 'content-type': 'text/plain', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end('moved to HTTPS\n');
}
