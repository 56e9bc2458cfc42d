import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { SmtpLimits } from '../../src/config/types.js';
import { DEFAULT_SMTP_LIMITS } from '../../src/config/index.js';
import type { MailStore } from '../../src/store/types.js';
import type { CertificateStore } from '../../src/tls/types.js';
import { openStore } from '../../src/store/index.js';
import type { FaultHooks } from '../../src/store/faults.js';
import { openCertificates } from '../../src/tls/index.js';
import { createInboundSmtp, type InboundSmtp } from '../../src/smtp/inbound-server.js';
import { hashPassword } from '../../src/auth/password.js';

/** An inbound SMTP service on 127.0.0.1:0 over a fresh on-disk store, for one test file. */
export interface SmtpHarness {
  port: number;
  store: MailStore;
  certs: CertificateStore;
  caPem: string;
  dir: string;
  smtp: InboundSmtp;
  /** Creates `example.com` style users with a cheap password hash (tests only). */
  addUsers(domain: string, ...locals: string[]): Promise<void>;
  /** Raw bytes of every message in an account's INBOX, in UID order. */
  inbox(address: string): Promise<Buffer[]>;
  close(): Promise<void>;
}

let cheapHash: Promise<string> | undefined;

export interface HarnessOptions {
  limits?: Partial<SmtpLimits>;
  /** Wraps the store before the SMTP service gets it (fault injection, instrumentation). */
  wrapStore?: (store: MailStore) => MailStore;
  dir?: string;
  certs?: CertificateStore;
  /** Store fault hooks (durability ordering, disk-full injection). */
  faults?: FaultHooks;
}

export async function startSmtpHarness(options: HarnessOptions = {}): Promise<SmtpHarness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'letterbox-smtp-')));
  const store = await openStore({ dir, faults: options.faults, reopen: { initialDelayMs: 20, maxDelayMs: 200 } });
  const certs = options.certs ?? (await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.example.com', addresses: ['127.0.0.1'] }));
  const log = pino({ level: 'silent' });
  const limits: SmtpLimits = { ...DEFAULT_SMTP_LIMITS, ...options.limits };
  const served = options.wrapStore ? options.wrapStore(store) : store;
  const smtp = createInboundSmtp({ store: served, certs, hostname: 'mail.example.com', limits, log, closeTimeoutMs: 2000 });
  const bound = await smtp.listen('127.0.0.1', 0);
  cheapHash ??= hashPassword('not-a-real-password', { ln: 10 });
  const hash = await cheapHash;
  return {
    port: bound.port,
    store,
    certs,
    caPem: certs.caPem(),
    dir,
    smtp,
    async addUsers(domain, ...locals) {
      if (!store.isLocalDomain(domain)) await store.addDomain(domain);
      for (const l of locals) await store.addAccount(`${l}@${domain}`, hash);
    },
    async inbox(address) {
      const account = await store.account(address);
      const messages = await account.listMessages('INBOX');
      return Promise.all(messages.map((m) => store.readBlobRange(m.blobId, 0, m.size)));
    },
    async close() {
      await smtp.close();
      if (!options.certs) certs.close();
      await store.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
