import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { MailStore } from '../store/types.js';
import type { AuthThrottle } from '../auth/throttle.js';
import { ConnectionCounter } from '../limits/connection-counter.js';
import { connectionLogger } from '../log/index.js';
import { createHardenedTlsServer, hardenTlsServer, type LocalCertificateStore } from '../tls/index.js';
import { DEFAULT_POP3_LIMITS, type Pop3Limits } from './limits.js';
import { processMaildropLocks, type MaildropLocks } from './maildrop.js';
import { err } from './protocol.js';
import { Pop3Connection } from './connection.js';
import type { Pop3SessionContext } from './session.js';

/** What `createPop3Server` needs. One call per listener: port 110 (STLS) and port 995 (implicit TLS). */
export interface Pop3ServerOptions {
  store: MailStore;
  certs: LocalCertificateStore;
  /** The process-wide auth failure throttle, shared with SMTP submission and IMAP. */
  throttle: AuthThrottle;
  log: Logger;
  /** Missing fields take `DEFAULT_POP3_LIMITS`. */
  limits?: Partial<Pop3Limits>;
  /** Shown in the greeting. */
  hostname: string;
  /** true: TLS from the first byte (RFC 8314, port 995); false: plaintext with STLS (RFC 2595, port 110). */
  implicitTls: boolean;
  /** Allow USER/PASS/AUTH before TLS on the plain port. Off by default (RFC 2595 §2.2, T53). */
  allowPlaintextAuth?: boolean;
  /** Maildrop locks; defaults to the process-wide table, so 110 and 995 exclude each other. */
  locks?: MaildropLocks;
  /** How long `close()` waits for sessions (a QUIT commit in progress) before cutting them off. Default 10 s. */
  closeTimeoutMs?: number;
}

/** A POP3 listener. */
export interface Pop3Server {
  /** Starts listening; resolves with the bound address. Rejects when the port cannot be bound. */
  listen(host: string, port: number): Promise<AddressInfo>;
  /**
   * Stops accepting, ends every session without committing its deletions
   * (sessions already in UPDATE finish their commit first), and resolves once
   * all connections are gone or the close timeout passed. Idempotent.
   */
  close(): Promise<void>;
  /** Open connections (for status and tests). */
  readonly connections: number;
}

/**
 * The POP3 service (RFC 1939 with RFC 2449 CAPA, RFC 5034 SASL PLAIN,
 * RFC 2595 STLS, RFC 8314 implicit TLS) over the shared store: the maildrop
 * is the INBOX (`maildrop.ts`). Connection limits per listener and per client
 * address; hostile TLS handshakes cost one connection (hardened listener).
 */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  const limits: Pop3Limits = { ...DEFAULT_POP3_LIMITS, ...options.limits };
  const ctx: Pop3SessionContext = {
    store: options.store,
    throttle: options.throttle,
    limits,
    hostname: options.hostname,
    stls: !options.implicitTls,
    allowPlaintextAuth: options.allowPlaintextAuth ?? false,
    locks: options.locks ?? processMaildropLocks,
  };
  const svc = options.implicitTls ? 'pop3s' : 'pop3';
  const log = options.log;
  const open = new Set<Pop3Connection>();
  const perIp = new ConnectionCounter(limits.maxClientsPerIp);
  let closing: Promise<void> | undefined;

  const accept = (socket: Socket, secure: boolean): void => {
    const ip = socket.remoteAddress ?? 'unknown';
    // tryAdd last: it counts the connection only when every other check let it in.
    if (closing || open.size >= limits.maxClients || !perIp.tryAdd(ip)) {
      // RFC 1939 §4 has no busy greeting; a clear -ERR and close is what Dovecot does too.
      socket.on('error', () => undefined);
      socket.end(err('Too many connections, try again later', 'SYS/TEMP'));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const conn = new Pop3Connection(socket, secure, ctx, options.certs, connectionLogger(log, { svc, remote: ip }));
    open.add(conn);
    void conn.done.then(() => {
      open.delete(conn);
      perIp.remove(ip);
    });
    conn.start();
  };

  let server: NetServer | TlsServer;
  if (options.implicitTls) {
    server = createHardenedTlsServer(options.certs, log, (socket) => accept(socket, true), { handshakeTimeout: limits.tlsHandshakeTimeoutMs });
  } else {
    server = hardenTlsServer(createNetServer((socket) => accept(socket, false)), log);
  }
  // A hard ceiling for sockets still in the TLS handshake, which `accept` has not seen yet.
  server.maxConnections = limits.maxClients * 2;

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const conn of open) conn.shutdown();
        const all = Promise.all([...open].map((c) => c.done));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.closeTimeoutMs ?? 10_000)));
        await Promise.race([all, timeout]);
        clearTimeout(timer);
        for (const conn of open) conn.destroy();
        await stopped;
      })();
      return closing;
    },
    get connections() {
      return open.size;
    },
  };
}
