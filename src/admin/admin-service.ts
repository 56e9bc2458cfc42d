import type { Logger } from 'pino';
import type { AuthThrottle } from '../auth/throttle.js';
import type { DnsCheckConfig, DnsCheckReport, StoredDnsCheck } from '../dns/index.js';
import { readLastDnsCheck, runAndStore } from '../dns/index.js';
import { startHealthSampler, systemProbe, type HealthSampler } from '../system/index.js';
import type { LocalCertificateStore } from '../tls/index.js';
import { isAdminClaimed } from './admin-account.js';
import { createAcmeManager, type AcmeManager } from './acme-manager.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import type { LogRing } from './log-ring.js';
import { createMailCounters, type MailCounters } from './mail-counters.js';
import { ensureSetupToken } from './setup-token.js';
import type { AdminConfig, AdminDnsCheck, AdminQueue, AdminStore } from './types.js';

/**
 * The admin service as the composition root starts it: the setup token
 * (first start), mail counters, health sampling, ACME, and the HTTPS (+
 * optional port-80) listeners — everything `startAdminServer` needs, made
 * from what main.ts already has.
 */
export interface AdminServiceOptions {
  store: AdminStore;
  certs: LocalCertificateStore;
  throttle: AuthThrottle;
  config: AdminConfig;
  log: Logger;
  dataDir: string;
  /** `listen.admin`. */
  listen: { host: string; port: number };
  dnsCheck: AdminDnsCheck;
  services: () => Partial<Record<string, string | null>>;
  queue?: AdminQueue;
  logRing?: LogRing;
}

export interface AdminService {
  server: AdminServer;
  /** Where the HTTPS listener is (`host:port`). */
  address: string;
  /** The sending side reports delivered recipients here (`counters.noteSent(n)`). */
  counters: MailCounters;
  /** The setup token when the box is unclaimed (`created`: made just now — print it), else null. */
  setupToken: { token: string; created: boolean } | null;
  /** Stops listeners, timers and saves counters and health history. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the admin service. Rejects when the store cannot be read, the token
 * file cannot be written, or a port cannot be bound; whatever was started is
 * stopped first.
 */
export async function startAdminService(o: AdminServiceOptions): Promise<AdminService> {
  const log = o.log;
  const setupToken = (await isAdminClaimed(o.store)) ? null : await ensureSetupToken(o.dataDir);
  const counters = await createMailCounters(o.store);
  let health: HealthSampler | undefined;
  let acme: AcmeManager | undefined;
  let countersTimer: NodeJS.Timeout | undefined;
  try {
    health = await startHealthSampler({ probe: systemProbe(o.dataDir), store: o.store, onError: (err) => log.warn({ err, svc: 'admin' }, 'admin: health sample failed') });
    acme = createAcmeManager({ store: o.store, certs: o.certs, hostname: o.config.hostname, log });
    acme.start();
    const server = await startAdminServer({
      store: o.store,
      certs: o.certs,
      dnsCheck: o.dnsCheck,
      ...(o.queue ? { queue: o.queue } : {}),
      ...(o.logRing ? { logRing: o.logRing } : {}),
      stats: { health, mail: counters },
      log,
      dataDir: o.dataDir,
      config: o.config,
      throttle: o.throttle,
      services: o.services,
      acme,
      listen: o.listen,
    });
    countersTimer = setInterval(() => void counters.persist(), 60_000);
    countersTimer.unref();
    let closing: Promise<void> | undefined;
    const h = health;
    const a = acme;
    return {
      server,
      address: server.address,
      counters,
      setupToken,
      close: () =>
        (closing ??= (async () => {
          clearInterval(countersTimer);
          a.close();
          await server.close();
          await h.close();
          await counters.persist();
          counters.close();
        })()),
    };
  } catch (err) {
    clearInterval(countersTimer);
    acme?.close();
    await health?.close();
    counters.close();
    throw err;
  }
}

/**
 * The DNS self-check as the admin drives it: "run now" goes through the daily
 * schedule when there is one (so runs never overlap), else runs and stores
 * directly in `DIR/dns-check.json`.
 */
export function createAdminDnsCheck(o: { dataDir: string; config: DnsCheckConfig; run: () => Promise<DnsCheckReport>; daily?: { runNow(): Promise<StoredDnsCheck> } }): AdminDnsCheck {
  return {
    runNow: () => (o.daily ? o.daily.runNow() : runAndStore(o.dataDir, o.run)),
    readLast: () => readLastDnsCheck(o.dataDir),
    checkConfig: () => o.config,
  };
}
