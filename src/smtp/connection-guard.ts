import type { AddressInfo, Socket } from 'node:net';
import type { CertificateStore } from '../tls/types.js';
import type { SmtpLimits } from '../config/types.js';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { replies } from './replies.js';

/**
 * The parts of smtp-server's connection object we hook. smtp-server does not
 * export its connection class; these members are stable across 3.x.
 */
interface SmtpConnectionInternals {
  _socket: Socket;
  _setListeners(callback: () => void): void;
  _parser: ParserInternals | false;
  _createParser(): ParserInternals;
  _onCommand(command: Buffer, callback: () => void): void;
  send(code: number, data?: string | string[], context?: string | false): void;
  close(): void;
  session: { user?: unknown };
  secure: boolean;
}

interface ParserInternals {
  _dataMode: boolean;
  _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void;
}

export interface GuardOptions {
  /** Total time a session may last; then 421 and close (slow-drip clients, T20). */
  sessionTimeoutMs: number;
  /**
   * How long the greeting waits so that clients talking before it can be
   * caught (they get 421). smtp-server fixes this at 100 ms, which caps a
   * connection-per-message load at sessions × 10 messages/s; we make it a
   * setting. Default 100 ms.
   */
  greetingDelayMs?: number;
  /** Whether authenticated sessions may pipeline after DATA (they are trusted users). */
  exemptAuthenticated: boolean;
  /**
   * RFC 4954 §4 / RFC 8314: do not advertise AUTH in EHLO before TLS (submission
   * port 587); clients then never try to send credentials in clear.
   */
  hideAuthWithoutTls?: boolean;
}

/** A reply text that already starts with an RFC 3463 enhanced status code. */
const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
/** A DATA command line with more input after it in the same read. */
const DATA_THEN_MORE = /(?:^|\n)DATA[ \t]*\r?\n[\s\S]/i;

/**
 * smtp-server with the protections it lacks (security-cases T14, T20):
 *
 * - RFC 2920 §3.1 makes DATA the last command of a pipelined group: the client
 *   must wait for the 354. A client that keeps sending after DATA in the same
 *   read either smuggles a second transaction behind a DATA we refuse, or does
 *   not speak SMTP. Like Postfix's `smtpd_forbid_unauth_pipelining`, such a
 *   session gets `554 5.5.0` and is closed before the DATA runs.
 * - A session that lasts longer than the cap is closed with 421.
 * - Replies whose text starts with an enhanced status code keep exactly that
 *   code instead of smtp-server's generic one for the reply number.
 */
export class GuardedSmtpServer extends SMTPServer {
  private readonly guard: GuardOptions;

  constructor(options: SMTPServerOptions, guard: GuardOptions) {
    super(options);
    this.guard = guard;
  }

  /**
   * smtp-server calls this for every accepted socket (after the TLS handshake
   * on implicit-TLS ports). Same steps as the library's own `connect`, with our
   * protections added before the session starts and our greeting delay.
   */
  override connect(socket: Socket, socketOptions: unknown): void {
    const connection = new SMTPConnection(this, socket, socketOptions as ConstructorParameters<typeof SMTPConnection>[2]);
    const self = this as unknown as { _onError(err: Error): void; _onClientConnect(data: unknown): void };
    this.connections.add(connection);
    connection.on('error', (err: Error) => self._onError(err));
    connection.on('connect', (data: unknown) => self._onClientConnect(data));
    const conn = connection as unknown as SmtpConnectionInternals;
    this.protect(conn);
    conn._setListeners(() => {
      if (this.options.maxClients && this.connections.size > this.options.maxClients) {
        conn.send(421, `${this.options.name ?? ''} Too many connected clients, try again in a moment`, false);
        return;
      }
      setTimeout(() => connection.connectionReady(), this.guard.greetingDelayMs ?? 100).unref();
    });
  }

  private protect(conn: SmtpConnectionInternals): void {
    const state = { pipelinedAfterData: false };
    const guardParser = (parser: ParserInternals): ParserInternals => {
      const write = parser._write.bind(parser);
      parser._write = (chunk, encoding, callback) => {
        if (!parser._dataMode && DATA_THEN_MORE.test(chunk.toString('latin1'))) state.pipelinedAfterData = true;
        write(chunk, encoding, callback);
      };
      return parser;
    };
    if (conn._parser) guardParser(conn._parser);
    const createParser = conn._createParser.bind(conn);
    // STARTTLS gives the connection a fresh parser: guard that one too.
    conn._createParser = () => {
      state.pipelinedAfterData = false;
      return guardParser(createParser());
    };

    const onCommand = conn._onCommand.bind(conn);
    conn._onCommand = (command, callback) => {
      const isData = /^DATA\s*$/i.test(command.toString('latin1'));
      const exempt = this.guard.exemptAuthenticated && Boolean(conn.session.user);
      if (isData && state.pipelinedAfterData && !exempt) {
        const r = replies.syncError();
        conn.send(r.responseCode, r.message, false);
        conn.close();
        return;
      }
      onCommand(command, callback);
    };

    const send = conn.send.bind(conn);
    conn.send = (code, data, context) => {
      // RFC 4954 §6: AUTH before TLS is "538 5.7.11", not smtp-server's 5.7.0.
      if (code === 538) return send(538, replies.encryptionRequired().message, false);
      if (this.guard.hideAuthWithoutTls && code === 250 && Array.isArray(data) && !conn.secure) {
        data = data.filter((line) => !/^AUTH\b/i.test(line));
      }
      if (typeof data === 'string' && ENHANCED.test(data)) send(code, data, false);
      else send(code, data, context);
    };

    const timer = setTimeout(() => {
      const r = replies.sessionTooLong();
      conn.send(r.responseCode, r.message, false);
    }, this.guard.sessionTimeoutMs);
    timer.unref();
    conn._socket.once('close', () => clearTimeout(timer));
  }
}

/** The life cycle both SMTP services (inbound and submission) expose. */
export interface SmtpListener {
  /** Starts listening; resolves with the bound address, rejects when the port cannot be bound. */
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, lets sessions finish (up to smtp-server's close timeout), then resolves. */
  close(): Promise<void>;
}

/**
 * Runs a guarded smtp-server: logs connection errors instead of letting them
 * reach the process, and rebuilds the default TLS context on certificate
 * renewal (clients that send no SNI get that context).
 */
export function serveSmtp(server: GuardedSmtpServer, certs: CertificateStore, onError: (err: Error) => void): SmtpListener {
  server.on('error', onError);
  const stopWatchingRenewals = certs.onRenewed(() => server.updateSecureContext(certs.tlsOptions()));
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          server.server.removeListener('error', reject);
          resolve(server.server.address() as AddressInfo);
        });
      });
    },
    close() {
      stopWatchingRenewals();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The smtp-server options both SMTP services take from the limits: SIZE
 * advertised and enforced (the body is drained, never buffered past it),
 * client and recipient caps, line length, idle and close timeouts, and our TLS.
 */
export function limitOptions(limits: SmtpLimits, certs: CertificateStore, closeTimeoutMs = 10_000): SMTPServerOptions {
  return {
    size: limits.maxMessageBytes,
    rejectOversized: true,
    maxClients: limits.maxClients,
    maxRecipients: limits.maxRecipients,
    maxCommandLength: limits.maxCommandLength,
    socketTimeout: limits.idleTimeoutMs,
    closeTimeout: closeTimeoutMs,
    ...certs.tlsOptions(),
  };
}
