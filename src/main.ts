import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BootConfig, ServiceName } from './config/types.js';
import type { MailStore } from './store/types.js';
import { openStore } from './store/index.js';
import { openCertificates, type LocalCertificateStore } from './tls/index.js';
import { AuthThrottle } from './auth/index.js';
import { startControlServer } from './control/index.js';
import { offeredClientServices, type DnsResolver } from './dns/types.js';
import { createDnsResolver } from './dns/node-resolver.js';

export interface StartOptions {
  dataDir: string;
  config: BootConfig;
  log: Logger;
  /** Called once per service when it listens, with its `host:port`. */
  onListening?: (service: ServiceName, address: string) => void;
  /** Called at start while the box is unclaimed, with the one-time setup token and the admin page's address. */
  onSetupToken?: (token: string, adminAddress: string) => void;
  /** Recent log events for the admin page's log view (fed by the logger's destination). */
  logRing?: import('./admin/log-ring.js').LogRing;
}

/** The running appliance: every service over one store. */
export interface Appliance {
  store: MailStore;
  certs: LocalCertificateStore;
  /** Where each running service listens (`host:port`). */
  addresses: Partial<Record<ServiceName, string>>;
  /** Stops accepting, finishes in-flight work, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** A network service as the composition root sees it. */
interface Listener {
  listen(host: string, port: number): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

/** What every service factory receives. */
interface ServiceContext {
  store: MailStore;
  certs: LocalCertificateStore;
  throttle: AuthThrottle;
  config: BootConfig;
  log: Logger;
  resolver: DnsResolver;
  /** The resolver servers of the boot config (empty: the system's). */
  dnsServers: string[];
  /** The outbound queue runner; submission tells it about new remote mail. */
  queue: { kick(): void };
}

/** Builds one service; the module behind it is loaded only when the service is enabled. */
type ServiceFactory = (ctx: ServiceContext) => Promise<Listener>;

const imap = (implicitTls: boolean): ServiceFactory => async (c) =>
  (await import('./imap/server.js')).createImapServer({ store: c.store, certs: c.certs, throttle: c.throttle, log: c.log, limits: c.config.imap, hostname: c.config.hostname, implicitTls });
const pop3 = (implicitTls: boolean): ServiceFactory => async (c) =>
  (await import('./pop3/index.js')).createPop3Server({ store: c.store, certs: c.certs, throttle: c.throttle, log: c.log, limits: c.config.pop3, hostname: c.config.hostname, implicitTls });

/**
 * The services this release runs, in start order. A service the config
 * enables but that is missing here is reported as not available. Modules load
 * lazily: on a 1 GB board every service left off saves its code's memory.
 */
const submission = (implicitTls: boolean): ServiceFactory => async (c) =>
  (await import('./smtp/submission-server.js')).createSubmissionSmtp({
    store: c.store,
    certs: c.certs,
    throttle: c.throttle,
    log: c.log,
    hostname: c.config.hostname,
    limits: c.config.smtp,
    implicitTls,
    queue: c.queue,
  });

const SERVICES: Partial<Record<ServiceName, ServiceFactory>> = {
  smtp: async (c) => {
    const [{ createInboundSmtp }, { inboundAuthCheck }, { cachedResolver }, { Resolver }] = await Promise.all([
      import('./smtp/inbound-server.js'),
      import('./smtp/inbound-auth.js'),
      import('./smtp/cached-resolver.js'),
      import('node:dns/promises'),
    ]);
    const dns = new Resolver({ timeout: 5000, tries: 2 });
    if (c.dnsServers.length > 0) dns.setServers(c.dnsServers);
    // SPF, DKIM, DMARC (and ARC) of every message that arrives on port 25; a burst from one domain asks DNS once.
    const resolve = cachedResolver((name, rrtype) => dns.resolve(name, rrtype));
    const auth = inboundAuthCheck({ hostname: c.config.hostname, resolver: (name, rrtype) => resolve(name, rrtype) as Promise<never> });
    return createInboundSmtp({ store: c.store, certs: c.certs, hostname: c.config.hostname, limits: c.config.smtp, log: c.log, checks: [auth] });
  },
  submission: submission(false),
  submissions: submission(true),
  imap: imap(false),
  imaps: imap(true),
  pop3: pop3(false),
  pop3s: pop3(true),
};

/** Services the configuration may name, whether or not this release runs them. */
export const IMPLEMENTED_SERVICES = Object.keys(SERVICES) as ServiceName[];

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Composition root (ARCHITECTURE "main.ts"): opens the store and the
 * certificates in `dataDir` (creating them on first start), starts every
 * implemented service that the config enables, the control socket the CLI
 * uses while the appliance runs, and the daily DNS self-check. On failure
 * everything already opened is closed. Closing runs in reverse order: the
 * listeners stop (finishing in-flight work) before the store closes.
 */
export async function startAppliance(opts: StartOptions): Promise<Appliance> {
  const { dataDir, config, log } = opts;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (err) {
        log.error({ err }, 'error while stopping');
      }
    }
    closers.length = 0;
  };
  try {
    const store = await openStore({ dir: dataDir, log: log.child({ svc: 'store' }) });
    closers.push(() => store.close());
    const certs = await openCertificates({ dir: join(dataDir, 'tls'), hostname: config.hostname, log: log.child({ svc: 'tls' }) });
    closers.push(async () => certs.close());
    const resolver = createDnsResolver({ servers: config.dns.servers });
    const { startOutboundQueue } = await import('./smtp/outbound/queue-runner.js');
    const { systemResolver } = await import('./smtp/outbound/mx-resolver.js');
    // The admin page, once started, counts what the queue delivers.
    let noteSent: (recipients: number) => void = () => undefined;
    const queue = startOutboundQueue({
      store,
      log: log.child({ svc: 'queue' }),
      hostname: config.hostname,
      resolver: systemResolver(config.dns.servers),
      mxPort: config.outbound.mxPort,
      ...(config.outbound.localAddress ? { localAddress: config.outbound.localAddress } : {}),
      onDelivered: (n) => noteSent(n),
    });
    // Closed after the listeners (closers run in reverse) and before the store.
    closers.push(() => queue.close());
    // One failure throttle for every protocol, so guessing cannot hop between them.
    const ctx: ServiceContext = { store, certs, throttle: new AuthThrottle(), config, log, resolver, dnsServers: config.dns.servers, queue };

    const addresses: Partial<Record<ServiceName, string>> = {};
    for (const [name, make] of Object.entries(SERVICES) as [ServiceName, ServiceFactory][]) {
      const where = config.listen[name];
      if (!where) continue;
      const service = await make({ ...ctx, log: log.child({ svc: name }) });
      const bound = await service.listen(where.host, where.port);
      closers.push(() => service.close());
      addresses[name] = formatAddress(bound.address, bound.port);
      opts.onListening?.(name, addresses[name]);
    }
    for (const name of Object.keys(config.listen) as ServiceName[]) {
      if (config.listen[name] && !SERVICES[name] && name !== 'admin') log.warn({ service: name }, 'service not available in this release');
    }

    const control = await startControlServer({
      socketPath: join(dataDir, 'control.sock'),
      store,
      certs,
      status: () => ({ hostname: config.hostname, dataDir, services: addresses, pid: process.pid }),
      log: log.child({ svc: 'control' }),
    });
    closers.push(() => control.close());

    const dnsConfig = { hostname: config.hostname, services: offeredClientServices(config.listen), publicIp: config.dns.publicIp ?? undefined, echoUrl: config.dns.echoUrl ?? undefined };
    // The same inputs `letterbox check-dns` uses: each domain's DNS is compared with the
    // DKIM key the box really signs with, and with a relay for all outbound mail, SPF,
    // PTR and blocklists concern the relay, not this box.
    const runDnsCheck = async () => {
      const { collectDnsCheckInputs } = await import('./control/dns-inputs.js');
      const inputs = await collectDnsCheckInputs(store);
      const config = inputs.relay ? { ...dnsConfig, smarthost: inputs.relay } : dnsConfig;
      const dkimFor = (domain: string) => Promise.resolve(inputs.dkim[domain]);
      const dkimPendingFor = (domain: string) => Promise.resolve(inputs.dkimPending?.[domain]);
      return (await import('./dns/engine.js')).runDnsCheck({ store, resolver, config, dkimFor, dkimPendingFor });
    };
    let daily: { runNow(): Promise<import('./dns/daily-run.js').StoredDnsCheck>; stop(): void } | undefined;
    if (config.dns.dailyCheck) {
      // The first run waits a few minutes so that boot (and short-lived test runs) send no DNS traffic.
      const { startDailyDnsCheck } = await import('./dns/daily-run.js');
      const running = startDailyDnsCheck({ dir: dataDir, log: log.child({ svc: 'dns-check' }), firstDelayMs: 10 * 60_000, run: runDnsCheck });
      daily = running;
      closers.push(async () => running.stop());
    }

    const adminListen = config.listen.admin;
    if (adminListen) {
      const { startAdminService, createAdminDnsCheck } = await import('./admin/index.js');
      const admin = await startAdminService({
        store,
        certs,
        throttle: ctx.throttle,
        log: log.child({ svc: 'admin' }),
        dataDir,
        config: { hostname: config.hostname, listen: config.listen, admin: config.admin },
        listen: adminListen,
        dnsCheck: createAdminDnsCheck({ dataDir, config: dnsConfig, run: runDnsCheck, ...(daily ? { daily } : {}) }),
        services: () => addresses,
        queue,
        ...(opts.logRing ? { logRing: opts.logRing } : {}),
      });
      closers.push(() => admin.close());
      noteSent = (n) => admin.counters.noteSent(n);
      addresses.admin = admin.address;
      opts.onListening?.('admin', admin.address);
      if (admin.setupToken) opts.onSetupToken?.(admin.setupToken.token, admin.address);
    }

    let closing: Promise<void> | undefined;
    return { store, certs, addresses, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
