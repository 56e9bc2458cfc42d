/**
 * The socket side of one IMAP client connection: writes with back-pressure,
 * BYE and a short linger before the socket is destroyed, the STARTTLS
 * upgrade that swaps the plaintext socket for the TLS one, and the single
 * moment the connection counts as closed. The session built on it
 * (connection.ts) reads client input through `onInput` and releases what it
 * holds in `onClosed`.
 *
 * Owns its socket: it writes the BYE, ends or destroys it, and reports the
 * close once. Socket errors are logged and end this connection only
 * (ARCHITECTURE rule 9).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { upgradeToTls } from '../tls/index.js';
import type { CertificateStore } from '../tls/types.js';
import { statusLine } from './wire.js';

/** After BYE, how long the client gets to close its side before the socket is destroyed. */
const LINGER_MS = 2000;

/**
 * A client socket, plaintext or TLS, that may be upgraded once (STARTTLS).
 * Subclasses receive every input chunk in `onInput` and are told once, in
 * `onClosed`, that the connection is gone (whichever side ended it).
 */
export abstract class ConnectionTransport {
  tls: boolean;
  readonly remote: string;
  protected socket: Socket;
  /** Set when either side ended the connection; nothing more is written or read. */
  protected closed = false;
  private released = false;

  constructor(
    socket: Socket,
    readonly log: Logger,
    tls: boolean,
    private readonly certs: CertificateStore,
  ) {
    this.socket = socket;
    this.tls = tls;
    this.remote = socket.remoteAddress ?? 'unknown';
    this.listen(socket);
    socket.on('close', () => this.onSocketClosed());
    socket.on('error', (err) => this.log.debug({ err: { message: err.message } }, 'imap socket error'));
  }

  /** Client bytes, in order; not called after the connection closed or while STARTTLS swaps sockets. */
  protected abstract onInput(chunk: Buffer): void;
  /** STARTTLS: plaintext the client pipelined after the command must be dropped, not run. */
  protected abstract discardPendingInput(): void;
  /** STARTTLS done: input starts afresh on the TLS socket (no partial line survives). */
  protected abstract restartInput(): void;
  /** Called exactly once when the connection is gone, whichever side ended it. */
  protected abstract onClosed(): void;

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.onInput(chunk);
  };

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
  }

  /** Writes raw bytes or text (UTF-8). Resolves when the socket can take more (back-pressure) or is gone. */
  write(data: string | Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    const ready = this.socket.write(data);
    if (ready) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Writes `* text\r\n`. */
  untagged(text: string): Promise<void> {
    return this.write(`* ${text}\r\n`);
  }

  /** Server-initiated end (shutdown, connection caps, protocol errors): BYE, then close. */
  bye(text: string): void {
    if (this.closed) return;
    this.socket.write(statusLine('*', 'BYE', text));
    this.end();
  }

  /**
   * RFC 3501 §6.2.1 / RFC 2595 §3.1: the tagged OK goes out in plaintext,
   * everything the client sent after STARTTLS is dropped (T47), and the
   * handshake starts in the same tick so no plaintext byte can be read in
   * between. The session keeps its (not authenticated) state; the framer is
   * replaced so no partial line survives.
   */
  async startTls(tag: string): Promise<void> {
    const raw = this.socket;
    raw.off('data', this.onData);
    this.discardPendingInput();
    raw.write(statusLine(tag, 'OK', 'Begin TLS negotiation now'));
    let secure: TLSSocket;
    try {
      secure = await upgradeToTls(raw, this.certs, this.log);
    } catch {
      this.closed = true;
      return;
    }
    if (this.closed) {
      secure.destroy();
      return;
    }
    this.socket = secure;
    this.tls = true;
    this.restartInput();
    secure.on('close', () => this.onSocketClosed());
    this.listen(secure);
  }

  /** Ends our side after a last write; the client gets LINGER_MS to close before the socket is destroyed. */
  protected end(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.off('data', this.onData);
    this.socket.end();
    const socket = this.socket;
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    this.release();
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onClosed();
  }

  /** Destroys the socket at once (server close after its grace period). */
  destroy(): void {
    this.socket.destroy();
  }
}
