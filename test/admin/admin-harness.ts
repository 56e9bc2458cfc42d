import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { AuthThrottle } from '../../src/auth/index.js';
import { buildAdmin, createLogRing, createMailCounters, ensureSetupToken, type AdminOptions, type LogRing, type MailCounters } from '../../src/admin/index.js';
import type { StoredDnsCheck } from '../../src/dns/index.js';
import { openMemoryStore, type LetterboxStore } from '../../src/store/index.js';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/index.js';
import { startHealthSampler, type HealthSampler } from '../../src/system/index.js';

// Cheap hashing: tests create accounts and log in many times.
process.env.LETTERBOX_SCRYPT_LN = '10';

export const HOST = 'mail.example.test';
export const PASSWORD = 'correct horse battery';

/** A canned DNS self-check result. */
export function fakeStoredCheck(checkedAt = '2026-03-01T10:00:00.000Z'): StoredDnsCheck {
  return {
    version: 1,
    report: {
      checkedAt,
      hostname: HOST,
      domains: ['example.test'],
      publicIps: ['203.0.113.7'],
      publicIpSource: 'config',
      worst: 'WARN',
      results: [{ id: 'spf', subject: 'example.test', domain: 'example.test', title: 'SPF', importance: 'recommended', status: 'WARN', finding: 'no SPF record', fix: 'add the TXT record' }],
      expected: [],
    },
    changes: [{ subject: 'example.test', id: 'spf', title: 'SPF', before: null, after: 'WARN', finding: 'no SPF record' }],
  };
}

export interface Harness {
  app: FastifyInstance;
  store: LetterboxStore;
  certs: LocalCertificateStore;
  dataDir: string;
  clock: { t: number };
  throttle: AuthThrottle;
  logRing: LogRing;
  counters: MailCounters;
  health: HealthSampler;
  dnsRuns: { count: number };
  kicks: { count: number };
  options: AdminOptions;
  close(): Promise<void>;
}

let sharedCertDir: Promise<string> | null = null;
/** One certificate directory per test process: key generation is the slow part. */
async function certDir(): Promise<string> {
  sharedCertDir ??= mkdtemp(join(tmpdir(), 'lb-admin-certs-'));
  return sharedCertDir;
}

/** Builds the admin app over a memory store, real certificates and fakes for the rest. */
export async function startHarness(overrides: Partial<AdminOptions> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lb-admin-'));
  const store = await openMemoryStore();
  const certs = await openCertificates({ dir: await certDir(), hostname: HOST, addresses: ['127.0.0.1', '192.168.1.10'] });
  // Real time: certificates are issued with the real clock. Tests move it forward from here.
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const throttle = new AuthThrottle({ now });
  const logRing = createLogRing(100);
  const log = pino({ level: 'info' }, logRing);
  const counters = await createMailCounters(store, now);
  const health = await startHealthSampler({
    manual: true,
    now,
    store,
    probe: { read: async () => ({ cpuPercent: 12.5, loadAvg1: 0.5, memUsedBytes: 300e6, memTotalBytes: 1e9, diskUsedBytes: 2e9, diskTotalBytes: 3e10, temperatureC: 47.3, uptimeSeconds: 3600 }) },
  });
  const dnsRuns = { count: 0 };
  const kicks = { count: 0 };
  let last: StoredDnsCheck | null = null;
  const options: AdminOptions = {
    store,
    certs,
    log,
    dataDir,
    throttle,
    now,
    logRing,
    stats: { health, mail: counters },
    queue: { kick: async () => void kicks.count++ },
    services: () => ({ smtp: '0.0.0.0:25', imaps: '0.0.0.0:993', pop3s: null }),
    dnsCheck: {
      runNow: async () => {
        dnsRuns.count++;
        last = fakeStoredCheck();
        return last;
      },
      readLast: async () => last,
      checkConfig: () => ({ hostname: HOST, publicIp: '203.0.113.7' }),
    },
    config: {
      hostname: HOST,
      addresses: ['127.0.0.1', '192.168.1.10'],
      listen: {
        smtp: { host: '0.0.0.0', port: 25 },
        imap: { host: '0.0.0.0', port: 143 },
        imaps: { host: '0.0.0.0', port: 993 },
        pop3s: { host: '0.0.0.0', port: 995 },
        submission: { host: '0.0.0.0', port: 587 },
        submissions: { host: '0.0.0.0', port: 465 },
        admin: { host: '0.0.0.0', port: 8443 },
      },
      admin: { staticDir: join(dataDir, 'www') },
    },
    ...overrides,
  };
  const app = await buildAdmin(options);
  return {
    app, store, certs, dataDir, clock, throttle, logRing, counters, health, dnsRuns, kicks, options,
    async close() {
      await app.close();
      counters.close();
      await health.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the shared certificate directory (call in the file's `after`). */
export async function removeSharedCerts(): Promise<void> {
  if (sharedCertDir) await rm(await sharedCertDir, { recursive: true, force: true });
}

export interface Auth {
  cookie: string;
  csrf: string;
}

/** Sends a request as a same-origin browser would (Host, Origin, JSON body, session cookie, CSRF header). */
export function call(app: FastifyInstance, method: InjectOptions['method'], url: string, body?: unknown, auth?: Auth, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const h: Record<string, string> = { host: HOST, ...headers };
  if (auth) {
    h.cookie = auth.cookie;
    h['x-csrf-token'] = auth.csrf;
  }
  if (body !== undefined) h['content-type'] ??= 'application/json';
  return app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
}

/** The `__Host-sid=…` pair of a response's Set-Cookie. */
export function cookieOf(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (!first) throw new Error(`no Set-Cookie in ${res.statusCode} ${res.body}`);
  return first.split(';')[0] as string;
}

/** Claims the box with the setup token and returns the admin's session. */
export async function claim(h: Harness, username = 'owner'): Promise<Auth> {
  const { token } = await ensureSetupToken(h.dataDir);
  const res = await call(h.app, 'POST', '/api/setup', { token, username, password: PASSWORD });
  if (res.statusCode !== 201) throw new Error(`setup failed: ${res.statusCode} ${res.body}`);
  return { cookie: cookieOf(res), csrf: (res.json() as { csrfToken: string }).csrfToken };
}

/** Logs in and returns the session. */
export async function login(h: Harness, username = 'owner', password = PASSWORD, ip?: string): Promise<Auth> {
  const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host: HOST, 'content-type': 'application/json' }, payload: JSON.stringify({ username, password }), ...(ip ? { remoteAddress: ip } : {}) });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return { cookie: cookieOf(res), csrf: (res.json() as { csrfToken: string }).csrfToken };
}
