/**
 * Keeping listeners alive through hostile handshakes (ARCHITECTURE rule 9,
 * security case T22). A TLS 1.0 hello, random bytes, an SSLv2-format hello or
 * a client that stops halfway must cost one connection, never the process:
 * every server and every TLSSocket gets an 'error' handler, and every
 * handshake has a deadline.
 */
import { Server as TlsServer, TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { Server as NetServer, Socket } from 'node:net';
import { MailError } from '../errors.js';
import type { CertificateStore } from './types.js';
import type { LocalCertificateStore } from './certificate-store.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, type TlsLog } from './tls-policy.js';

/** Error details worth logging about a failed handshake, without the stack. */
function describe(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string };
  return { code: e?.code, message: e?.message ?? String(err) };
}

/**
 * Attaches the handlers that keep `server` alive: 'error' on the server,
 * 'tlsClientError' (failed or timed-out handshakes: logged, socket destroyed),
 * 'clientError', and an 'error' handler on every accepted socket. Protocol
 * code adds its own handlers on top; these are the safety net. For a
 * tls.Server the handshake deadline is the `handshakeTimeout` it was created
 * with (`tlsOptions()` sets 10 s; Node fixes it at construction). For a plain
 * net.Server the deadline applies at `upgradeToTls`. Returns `server`.
 */
export function hardenTlsServer<S extends TlsServer | NetServer>(server: S, log: TlsLog): S {
  server.on('error', (err: unknown) => log.error({ err: describe(err) }, 'tls: listener error'));
  server.on('clientError', (err: unknown, socket?: Socket) => {
    log.warn({ err: describe(err) }, 'tls: client error');
    socket?.destroy();
  });
  server.on('connection', (socket: Socket) => {
    socket.on('error', (err) => log.info({ err: describe(err), remote: socket.remoteAddress }, 'tls: connection error'));
  });
  if (server instanceof TlsServer) {
    server.on('tlsClientError', (err, socket) => {
      log.info({ err: describe(err), remote: socket.remoteAddress }, 'tls: handshake failed');
      socket.destroy();
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      socket.on('error', (err) => log.info({ err: describe(err), remote: socket.remoteAddress }, 'tls: connection error'));
    });
  }
  return server;
}

/**
 * Keeps a tls.Server's default context (used for clients that send no SNI,
 * e.g. those connecting to a bare IP address) in step with renewals; clients
 * that send SNI already get the current context through `SNICallback`.
 * Stops when the server closes; also returns an unsubscribe function.
 */
export function reloadOnRenewal(server: TlsServer, certs: LocalCertificateStore): () => void {
  const off = certs.onRenewed(() => server.setSecureContext(certs.tlsOptions()));
  server.once('close', off);
  return off;
}

/**
 * A TLS listener for implicit-TLS ports (465, 993, 995): our policy, hardened,
 * following renewals. `overrides` may tune Node server options (tests set a
 * short `handshakeTimeout`). The caller listens and closes it.
 */
export function createHardenedTlsServer(
  certs: LocalCertificateStore,
  log: TlsLog,
  onSecureConnection?: (socket: TLSSocket) => void,
  overrides: { handshakeTimeout?: number } = {},
): TlsServer {
  const server = createTlsServer({ ...certs.tlsOptions(), ...overrides }, onSecureConnection);
  hardenTlsServer(server, log);
  reloadOnRenewal(server, certs);
  return server;
}

/** Options for `upgradeToTls`. */
export interface UpgradeOptions {
  /** Deadline for the client to finish the handshake; default 10 s. */
  handshakeTimeoutMs?: number;
}

/**
 * STARTTLS, server side (RFC 3207 §4, RFC 2595 §3.1, RFC 9051 §6.2.1): wraps
 * an accepted plain socket in TLS with the store's current context.
 *
 * Call it right after writing the "go ahead" reply and after removing the
 * session's own 'data' listeners from `socket`; anything the client pipelined
 * after the STARTTLS command must already have been discarded by the caller
 * (RFC 3207 §4.2, the command-injection attack). Resolves with the TLSSocket
 * once the handshake completes; it carries a logging 'error' handler for its
 * whole life, so the caller may add its own without racing. Rejects when the
 * handshake fails, the client closes, or the deadline passes; the sockets are
 * destroyed by then and the caller only drops its session. The TLSSocket owns
 * `socket` afterwards: the caller ends/destroys the TLSSocket, not `socket`.
 */
export function upgradeToTls(socket: Socket, certs: CertificateStore, log: TlsLog, options: UpgradeOptions = {}): Promise<TLSSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new MailError('invalid', 'tls: connection closed before STARTTLS'));
      return;
    }
    // The raw socket can still fail (ECONNRESET) while the TLS layer holds it.
    socket.on('error', () => undefined);
    const tlsSocket = new TLSSocket(socket, {
      isServer: true,
      secureContext: certs.context(),
      SNICallback: (_servername, cb) => cb(null, certs.context()),
    });
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tlsSocket.destroy();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      log.info({ remote: socket.remoteAddress }, 'tls: STARTTLS handshake timed out');
      fail(new MailError('limit', 'tls: handshake timed out'));
    }, timeoutMs);
    tlsSocket.on('error', (err) => {
      log.info({ err: describe(err), remote: socket.remoteAddress }, settled ? 'tls: connection error' : 'tls: STARTTLS handshake failed');
      if (!settled) fail(err);
    });
    tlsSocket.once('close', () => fail(new MailError('invalid', 'tls: connection closed during handshake')));
    tlsSocket.once('secure', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(tlsSocket);
    });
  });
}
