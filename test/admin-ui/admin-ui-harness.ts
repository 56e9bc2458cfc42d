import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogRing, startAdminServer, createMailCounters, ensureSetupToken, type AdminDnsCheck, type MailCounters } from '../../src/admin/index.js';
import { AuthThrottle } from '../../src/auth/index.js';
import type { StoredDnsCheck } from '../../src/dns/index.js';
import { openStore } from '../../src/store/index.js';
import type { LetterboxStore } from '../../src/store/index.js';
import { startHealthSampler, type HealthSampler, type SystemProbe, type SystemSample } from '../../src/system/index.js';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/index.js';

/** What the fake system probe reports; tests change it to see the dashboard follow. */
export type ProbeReading = Omit<SystemSample, 'time'>;

/** The real admin app on HTTPS at 127.0.0.1:<random port> over a temp on-disk store. */
export interface AdminUiServer {
  url: string;
  setupToken: string;
  store: LetterboxStore;
  counters: MailCounters;
  sampler: HealthSampler;
  reading: ProbeReading;
  /** Moves the fake clock one minute on and takes a health sample. */
  sample(): Promise<void>;
  close(): Promise<void>;
}

const HOSTNAME = 'mail.example.test';

/** A DNS self-check stand-in: the page's job is showing the report, the engine has its own tests. */
function fakeDnsCheck(): AdminDnsCheck {
  let last: StoredDnsCheck | null = null;
  return {
    checkConfig: () => ({ hostname: HOSTNAME, publicIp: '192.0.2.10' }),
    readLast: async () => last,
    runNow: async () => {
      last = {
        version: 1,
        report: {
          checkedAt: new Date().toISOString(), hostname: HOSTNAME, domains: ['example.test'], publicIps: ['192.0.2.10'], publicIpSource: 'config', worst: 'FAIL', expected: [],
          results: [
            { id: 'ptr-v4', subject: '192.0.2.10', title: 'Reverse DNS', importance: 'required', status: 'FAIL', finding: 'No PTR record for 192.0.2.10.', fix: `Ask your ISP to set the reverse DNS of 192.0.2.10 to ${HOSTNAME}.` },
            { id: 'mx', subject: 'example.test', domain: 'example.test', title: 'MX record', importance: 'required', status: 'OK', finding: `MX points to ${HOSTNAME}.` },
          ],
        },
        changes: [{ subject: '192.0.2.10', id: 'ptr-v4', title: 'Reverse DNS', before: null, after: 'FAIL', finding: 'No PTR record for 192.0.2.10.' }],
      };
      return last;
    },
  };
}

/**
 * Starts the admin app as the box does: `startAdminServer` (which builds it
 * with `buildAdmin`) over `openStore` and `openCertificates`, on HTTPS with
 * the box's certificate at 127.0.0.1 and a random port.
 * The system probe and the clock are fakes so the dashboard's numbers are
 * known; everything else is real. `close()` stops it all and deletes the
 * temp directory.
 */
export async function startAdminUi(): Promise<AdminUiServer> {
  process.env.LETTERBOX_SCRYPT_LN ??= '10';
  const dir = await mkdtemp(join(tmpdir(), 'lb-admin-ui-'));
  const store = await openStore({ dir: join(dir, 'store') });
  const certs: LocalCertificateStore = await openCertificates({ dir: join(dir, 'certs'), hostname: HOSTNAME, addresses: ['127.0.0.1'] });
  const { token } = await ensureSetupToken(dir);
  let clock = Date.now() - 3 * 3_600_000;
  const reading: ProbeReading = { cpuPercent: 12, loadAvg1: 0.2, memUsedBytes: 300 * 2 ** 20, memTotalBytes: 1024 * 2 ** 20, diskUsedBytes: 3 * 2 ** 30, diskTotalBytes: 29 * 2 ** 30, temperatureC: 47.5, uptimeSeconds: 7200 };
  const probe: SystemProbe = { read: async () => ({ ...reading }) };
  const sampler = await startHealthSampler({ probe, manual: true, now: () => clock });
  const counters = await createMailCounters(store);
  const log = pino({ level: 'silent' });
  let port = 0;
  const admin = await startAdminServer({
    listen: { host: '127.0.0.1', port: 0 },
    store, certs, dnsCheck: fakeDnsCheck(), stats: { health: sampler, mail: counters }, log, dataDir: dir,
    config: { hostname: HOSTNAME, listen: {}, addresses: ['127.0.0.1'] },
    throttle: new AuthThrottle(),
    services: () => ({ smtp: '127.0.0.1:2525', imaps: '127.0.0.1:2993', pop3s: null, admin: `127.0.0.1:${port}` }),
    logRing: createLogRing(),
  });
  port = Number(admin.address.slice(admin.address.lastIndexOf(':') + 1));
  return {
    url: `https://127.0.0.1:${port}/`,
    setupToken: token,
    store, counters, sampler, reading,
    sample: async () => {
      clock += 60_000;
      // Some movement, so the charts in the screenshots show a line rather than a floor.
      reading.cpuPercent = 8 + ((clock / 60_000) % 7) * 4;
      await sampler.sampleNow();
    },
    close: async () => {
      await admin.close();
      await sampler.close();
      counters.close();
      certs.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
