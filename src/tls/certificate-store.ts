/**
 * The box's certificate store: a local CA and a server certificate it signs,
 * kept in one directory, reused across restarts, renewed before expiry, and
 * handed to every listener through contexts that reload without a restart.
 *
 * Clock without RTC: a Pi boots at 1970 until NTP answers. Certificates issued
 * then are dated from 2026-01-01 (CLOCK_FLOOR_MS) instead of "one hour ago";
 * clients with a correct clock accept them. Once the box's clock is past the
 * floor, the next check (every 10 minutes while such a leaf is served) reissues
 * the leaf with the real time. The CA is kept: users have installed it.
 */
import type { SecureContext, TlsOptions } from 'node:tls';
import { MailError } from '../errors.js';
import type { CertificateStore } from './types.js';
import { certificatePaths, ensureCertificateDir, writeFileAtomic, readIfExists, isKeyFileExposed, KEY_FILE_MODE, CERT_FILE_MODE, type CertificatePaths } from './cert-files.js';
import { issueCa, issueLeaf, clockLooksUnset, CLOCK_FLOOR_MS } from './cert-issue.js';
import { certificateNames, defaultAddresses, type CertificateNames } from './cert-names.js';
import { loadPair, caProblem, leafProblem, expiresWithin, issuedBeforeClockSync, subjectAttributes, type LoadedPair } from './cert-check.js';
import { buildSecureContext, secureContextOptions, silentLog, DEFAULT_HANDSHAKE_TIMEOUT_MS, type TlsLog } from './tls-policy.js';
import { loadExternal, prepareExternal, removeExternal, saveExternal, type ExternalCertificate, type ExternalSource } from './external-cert.js';

/** Options for `openCertificates`. */
export interface OpenCertificatesOptions {
  /** Directory for ca.crt, ca.key, server.crt, server.key (created 0700). */
  dir: string;
  /** The box's DNS name; the leaf's CN and first SAN. */
  hostname: string;
  /** IP addresses for the SAN; default: every non-internal interface address plus 127.0.0.1 and ::1. */
  addresses?: string[];
  log?: TlsLog;
  /** Clock in ms since the epoch (tests move it). Default Date.now. */
  now?: () => number;
}

/** The certificate store plus what the listeners need to follow renewals. */
export interface LocalCertificateStore extends CertificateStore {
  /**
   * Calls `listener` after each renewal, once the new context is current.
   * Listeners that cache contexts (a tls.Server's default context serves
   * clients that send no SNI) use it; see `reloadOnRenewal`. Returns an
   * unsubscribe function. A throwing listener is logged and ignored.
   */
  onRenewed(listener: () => void): () => void;
  /** The names and addresses the current server certificate covers. */
  names(): CertificateNames;
  /**
   * Serves an externally issued certificate (ACME or imported; leaf first,
   * then its chain) instead of our own leaf, in every listener at once, and
   * keeps it across restarts. Fails `invalid` (unreadable, key mismatch,
   * expired, chain out of order) or `temporary` (write failed); the served
   * certificate is unchanged then.
   */
  installExternal(certPem: string, keyPem: string, source: ExternalSource): Promise<void>;
  /** Goes back to our own CA-issued leaf and forgets the external certificate. */
  useLocal(): Promise<void>;
  /** Where the served certificate comes from. */
  source(): 'local' | ExternalSource;
}

/** Days before expiry at which the leaf is reissued, at start and by the daily check. */
export const RENEW_DAYS = 30;
const DAILY_MS = 86_400_000;
const CLOCK_RETRY_MS = 600_000;

interface State {
  ca: LoadedPair;
  leaf: LoadedPair;
  context: SecureContext;
}

/**
 * Opens (or on first start creates) the certificates in `options.dir`.
 *
 * Valid files for the same hostname and addresses are reused as they are;
 * a changed hostname or address list, an expiring or foreign leaf, or a
 * mismatched server key gets a new leaf from the same CA. A missing CA
 * (first start, or a start interrupted between writes) is generated anew.
 * Rejects with MailError('invalid') for a bad hostname/address or a CA pair
 * that exists but is unusable (it is never overwritten silently: devices
 * trust it), and with MailError('temporary') when key generation or a write
 * fails. There is no fallback key of any kind. The caller owns the store and
 * calls `close()` to stop the renewal timer (the timer is unref'd, so it
 * never keeps the process alive on its own).
 */
export async function openCertificates(options: OpenCertificatesOptions): Promise<LocalCertificateStore> {
  const log = options.log ?? silentLog;
  const now = options.now ?? Date.now;
  const names = certificateNames(options.hostname, options.addresses ?? defaultAddresses());
  const paths = certificatePaths(options.dir);
  if (clockLooksUnset(now())) log.warn({}, 'tls: system clock is not set yet; new certificates are dated from 2026-01-01 until it is');
  await guard('create the certificate directory', async () => {
    const { tightened } = await ensureCertificateDir(options.dir);
    if (tightened) log.warn({ dir: options.dir }, 'tls: certificate directory was open to others; set to 0700');
  });

  let ca = await loadCa(paths, log);
  if (!ca || expiresWithin(ca, now(), RENEW_DAYS)) {
    if (ca) log.warn({ notAfter: ca.x509.validTo }, 'tls: local CA expires soon; issuing a new one (devices must trust it again)');
    ca = await createCa(paths, names.hostname, now());
    log.info({ fingerprint256: ca.x509.fingerprint256 }, 'tls: generated a new local CA');
  }
  const leaf = await loadOrIssueLeaf(paths, ca, names, now(), log);
  let state: State = { ca, leaf, context: buildSecureContext(chainPem(leaf, ca)) };
  warnIfExposed(paths, log);
  // An external certificate (ACME, imported) wins over our own leaf while it is valid.
  const loaded = await loadExternal(options.dir, now());
  let external: ExternalCertificate | null = loaded.ext;
  if (loaded.problem) log.warn({ problem: loaded.problem }, 'tls: stored external certificate is unusable; serving our own');
  const served = (): { cert: string; key: string } => external?.pem ?? chainPem(state.leaf, state.ca);
  const servedContext = (): SecureContext => external?.context ?? state.context;

  const listeners = new Set<() => void>();
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const notify = (): void => {
    for (const l of listeners) {
      try {
        l();
      } catch (err) {
        log.error({ err }, 'tls: a renewal listener failed');
      }
    }
  };

  const renew = async (days: number): Promise<boolean> => {
    const t = now();
    if (external && external.notAfterMs <= t) {
      log.warn({ source: external.source }, 'tls: the external certificate expired; serving our own again');
      external = null;
      notify();
    }
    let nextCa = state.ca;
    // The CA is replaced only when it is about to lapse, whatever `days` says:
    // every device that trusts it would have to be set up again.
    if (expiresWithin(nextCa, t, RENEW_DAYS)) {
      log.warn({ notAfter: nextCa.x509.validTo }, 'tls: local CA expires soon; issuing a new one (devices must trust it again)');
      nextCa = await createCa(paths, names.hostname, t);
    } else if (!expiresWithin(state.leaf, t, days) && !issuedBeforeClockSync(state.leaf, t)) {
      return false;
    }
    const nextLeaf = await issueAndWriteLeaf(paths, nextCa, names, t);
    state = { ca: nextCa, leaf: nextLeaf, context: buildSecureContext(chainPem(nextLeaf, nextCa)) };
    log.info({ serial: nextLeaf.x509.serialNumber, notAfter: nextLeaf.x509.validTo }, 'tls: renewed the server certificate');
    notify();
    return true;
  };

  const schedule = (): void => {
    if (closed) return;
    const delay = clockLooksUnset(now()) || state.leaf.notBeforeMs === CLOCK_FLOOR_MS ? CLOCK_RETRY_MS : DAILY_MS;
    timer = setTimeout(() => {
      store
        .renewIfNeeded()
        .catch((err: unknown) => log.error({ err }, 'tls: certificate renewal failed; will retry'))
        .finally(schedule);
    }, delay);
    timer.unref();
  };

  const store: LocalCertificateStore = {
    caPem: () => state.ca.certPem,
    serverPem: served,
    context: servedContext,
    tlsOptions: (): TlsOptions => ({
      ...secureContextOptions(served()),
      handshakeTimeout: DEFAULT_HANDSHAKE_TIMEOUT_MS,
      // Called for every client that sends SNI: hands out whatever context is
      // current, so a renewal reaches listeners created long before it.
      SNICallback: (_servername, cb) => cb(null, servedContext()),
    }),
    renewIfNeeded: (days = RENEW_DAYS) => {
      const run = queue.then(() => renew(days));
      queue = run.catch(() => undefined);
      return run;
    },
    onRenewed: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    names: () => names,
    installExternal: async (certPem, keyPem, source) => {
      const ext = prepareExternal(certPem, keyPem, source, now());
      await guard('write the external certificate', () => saveExternal(options.dir, ext));
      external = ext;
      log.info({ source, notAfter: new Date(ext.notAfterMs).toISOString() }, 'tls: serving an external certificate');
      notify();
    },
    useLocal: async () => {
      await guard('remove the external certificate', () => removeExternal(options.dir));
      if (!external) return;
      external = null;
      log.info({}, 'tls: serving our own certificate again');
      notify();
    },
    source: () => external?.source ?? 'local',
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
  schedule();
  return store;
}

/** The served chain (leaf then CA) and the leaf key. */
function chainPem(leaf: LoadedPair, ca: LoadedPair): { cert: string; key: string } {
  const sep = leaf.certPem.endsWith('\n') ? '' : '\n';
  return { cert: leaf.certPem + sep + ca.certPem, key: leaf.keyPem };
}

/** Runs a key-generation or file step, turning its failure into a clear MailError. */
async function guard<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof MailError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new MailError('temporary', `tls: could not ${what}: ${detail}`, err);
  }
}

/** Reads the CA pair; undefined when it is (partly) missing; throws when it exists but is unusable. */
async function loadCa(paths: CertificatePaths, log: TlsLog): Promise<LoadedPair | undefined> {
  const [certPem, keyPem] = await guard('read the local CA', () =>
    Promise.all([readIfExists(paths.caCert), readIfExists(paths.caKey)]),
  );
  if (certPem === undefined || keyPem === undefined) {
    if (certPem !== undefined || keyPem !== undefined) log.warn({ dir: paths.caCert }, 'tls: found half a CA (interrupted first start); starting over');
    return undefined;
  }
  const pair = loadPair(certPem, keyPem);
  const problem = typeof pair === 'string' ? pair : caProblem(pair);
  if (typeof pair === 'string' || problem) {
    throw new MailError('invalid', `tls: the local CA in ${paths.caCert} is unusable (${problem}); move ca.crt and ca.key away to generate a new CA`);
  }
  return pair;
}

/** Generates a CA and writes it (key first: a crash in between leaves a half pair, which means start over). */
async function createCa(paths: CertificatePaths, hostname: string, nowMs: number): Promise<LoadedPair> {
  const issued = await guard('generate the local CA key', () => issueCa(hostname, nowMs));
  await guard('write the local CA', async () => {
    await writeFileAtomic(paths.caKey, issued.key, KEY_FILE_MODE);
    await writeFileAtomic(paths.caCert, issued.cert, CERT_FILE_MODE);
  });
  const pair = loadPair(issued.cert, issued.key);
  if (typeof pair === 'string') throw new MailError('temporary', `tls: generated CA is broken: ${pair}`);
  return pair;
}

/** Reuses server.crt/server.key when they fit, else issues and writes a new leaf. */
async function loadOrIssueLeaf(paths: CertificatePaths, ca: LoadedPair, names: CertificateNames, nowMs: number, log: TlsLog): Promise<LoadedPair> {
  const [certPem, keyPem] = await guard('read the server certificate', () =>
    Promise.all([readIfExists(paths.serverCert), readIfExists(paths.serverKey)]),
  );
  let reason = 'missing';
  if (certPem !== undefined && keyPem !== undefined) {
    const pair = loadPair(certPem, keyPem);
    const problem = typeof pair === 'string' ? pair : leafProblem(pair, ca, names, nowMs, RENEW_DAYS);
    if (typeof pair !== 'string' && !problem) return pair;
    reason = problem ?? 'unusable';
  }
  const leaf = await issueAndWriteLeaf(paths, ca, names, nowMs);
  log.info({ reason, serial: leaf.x509.serialNumber, notAfter: leaf.x509.validTo }, 'tls: issued a server certificate');
  return leaf;
}

/** Issues a leaf under `ca` and writes it; the key goes first so a crash leaves a mismatch we detect and repair. */
async function issueAndWriteLeaf(paths: CertificatePaths, ca: LoadedPair, names: CertificateNames, nowMs: number): Promise<LoadedPair> {
  const subject = subjectAttributes(ca.x509);
  if (!subject) throw new MailError('invalid', `tls: the subject of ${paths.caCert} is not one Letterbox wrote`);
  const issued = await guard('generate the server key', () =>
    issueLeaf(names, { subject, keyPem: ca.keyPem, notAfterMs: ca.notAfterMs }, nowMs),
  );
  await guard('write the server certificate', async () => {
    await writeFileAtomic(paths.serverKey, issued.key, KEY_FILE_MODE);
    await writeFileAtomic(paths.serverCert, issued.cert, CERT_FILE_MODE);
  });
  const pair = loadPair(issued.cert, issued.key);
  if (typeof pair === 'string') throw new MailError('temporary', `tls: generated server certificate is broken: ${pair}`);
  return pair;
}

/** Warns (once, in the background) when a key file can be read by others. */
function warnIfExposed(paths: CertificatePaths, log: TlsLog): void {
  for (const p of [paths.caKey, paths.serverKey]) {
    isKeyFileExposed(p)
      .then((exposed) => {
        if (exposed) log.warn({ path: p }, 'tls: private key file is readable by group or others; it should be mode 0600');
      })
      .catch(() => undefined);
  }
}
