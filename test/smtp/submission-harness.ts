// Submission (587 STARTTLS and 465 implicit TLS) over a temp on-disk store, for
// the submission and outbound tests. Users: alice@mail.test, bob@mail.test with
// password "<local>-pw"; alias sales@mail.test → alice.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_SMTP_LIMITS } from '../../src/config/index.js';
import type { SmtpLimits } from '../../src/config/types.js';
import { AuthThrottle } from '../../src/auth/throttle.js';
import { hashPassword } from '../../src/auth/password.js';
import { openStore, type LetterboxStore } from '../../src/store/index.js';
import { openCertificates } from '../../src/tls/index.js';
import type { CertificateStore } from '../../src/tls/types.js';
import { createSubmissionSmtp, type SubmissionSmtp } from '../../src/smtp/submission-server.js';
import type { StoredOutboundSettings } from '../../src/smtp/outbound/settings.js';

export interface SubmissionHarness {
  dir: string;
  store: LetterboxStore;
  certs: CertificateStore;
  caPem: string;
  caFile: string;
  throttle: AuthThrottle;
  /** Port of the STARTTLS (587-style) listener. */
  port587: number;
  /** Port of the implicit-TLS (465-style) listener. */
  port465: number;
  kicks: number;
  inbox(address: string): Promise<Buffer[]>;
  close(): Promise<void>;
}

export interface SubmissionHarnessOptions {
  limits?: Partial<SmtpLimits>;
  settings?: StoredOutboundSettings;
  throttle?: AuthThrottle;
  now?: () => number;
}

export async function startSubmissionHarness(options: SubmissionHarnessOptions = {}): Promise<SubmissionHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-submission-'));
  const store = await openStore({ dir });
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.test', addresses: ['127.0.0.1'] });
  const caPem = certs.caPem();
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, caPem);
  await store.addDomain('mail.test');
  for (const user of ['alice', 'bob']) await store.addAccount(`${user}@mail.test`, await hashPassword(`${user}-pw`, { ln: 10 }));
  await store.addAlias('sales@mail.test', 'alice@mail.test');
  const throttle = options.throttle ?? new AuthThrottle();
  const log = pino({ level: 'silent' });
  const limits = { ...DEFAULT_SMTP_LIMITS, ...options.limits };
  const h = { kicks: 0 } as SubmissionHarness;
  const queue = { kick: () => void h.kicks++ };
  const common = { store, certs, throttle, log, hostname: 'mail.test', limits, queue, settings: options.settings, now: options.now, closeTimeoutMs: 2000 };
  const s587: SubmissionSmtp = createSubmissionSmtp({ ...common, implicitTls: false });
  const s465: SubmissionSmtp = createSubmissionSmtp({ ...common, implicitTls: true });
  const a = await s587.listen('127.0.0.1', 0);
  const b = await s465.listen('127.0.0.1', 0);
  return Object.assign(h, {
    dir,
    store,
    certs,
    caPem,
    caFile,
    throttle,
    port587: a.port,
    port465: b.port,
    async inbox(address: string) {
      const account = await store.account(address);
      const messages = await account.listMessages('INBOX');
      return Promise.all(messages.map((m) => store.readBlobRange(m.blobId, 0, m.size)));
    },
    async close() {
      await s587.close();
      await s465.close();
      certs.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
