import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BootConfig, ServiceName } from './config/types.js';
import type { MailStore } from './store/types.js';
import type { CertificateStore } from './tls/types.js';
import { openStore } from './store/index.js';
import { openCertificates } from './tls/index.js';
import { createInboundSmtp, type InboundSmtp } from './smtp/inbound-server.js';
import { startControlServer } from './control/index.js';

export interface StartOptions {
  dataDir: string;
  config: BootConfig;
  log: Logger;
  /** Called once per service when it listens, with its `host:port`. */
  onListening?: (service: ServiceName, address: string) => void;
}

/** The running appliance: every service over one store. */
export interface Appliance {
  store: MailStore;
  certs: CertificateStore;
  /** Where each running service listens (`host:port`). */
  addresses: Partial<Record<ServiceName, string>>;
  /** Stops accepting, finishes in-flight work, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Services this release runs; the others in the config are accepted and reported as not yet available. */
export const IMPLEMENTED_SERVICES: readonly ServiceName[] = ['smtp'];

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Composition root (ARCHITECTURE "main.ts"): opens the store and the
 * certificates in `dataDir` (creating them on first start), starts every
 * implemented service that the config enables, and the control socket the CLI
 * uses while the appliance runs. On failure everything already opened is closed.
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

    const addresses: Partial<Record<ServiceName, string>> = {};
    const smtpListen = config.listen.smtp;
    let smtp: InboundSmtp | undefined;
    if (smtpListen) {
      smtp = createInboundSmtp({ store, certs, hostname: config.hostname, limits: config.smtp, log: log.child({ svc: 'smtp' }) });
      const bound = await smtp.listen(smtpListen.host, smtpListen.port);
      addresses.smtp = formatAddress(bound.address, bound.port);
      // Closed first on shutdown (closers run in reverse): stop taking mail before the store closes.
      const running = smtp;
      closers.push(() => running.close());
      opts.onListening?.('smtp', addresses.smtp);
    }

    const control = await startControlServer({
      socketPath: join(dataDir, 'control.sock'),
      store,
      certs,
      status: () => ({ hostname: config.hostname, dataDir, services: addresses, pid: process.pid }),
      log: log.child({ svc: 'control' }),
    });
    closers.push(() => control.close());

    let closing: Promise<void> | undefined;
    return {
      store,
      certs,
      addresses,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
