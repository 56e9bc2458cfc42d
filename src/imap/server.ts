/**
 * The IMAP service: a listener on 143 (plain, STARTTLS) or 993 (implicit
 * TLS, RFC 8314), the connection caps, and graceful shutdown.
 *
 * Every socket and the listener carry error handlers; a failing connection
 * ends alone (ARCHITECTURE rule 9). `close()` stops accepting, sends
 * `* BYE` to every session, and destroys what is still open after a grace
 * period.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { AuthThrottle } from '../auth/index.js';
import { ConnectionCounter } from '../limits/connection-counter.js';
import { connectionLogger, newConnectionId } from '../log/index.js';
import type { MailStore } from '../store/types.js';
import type { LocalCertificateStore } from '../tls/index.js';
import { createHardenedTlsServer, hardenTlsServer } from '../tls/index.js';
import { ImapConnection } from './connection.js';
import { DEFAULT_IMAP_LIMITS, type ImapLimits } from './limits.js';
import { MailboxView, RecentRegistry, ViewCache } from './mailbox-view.js';
import { HeaderCache } from './search-headers.js';
import type { ImapServices, SessionRegistry } from './session.js';
import { statusLine } from './wire.js';

/** What `createImapServer` needs. The caller owns (and closes) store, certs and throttle. */
export interface ImapServerOptions {
  store: MailStore;
  certs: LocalCertificateStore;
  /** The one failure throttle shared with SMTP submission and POP3. */
  throttle: AuthThrottle;
  log: Logger;
  limits?: Partial<ImapLimits>;
  hostname: string;
  /** true for 993 (TLS from the first byte), false for 143 (STARTTLS). */
  implicitTls: boolean;
  /** How long `close()` waits for sessions to finish after BYE (default 2 s). */
  closeTimeoutMs?: number;
  /**
   * Load each account's INBOX into the SELECT and SEARCH caches when `listen`
   * is called (default true). `listen` binds once the preload is done, or
   * after `preloadWaitMs` (default 1000) while it goes on in the background.
   */
  preloadInboxes?: boolean;
  preloadWaitMs?: number;
}

/** A running (or not yet listening) IMAP service. */
export interface ImapServer {
  /** Binds and listens; resolves with the bound address. Rejects if the port cannot be bound. */
  listen(host: string, port: number): Promise<{ address: string; port: number }>;
  /** Stops accepting, says BYE to every session, waits up to the grace period, then destroys the rest. Idempotent. */
  close(): Promise<void>;
  /** Connections currently open (for status and tests). */
  connectionCount(): number;
}

/** Per-account session counts; see the TSDoc of `ImapLimits` for the caps. */
class Sessions implements SessionRegistry {
  private readonly perUser: ConnectionCounter;
  private readonly perUserIp: ConnectionCounter;

  constructor(limits: ImapLimits) {
    this.perUser = new ConnectionCounter(limits.maxConnectionsPerUser);
    this.perUserIp = new ConnectionCounter(limits.maxConnectionsPerUserIp);
  }

  tryAdd(user: string, ip: string): boolean {
    const key = `${user}\u0000${ip}`;
    // Both caps are checked before either counts, so a refused login leaves no trace.
    if (!this.perUser.hasRoom(user) || !this.perUserIp.hasRoom(key)) return false;
    this.perUser.add(user);
    this.perUserIp.add(key);
    return true;
  }

  remove(user: string, ip: string): void {
    this.perUser.remove(user);
    this.perUserIp.remove(`${user}\u0000${ip}`);
  }
}

/** One \Recent registry per store, so the 143 and 993 listeners share it ("at most one session", RFC 3501 §2.3.2). */
const registries = new WeakMap<MailStore, RecentRegistry>();

/** Per-account session counts, shared by the listeners of one store (caps count both ports). */
const sessionCounts = new WeakMap<MailStore, Sessions>();

function sessionsFor(store: MailStore, limits: ImapLimits): Sessions {
  let s = sessionCounts.get(store);
  if (!s) {
    s = new Sessions(limits);
    sessionCounts.set(store, s);
  }
  return s;
}

/** The caches of one store, shared by its listeners (see view-state.ts and search-headers.ts for their bounds). */
interface StoreCaches {
  views: ViewCache;
  headers: HeaderCache;
  /** Set once a listener of this store started the INBOX preload. */
  preload: Promise<void> | null;
}

const storeCaches = new WeakMap<MailStore, StoreCaches>();

function cachesFor(store: MailStore): StoreCaches {
  let c = storeCaches.get(store);
  if (!c) {
    c = { views: new ViewCache(), headers: new HeaderCache(), preload: null };
    storeCaches.set(store, c);
  }
  return c;
}

/**
 * Loads each account's INBOX into the caches, one at a time, until each is
 * half full: after the appliance restarts, every mail program reconnects and
 * selects INBOX first, and a 10,000-message INBOX would otherwise cost its
 * first SELECT a read of every message record and its first header SEARCH a
 * read of every index. Read-only (no \Recent is claimed); failures only
 * leave the caches colder. Stops early when the service closes.
 */
async function preloadInboxes(services: ImapServices, stopped: () => boolean): Promise<void> {
  for (const info of await services.store.listAccounts()) {
    if (stopped() || services.viewCache.full) return;
    try {
      const account = await services.store.account(info.address);
      const view = await MailboxView.open({ account, name: 'INBOX', readOnly: true, recent: services.recent, cache: services.viewCache });
      // A first look at the journal after the cached modseq, which every SELECT makes next.
      await view.refresh();
      if (stopped()) return;
      if (!services.headerCache.full) await services.headerCache.rowsFor(services.store, account, view);
    } catch (err) {
      services.log.debug({ err, account: info.address }, 'imap: INBOX preload skipped');
    }
  }
}

function recentRegistryFor(store: MailStore): RecentRegistry {
  let r = registries.get(store);
  if (!r) {
    r = new RecentRegistry();
    registries.set(store, r);
  }
  return r;
}

/**
 * Builds the IMAP service (RFC 3501 + the extensions in capabilities.ts).
 * Nothing listens until `listen`. For both ports, make two servers with the
 * same store, certs and throttle; they share the \Recent bookkeeping.
 */
export function createImapServer(opts: ImapServerOptions): ImapServer {
  const limits: ImapLimits = { ...DEFAULT_IMAP_LIMITS, ...opts.limits };
  const log = opts.log;
  const caches = cachesFor(opts.store);
  const services: ImapServices = {
    store: opts.store,
    certs: opts.certs,
    throttle: opts.throttle,
    log,
    limits,
    hostname: opts.hostname,
    recent: recentRegistryFor(opts.store),
    viewCache: caches.views,
    headerCache: caches.headers,
    sessions: sessionsFor(opts.store, limits),
  };
  const connections = new Set<ImapConnection>();
  /** Connections per IP that have not logged in. */
  const unauthenticated = new ConnectionCounter(limits.maxConnectionsPerIp);
  let closing = false;

  const accept = (socket: Socket, tls: boolean): void => {
    socket.on('error', () => undefined);
    // Untagged data and the tagged completion often go out as separate writes; without this,
    // Nagle's algorithm holds the completion for the client's delayed ACK (~40 ms per command).
    socket.setNoDelay(true);
    const ip = socket.remoteAddress ?? 'unknown';
    const refuse = (text: string): void => {
      socket.end(statusLine('*', 'BYE', text));
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (closing) return refuse('Server shutting down');
    if (connections.size >= limits.maxConnections) return refuse('Too many connections');
    if (!unauthenticated.tryAdd(ip)) return refuse('Too many connections from your address');
    let counted = true;
    const connLog = connectionLogger(log, { svc: 'imap', cid: newConnectionId(), remote: ip });
    const conn = new ImapConnection(socket, services, connLog, {
      tls,
      onClose: (c) => {
        connections.delete(c);
        if (counted) unauthenticated.remove(ip);
        counted = false;
      },
      // The per-IP cap is for connections that have not logged in; a login moves the session to the per-account caps.
      onLogin: () => {
        if (counted) unauthenticated.remove(ip);
        counted = false;
      },
    });
    connections.add(conn);
    conn.start();
  };

  let server: Server | TlsServer;
  if (opts.implicitTls) {
    server = createHardenedTlsServer(opts.certs, log, (socket) => accept(socket, true));
  } else {
    server = hardenTlsServer(
      createServer((socket) => accept(socket, false)),
      log,
    );
  }

  let closed: Promise<void> | undefined;
  let preload: Promise<void> | null = null;
  return {
    async listen(host, port) {
      if (opts.preloadInboxes !== false && !caches.preload) {
        preload = preloadInboxes(services, () => closing).catch((err: unknown) => log.debug({ err }, 'imap: INBOX preload failed'));
        caches.preload = preload;
        // Mail programs reconnect the moment the service is back: give the preload a head start, bounded.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([preload, new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.preloadWaitMs ?? 1000)))]);
        clearTimeout(timer);
      }
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const a = server.address();
          if (a && typeof a === 'object') resolve({ address: a.address, port: a.port });
          else reject(new Error('imap: listener has no address'));
        });
      });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of connections) c.bye('Server shutting down');
        const deadline = Date.now() + (opts.closeTimeoutMs ?? 2000);
        while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        for (const c of connections) c.destroy();
        await stopped;
        // The caller closes the store next: the preload must be done with it.
        await preload;
      })();
      return closed;
    },
    connectionCount: () => connections.size,
  };
}
