import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** A tagged completion and the untagged lines that came before it. */
export interface TaggedResult {
  tag: string;
  status: string;
  /** The whole completion line, e.g. `a1 OK [READ-WRITE] SELECT completed`. */
  line: string;
  /** Untagged and continuation lines received since the previous completion (literals inlined as text). */
  untagged: string[];
}

/**
 * A byte-exact IMAP client for tests that must send what no well-behaved
 * client would (literal bombs, injection after STARTTLS, odd sequence sets).
 * It splits the server's output into lines, inlining literal bytes
 * (`{n}\r\n` + n bytes) into the line that announced them, and never retries
 * or hides anything.
 */
export class RawImap {
  private buf = Buffer.alloc(0);
  /** Every complete line received, in order (for assertions on the whole transcript). */
  readonly lines: string[] = [];
  private cursor = 0;
  private notify: (() => void) | null = null;
  closed = false;
  socket: Socket | TLSSocket;
  private counter = 0;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.attach(socket);
  }

  /** Connects in plaintext (port 143 style). */
  static open(port: number, host = '127.0.0.1'): Promise<RawImap> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawImap(s)));
      s.once('error', reject);
    });
  }

  /** Connects with TLS from the first byte (port 993 style). */
  static openTls(port: number, ca: string, host = '127.0.0.1'): Promise<RawImap> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ port, host, ca: [ca], servername: 'localhost' }, () => resolve(new RawImap(s)));
      s.once('error', reject);
    });
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.split();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const n = this.notify;
    this.notify = null;
    n?.();
  }

  private split(): void {
    let start = 0;
    let lineEnd: number;
    let text = '';
    while ((lineEnd = this.buf.indexOf('\r\n', start)) >= 0) {
      text += this.buf.toString('latin1', start, lineEnd);
      const lit = /\{(\d+)\+?\}$/.exec(text);
      if (lit) {
        const n = Number(lit[1]);
        if (this.buf.length < lineEnd + 2 + n) break;
        text += '\r\n' + this.buf.toString('latin1', lineEnd + 2, lineEnd + 2 + n);
        start = lineEnd + 2 + n;
        continue;
      }
      this.lines.push(text);
      text = '';
      this.buf = this.buf.subarray(lineEnd + 2);
      start = 0;
    }
    this.wake();
  }

  /** Waits until a line satisfying `pred` arrives after the cursor; returns the lines up to it and moves the cursor. */
  async waitFor(pred: (line: string) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.cursor; i < this.lines.length; i++) {
        if (pred(this.lines[i] as string)) {
          const out = this.lines.slice(this.cursor, i + 1);
          this.cursor = i + 1;
          return out;
        }
      }
      if (this.closed) throw new Error(`connection closed; transcript:\n${this.lines.slice(this.cursor).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`timed out; transcript:\n${this.lines.slice(this.cursor).join('\n')}`);
      await new Promise<void>((resolve) => {
        this.notify = resolve;
        setTimeout(resolve, 100).unref();
      });
    }
  }

  /** Reads the greeting line. */
  async greeting(): Promise<string> {
    return (await this.waitFor(() => true))[0] as string;
  }

  /** Waits for the completion of `tag`. */
  async tagged(tag: string): Promise<TaggedResult> {
    const got = await this.waitFor((l) => l.startsWith(`${tag} `));
    const line = got[got.length - 1] as string;
    return { tag, status: line.split(' ')[1] ?? '', line, untagged: got.slice(0, -1) };
  }

  /** Sends `tag command\r\n` and waits for its completion. */
  async command(command: string, tag = `t${++this.counter}`): Promise<TaggedResult> {
    this.write(`${tag} ${command}\r\n`);
    return this.tagged(tag);
  }

  /** Waits for a `+` continuation. */
  async continuation(): Promise<string> {
    return (await this.waitFor((l) => l.startsWith('+')))[0] as string;
  }

  /** Resolves once the server closed the connection (or rejects after the timeout). */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise<void>((resolve) => {
        this.notify = resolve;
        setTimeout(resolve, 100).unref();
      });
    }
  }

  /** Lines received after the cursor, without moving it. */
  pending(): string[] {
    return this.lines.slice(this.cursor);
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Upgrades the plaintext connection after the server's OK to STARTTLS. */
  async startTls(ca: string): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain, ca: [ca], servername: 'localhost' }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.buf = Buffer.alloc(0);
    this.attach(secure);
  }

  /** Logs in over TLS with LOGIN. */
  async login(user: string, password: string): Promise<TaggedResult> {
    return this.command(`LOGIN "${user}" "${password}"`);
  }

  close(): void {
    this.socket.destroy();
  }
}
