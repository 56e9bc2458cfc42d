import { X509Certificate } from 'node:crypto';
import type { Agent } from 'node:https';
import acme from 'acme-client';
import type { Logger } from 'pino';
import { MailError } from '../errors.js';
import type { MailStore } from '../store/types.js';
import type { AcmeControl, AcmeSettingsInput, AcmeState, AcmeStatus } from './acme-types.js';
import type { AdminCertificates } from './types.js';

/**
 * A trusted certificate for the box's host name from an ACME CA (RFC 8555,
 * Let's Encrypt by default) with the `acme-client` package: HTTP-01 answered
 * by the admin app's `/.well-known/acme-challenge/` route on port 80,
 * renewal 30 days before expiry, the new certificate handed to the
 * certificate store, which reloads every listener. When ACME fails the box
 * keeps serving what it has (its own CA's certificate, or the previous ACME
 * one while valid) and the error is shown on the Certificates page.
 *
 * Settings (and the ACME account key, which identifies the box to the CA)
 * are the store's settings document `acme`.
 */

export const ACME_SETTING = 'acme';
export const LETS_ENCRYPT = acme.directory.letsencrypt.production;
const DAY_MS = 86_400_000;

interface AcmeDoc {
  enabled: boolean;
  email: string | null;
  directoryUrl: string;
  accountKeyPem?: string;
  lastAttemptAt: number | null;
  lastError: string | null;
}

export interface AcmeManagerOptions {
  store: MailStore;
  certs: AdminCertificates & { installExternal(certPem: string, keyPem: string, source: 'acme' | 'imported'): Promise<void>; source(): 'local' | 'acme' | 'imported' };
  /** The name the certificate is for. */
  hostname: string;
  log: Logger;
  now?: () => number;
  /** Renew this many days before expiry (default 30). */
  renewDays?: number;
  /** How often to check (default 12 h; after a failure, 1 h). */
  checkIntervalMs?: number;
  /** HTTPS agent for talking to the CA (tests trust Pebble's CA with it). */
  httpsAgent?: Agent;
}

/** The running ACME client. */
export interface AcmeManager extends AcmeControl {
  /** Obtains a certificate now if enabled and needed (or `force`); resolves when done. Never rejects: failures become the status. */
  runOnce(force?: boolean): Promise<AcmeStatus>;
  /** Starts the periodic check (timer unref'd). */
  start(): void;
  close(): void;
}

function defaults(): AcmeDoc {
  return { enabled: false, email: null, directoryUrl: LETS_ENCRYPT, lastAttemptAt: null, lastError: null };
}

/** Makes the ACME manager. Nothing happens until `start()` or `runOnce()`. */
export function createAcmeManager(opts: AcmeManagerOptions): AcmeManager {
  const now = opts.now ?? Date.now;
  const renewDays = opts.renewDays ?? 30;
  const interval = opts.checkIntervalMs ?? 12 * 3_600_000;
  const challenges = new Map<string, string>();
  let running: Promise<AcmeStatus> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  if (opts.httpsAgent) acme.axios.defaults.httpsAgent = opts.httpsAgent;

  const load = async (): Promise<AcmeDoc> => ({ ...defaults(), ...((await opts.store.getSetting(ACME_SETTING)) as Partial<AcmeDoc> | null) });
  const save = (doc: AcmeDoc): Promise<void> => opts.store.putSetting(ACME_SETTING, { ...doc });

  const servedNotAfter = (): number | null => {
    if (opts.certs.source() !== 'acme') return null;
    try {
      return Date.parse(new X509Certificate(opts.certs.serverPem().cert).validTo);
    } catch {
      return null;
    }
  };

  const status = async (): Promise<AcmeStatus> => {
    const doc = await load();
    const notAfter = servedNotAfter();
    let state: AcmeState = 'off';
    if (running) state = 'running';
    else if (doc.enabled) state = doc.lastError ? 'failed' : notAfter ? 'valid' : 'idle';
    return {
      enabled: doc.enabled,
      state,
      directoryUrl: doc.directoryUrl,
      email: doc.email,
      lastAttemptAt: doc.lastAttemptAt,
      lastError: doc.lastError,
      notAfter,
      nextRenewalAt: doc.enabled && notAfter ? notAfter - renewDays * DAY_MS : null,
    };
  };

  const obtain = async (doc: AcmeDoc): Promise<void> => {
    if (!doc.accountKeyPem) {
      doc.accountKeyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
      await save(doc);
    }
    const client = new acme.Client({ directoryUrl: doc.directoryUrl, accountKey: doc.accountKeyPem, backoffAttempts: 5, backoffMin: 1000, backoffMax: 10_000 });
    // RSA keeps every client that speaks our ECDHE-RSA suites working.
    const [key, csr] = await acme.crypto.createCsr({ commonName: opts.hostname, altNames: [opts.hostname] }, await acme.crypto.createPrivateRsaKey(2048));
    const cert = await client.auto({
      csr,
      ...(doc.email ? { email: doc.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // The box often cannot reach its own public address (no NAT hairpin); the CA's own check decides.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        challenges.set(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        challenges.delete(challenge.token);
      },
    });
    await opts.certs.installExternal(cert, key.toString(), 'acme');
  };

  const runOnce = (force = false): Promise<AcmeStatus> => {
    running ??= (async () => {
      const doc = await load();
      const notAfter = servedNotAfter();
      if (!doc.enabled || (!force && notAfter !== null && notAfter - now() > renewDays * DAY_MS)) return;
      doc.lastAttemptAt = now();
      try {
        await obtain(doc);
        doc.lastError = null;
        opts.log.info({ svc: 'acme', hostname: opts.hostname }, 'acme: obtained a certificate');
      } catch (err) {
        doc.lastError = describe(err);
        opts.log.warn({ svc: 'acme', error: doc.lastError }, 'acme: could not obtain a certificate; serving the current one');
      }
      await save(doc).catch((err: unknown) => opts.log.error({ err, svc: 'acme' }, 'acme: could not save the status'));
    })()
      .catch((err: unknown) => opts.log.error({ err, svc: 'acme' }, 'acme: run failed'))
      .then(() => {
        running = null;
        return status();
      });
    return running;
  };

  const schedule = (delay: number): void => {
    if (closed) return;
    timer = setTimeout(() => {
      void runOnce().then((s) => schedule(s.lastError ? 3_600_000 : interval));
    }, delay);
    timer.unref();
  };

  return {
    status,
    challengeResponse: (token) => challenges.get(token) ?? null,
    async configure(input: AcmeSettingsInput) {
      if (input.enabled && !input.agreeTos) throw new MailError('invalid', 'the CA\'s terms of service must be accepted');
      const doc = await load();
      doc.enabled = input.enabled;
      if (input.email !== undefined) doc.email = input.email || null;
      if (input.directoryUrl !== undefined && input.directoryUrl !== doc.directoryUrl) {
        doc.directoryUrl = input.directoryUrl;
        delete doc.accountKeyPem; // an account belongs to one CA
      }
      doc.lastError = null;
      await save(doc);
      return status();
    },
    async renewNow() {
      void runOnce(true);
      return status();
    },
    runOnce,
    start: () => schedule(60_000),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** A one-line reason for the owner (the CA's problem detail when there is one). */
function describe(err: unknown): string {
  const e = err as { message?: string; response?: { data?: { detail?: string } } };
  const text = e?.response?.data?.detail ?? e?.message ?? String(err);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
