import { X509Certificate, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { get as httpsGet, type Agent } from 'node:https';
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
const generateKeyPairAsync = promisify(generateKeyPair);

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
    // acme-client turns network errors into an unreadable TypeError; ask the directory first for a clear reason.
    await reachDirectory(doc.directoryUrl, opts.httpsAgent);
    const client = new acme.Client({ directoryUrl: doc.directoryUrl, accountKey: doc.accountKeyPem, backoffAttempts: 5, backoffMin: 1000, backoffMax: 10_000 });
    await client.createAccount({ termsOfServiceAgreed: true, ...(doc.email ? { contact: [`mailto:${doc.email}`] } : {}) });
    // RFC 8555 §7.4: order, authorise each identifier over HTTP-01 (§8.3), finalise with our CSR, download.
    const order = await client.createOrder({ identifiers: [{ type: 'dns', value: opts.hostname }] });
    for (const authz of await client.getAuthorizations(order)) {
      if (authz.status === 'valid') continue;
      const challenge = authz.challenges.find((c) => c.type === 'http-01');
      if (!challenge) throw new MailError('invalid', 'the CA offers no HTTP-01 challenge');
      challenges.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
      try {
        // No self-check first: the box often cannot reach its own public address (no NAT hairpin); the CA's check decides.
        await client.completeChallenge(challenge);
        await client.waitForValidStatus(challenge);
      } finally {
        challenges.delete(challenge.token);
      }
    }
    const { keyPem, csrPem } = await makeCsr(opts.hostname);
    const finalized = await client.finalizeOrder(order, csrPem);
    const cert = await client.getCertificate(finalized);
    await opts.certs.installExternal(cert, keyPem, 'acme');
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

/**
 * A fresh RSA-2048 key (RSA keeps every client that speaks our ECDHE-RSA
 * suites working) and a SHA-256 CSR for `hostname` with the name in the SAN.
 * node-forge only assembles and signs here, as in src/tls; it parses nothing
 * from outside. (acme-client's own CSR helper cannot be used while two copies
 * of @peculiar/asn1-schema are installed side by side.)
 */
async function makeCsr(hostname: string): Promise<{ keyPem: string; csrPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const forge = (await import('node-forge')).default;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  csr.setSubject([{ name: 'commonName', value: hostname }]);
  csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] }] }]);
  csr.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { keyPem: privateKey, csrPem: forge.pki.certificationRequestToPem(csr) };
}

/** Resolves when the ACME directory answers 200; rejects with the network reason otherwise. */
function reachDirectory(url: string, agent?: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ...(agent ? { agent } : {}), timeout: 15_000 }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new MailError('temporary', `the certificate authority's directory ${url} answered HTTP ${res.statusCode ?? '?'}`));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new MailError('temporary', `cannot reach the certificate authority at ${url}: ${err.code ?? err.message}`)));
  });
}

/** A one-line reason for the owner (the CA's problem detail when there is one). */
function describe(err: unknown): string {
  const e = err as { message?: string; response?: { data?: { detail?: string } } };
  const text = e?.response?.data?.detail ?? e?.message ?? String(err);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
