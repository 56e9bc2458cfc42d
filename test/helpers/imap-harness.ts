// An IMAP service (143-style STARTTLS and 993-style implicit TLS) on 127.0.0.1:0 over a fresh
// on-disk store, with cheap password hashes, for one test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AuthThrottle } from '../../src/auth/index.js';
import { hashPassword } from '../../src/auth/password.js';
import { indexMessage } from '../../src/mime/index.js';
import { openStore, type JournalPolicy, type LetterboxStore } from '../../src/store/index.js';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/index.js';
import type { ImapLimits } from '../../src/imap/limits.js';
import { createImapServer, type ImapServer } from '../../src/imap/server.js';

/** Password of every test account. */
export const PASSWORD = 'correct horse battery';

export interface ImapHarness {
  dir: string;
  store: LetterboxStore;
  certs: LocalCertificateStore;
  caPem: string;
  throttle: AuthThrottle;
  /** STARTTLS port (like 143). */
  plainPort: number;
  /** Implicit TLS port (like 993). */
  tlsPort: number;
  plain: ImapServer;
  secure: ImapServer;
  addUser(address: string): Promise<void>;
  /** Delivers raw bytes to a mailbox the way APPEND/SMTP would store them; returns the UID. */
  deliver(address: string, raw: Buffer | string, mailbox?: string, flags?: string[]): Promise<number>;
  close(): Promise<void>;
}

export interface ImapHarnessOptions {
  limits?: Partial<ImapLimits>;
  throttle?: AuthThrottle;
  /** Journal history per mailbox (small values make pruning testable). */
  journal?: Partial<JournalPolicy>;
}

let cheapHash: Promise<string> | undefined;

export async function startImapHarness(options: ImapHarnessOptions = {}): Promise<ImapHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-imap-'));
  const store = await openStore({ dir, journal: options.journal });
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.example.com', addresses: ['127.0.0.1'] });
  const log = pino({ level: process.env.IMAP_TEST_LOG ?? 'silent' });
  const throttle = options.throttle ?? new AuthThrottle();
  const common = { store, certs, throttle, log, hostname: 'mail.example.com', limits: options.limits, closeTimeoutMs: 1000 };
  const plain = createImapServer({ ...common, implicitTls: false });
  const secure = createImapServer({ ...common, implicitTls: true });
  const p = await plain.listen('127.0.0.1', 0);
  const s = await secure.listen('127.0.0.1', 0);
  cheapHash ??= hashPassword(PASSWORD, { ln: 10 });
  const hash = await cheapHash;
  return {
    dir,
    store,
    certs,
    caPem: certs.caPem(),
    throttle,
    plainPort: p.port,
    tlsPort: s.port,
    plain,
    secure,
    async addUser(address) {
      const domain = address.slice(address.indexOf('@') + 1);
      if (!store.isLocalDomain(domain)) await store.addDomain(domain);
      await store.addAccount(address, hash);
    },
    async deliver(address, raw, mailbox = 'INBOX', flags = []) {
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      const w = store.createBlob();
      await w.write(bytes);
      const { blobId } = await w.commit();
      const res = await store.deliver({ blobId, index: indexMessage(bytes), accounts: [address], mailbox, flags });
      return res.delivered[0]!.uid;
    },
    async close() {
      await plain.close();
      await secure.close();
      certs.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small test message. */
export function sampleMessage(n: number | string, extra = ''): string {
  return `From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: message ${n}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <m${n}@example.org>\r\n\r\nHello ${n}\r\n${extra}`;
}
