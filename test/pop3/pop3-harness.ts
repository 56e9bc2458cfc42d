import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { MailStore } from '../../src/store/types.js';
import { openStore } from '../../src/store/index.js';
import { openCertificates, type LocalCertificateStore } from '../../src/tls/index.js';
import { AuthThrottle, type AuthThrottleOptions } from '../../src/auth/throttle.js';
import { hashPassword } from '../../src/auth/password.js';
import { indexMessage } from '../../src/mime/index.js';
import { createPop3Server, type Pop3Server } from '../../src/pop3/index.js';
import type { Pop3Limits } from '../../src/pop3/limits.js';

/** POP3 on 127.0.0.1:0, plain (STLS) and implicit TLS, over one store, for one test file. */
export interface Pop3Harness {
  store: MailStore;
  certs: LocalCertificateStore;
  caPem: string;
  caFile: string;
  dir: string;
  plainPort: number;
  tlsPort: number;
  plain: Pop3Server;
  tls: Pop3Server;
  throttle: AuthThrottle;
  /** Creates an account (domain added on demand) with a cheap hash of `password`. */
  addUser(address: string, password: string): Promise<void>;
  /** Stores `raw` and delivers it to the INBOX of `address`; returns its UID. */
  deliver(address: string, raw: Buffer | string): Promise<number>;
  close(): Promise<void>;
}

export interface Pop3HarnessOptions {
  limits?: Partial<Pop3Limits>;
  throttle?: AuthThrottleOptions;
  allowPlaintextAuth?: boolean;
  /** Serve an existing store and certificates (the cross-protocol test); the caller closes them. */
  store?: MailStore;
  certs?: LocalCertificateStore;
  dir?: string;
}

/** A store message in RFC 5322 form with CRLF line ends. */
export function message(subject: string, body: string, extraHeaders = ''): Buffer {
  const text = `From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n${extraHeaders}\r\n${body}`;
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

export async function startPop3Harness(options: Pop3HarnessOptions = {}): Promise<Pop3Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'letterbox-pop3-')));
  const store = options.store ?? (await openStore({ dir }));
  const certs = options.certs ?? (await openCertificates({ dir: join(dir, 'tls'), hostname: 'mail.example.com', addresses: ['127.0.0.1'] }));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, certs.caPem());
  const throttle = new AuthThrottle({ threshold: 1000, ...options.throttle });
  const log = pino({ level: 'silent' });
  const common = { store, certs, throttle, log, hostname: 'mail.example.com', limits: options.limits, allowPlaintextAuth: options.allowPlaintextAuth, closeTimeoutMs: 2000 };
  const plain = createPop3Server({ ...common, implicitTls: false });
  const tls = createPop3Server({ ...common, implicitTls: true });
  const plainPort = (await plain.listen('127.0.0.1', 0)).port;
  const tlsPort = (await tls.listen('127.0.0.1', 0)).port;
  return {
    store,
    certs,
    caPem: certs.caPem(),
    caFile,
    dir,
    plainPort,
    tlsPort,
    plain,
    tls,
    throttle,
    async addUser(address, password) {
      const domain = address.split('@')[1] as string;
      if (!store.isLocalDomain(domain)) await store.addDomain(domain);
      await store.addAccount(address, await hashPassword(password, { ln: 10 }));
    },
    async deliver(address, raw) {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      const blob = store.createBlob();
      await blob.write(bytes);
      const { blobId } = await blob.commit();
      const result = await store.deliver({ blobId, index: indexMessage(bytes), accounts: [address] });
      return (result.delivered[0] as { uid: number }).uid;
    },
    async close() {
      await plain.close();
      await tls.close();
      if (!options.certs) certs.close();
      if (!options.store) await store.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
