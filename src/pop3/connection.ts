import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { MailError } from '../errors.js';
import type { CertificateStore } from '../tls/types.js';
import { upgradeToTls } from '../tls/index.js';
import { LineFramer, err } from './protocol.js';
import { Pop3Session, type Pop3SessionContext, type Pop3SessionIo } from './session.js';

/** Unread pipelined input we hold before we stop reading from the client (back-pressure on the sender). */
const MAX_PENDING_INPUT = 64 * 1024;
/** After our last reply, how long a client gets to close its side before we cut the connection. */
const LINGER_MS = 2000;

/**
 * One client connection: frames input, feeds the session one line at a time
 * (pipelined commands wait their turn, RFC 2449 §6.6), writes with
 * back-pressure, upgrades to TLS on STLS, and enforces the idle timeout
 * (RFC 1939 §3 autologout: the session ends without UPDATE).
 *
 * Owns its socket: it ends or destroys it, and `done` resolves once the
 * socket has closed and the session has let go of the maildrop lock.
 */
export class Pop3Connection implements Pop3SessionIo {
  private socket: Socket;
  private readonly framer: LineFramer;
  private readonly session: Pop3Session;
  private busy = false;
  private closed = false;
  secure: boolean;
  readonly remoteAddress: string;
  readonly done: Promise<void>;
  private markDone!: () => void;
  private readonly onData = (chunk: Buffer): void => {
    this.framer.push(chunk);
    if (this.framer.pendingBytes > MAX_PENDING_INPUT) this.socket.pause();
    void this.pump();
  };
  private readonly onTimeout = (): void => {
    // Our own slowness (a throttled login, a busy store) is not the client idling; a reply it does not read is.
    if (this.busy && this.socket.writableLength === 0) {
      this.socket.setTimeout(this.ctx.limits.idleTimeoutMs);
      return;
    }
    this.log.info('pop3 idle timeout');
    if (!this.busy) this.socket.write(err('Idle for too long, closing'));
    this.destroy();
  };

  constructor(
    socket: Socket,
    secure: boolean,
    private readonly ctx: Pop3SessionContext,
    private readonly certs: CertificateStore,
    private readonly log: Logger,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.framer = new LineFramer(ctx.limits.maxAuthLineLength);
    this.session = new Pop3Session(ctx, this, log);
    this.done = new Promise((resolve) => (this.markDone = resolve));
    // The raw socket's close is the end of the connection, before or after STLS.
    socket.once('close', () => this.onClosed());
    socket.on('error', (error) => this.log.debug({ err: { message: error.message } }, 'pop3 socket error'));
  }

  /** Sends the greeting and starts reading. */
  start(): void {
    this.listen(this.socket);
    this.socket.write(this.session.greeting());
  }

  /** Server shutdown: a commit in UPDATE finishes first; anything else is dropped without deleting. */
  shutdown(): void {
    if (this.session.state.phase === 'UPDATE') return;
    if (!this.busy && !this.closed) this.socket.write(err('Server is shutting down', 'SYS/TEMP'));
    this.end();
  }

  /** Writes and resolves when the socket can take more; rejects once the connection is closed. */
  write(data: string | Buffer): Promise<void> {
    return this.writeNow(data) ?? Promise.resolve();
  }

  /** Writes; undefined when the socket can take more at once, else a promise like `write`'s. */
  writeNow(data: string | Buffer): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new MailError('invalid', 'pop3: connection closed'));
    const socket = this.socket;
    if (socket.write(data)) return undefined;
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new MailError('invalid', 'pop3: connection closed'));
      };
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }

  private listen(socket: Socket): void {
    // Every reply goes out in as few writes as we can make it; waiting for ACKs (Nagle) only adds latency.
    socket.setNoDelay(true);
    socket.setTimeout(this.ctx.limits.idleTimeoutMs);
    socket.on('timeout', this.onTimeout);
    socket.on('data', this.onData);
  }

  private unlisten(socket: Socket): void {
    socket.setTimeout(0);
    socket.off('timeout', this.onTimeout);
    socket.off('data', this.onData);
  }

  /** Runs queued lines through the session, strictly one at a time. */
  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      for (let line = this.framer.next(); line && !this.closed; line = this.framer.next()) {
        // A prepared RETR is answered without a single await (see Pop3Session.handle).
        const handled = this.session.handle(line);
        const action = typeof handled === 'string' ? handled : await handled;
        if (action === 'close') {
          this.end();
          return;
        }
        if (action === 'starttls') await this.startTls();
      }
    } catch (error) {
      this.log.info({ err: { message: (error as Error).message } }, 'pop3 connection failed');
      this.destroy();
    } finally {
      this.busy = false;
      if (!this.closed && this.socket.isPaused()) this.socket.resume();
      this.settle();
    }
  }

  /**
   * RFC 2595 §4: after "+OK Begin TLS negotiation" nothing sent in plaintext
   * counts — whatever the client pipelined behind STLS is dropped (T54) —
   * and the session starts over in AUTHORIZATION.
   */
  private async startTls(): Promise<void> {
    const raw = this.socket;
    this.unlisten(raw);
    this.framer.clear();
    const tls = await upgradeToTls(raw, this.certs, this.log, { handshakeTimeoutMs: this.ctx.limits.tlsHandshakeTimeoutMs });
    if (this.closed) {
      tls.destroy();
      return;
    }
    // The connection may have failed while the handshake ran; the raw socket's close handler covers that.
    this.framer.clear();
    this.socket = tls;
    this.secure = true;
    this.session.tlsStarted();
    tls.on('error', (error) => this.log.debug({ err: { message: error.message } }, 'pop3 tls error'));
    this.listen(tls);
  }

  private end(): void {
    if (this.closed) return;
    this.unlisten(this.socket);
    this.socket.end();
    const socket = this.socket;
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  /** Cuts the connection now (idle timeout, failures, and server close once its grace period is over). */
  destroy(): void {
    this.socket.destroy();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.abort();
    this.settle();
  }

  /** `done` waits for the socket to close and for the line in progress (a QUIT commit, say) to finish. */
  private settle(): void {
    if (this.closed && !this.busy) this.markDone();
  }
}
