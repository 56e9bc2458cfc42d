import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** A multi-line response: the status line and the un-stuffed body lines. */
export interface MultiLine {
  status: string;
  lines: Buffer[];
  /** The body as the client reassembles it: each line plus CRLF (equals the stored message for RETR). */
  body: Buffer;
}

/**
 * A byte-exact POP3 test client: writes exactly what it is given and reads
 * replies line by line, so tests can send what well-behaved clients never do
 * (pipelined STLS injection, over-long lines, control bytes).
 */
export class RawPop3 {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  socket: Socket | TLSSocket;
  /** The TCP socket under TLS after STLS (a TLSSocket over an implicit-TLS connection cannot send a reset). */
  private tcp: Socket | null;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.tcp = 'encrypted' in socket ? null : socket;
    this.attach(socket);
  }

  /** Connects (with `tls`, implicit TLS checked against `ca` for `localhost`) and reads nothing yet. */
  static open(port: number, tls?: { ca: string }): Promise<RawPop3> {
    return new Promise((resolve, reject) => {
      const s = tls ? tlsConnect({ port, host: '127.0.0.1', ca: tls.ca, servername: 'localhost' }, () => resolve(new RawPop3(s))) : connect({ port, host: '127.0.0.1' }, () => resolve(new RawPop3(s)));
      s.once('error', reject);
    });
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Bytes received but not yet read as lines. */
  get pending(): number {
    return this.buf.length;
  }

  /** The next line without its CRLF, or null once the server closed the connection. */
  async lineBytes(): Promise<Buffer | null> {
    for (;;) {
      const i = this.buf.indexOf(0x0a);
      if (i >= 0) {
        const line = this.buf.subarray(0, i > 0 && this.buf[i - 1] === 0x0d ? i - 1 : i);
        this.buf = this.buf.subarray(i + 1);
        return line;
      }
      if (this.closed) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async line(): Promise<string | null> {
    const b = await this.lineBytes();
    return b === null ? null : b.toString('latin1');
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends one command line and returns the single-line reply ('' when the connection closed). */
  async cmd(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return (await this.line()) ?? '';
  }

  /** Reads a multi-line response (after its command was sent); throws on -ERR or early close. */
  async readMulti(): Promise<MultiLine> {
    const status = await this.line();
    if (status === null || !status.startsWith('+OK')) throw new Error(`expected +OK, got ${status}`);
    const lines: Buffer[] = [];
    for (;;) {
      const l = await this.lineBytes();
      if (l === null) throw new Error('connection closed inside a multi-line response');
      if (l.length === 1 && l[0] === 0x2e) break;
      lines.push(l[0] === 0x2e ? l.subarray(1) : l);
    }
    const crlf = Buffer.from('\r\n');
    return { status, lines, body: Buffer.concat(lines.flatMap((l) => [l, crlf])) };
  }

  async multi(line: string): Promise<MultiLine> {
    this.write(`${line}\r\n`);
    return this.readMulti();
  }

  /** USER + PASS; returns the PASS reply. */
  async login(user: string, password: string): Promise<string> {
    const u = await this.cmd(`USER ${user}`);
    if (!u.startsWith('+OK')) return u;
    return this.cmd(`PASS ${password}`);
  }

  /** Upgrades after the server's "+OK" to STLS (the caller reads that reply). */
  async startTls(ca: string): Promise<void> {
    const raw = this.socket as Socket;
    raw.removeAllListeners('data');
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: raw, ca, servername: 'localhost' }, () => resolve(t));
      t.once('error', reject);
    });
    this.socket = tls;
    this.attach(tls);
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Drops the connection with a TCP reset where possible (no QUIT, no FIN), else destroys it. */
  reset(): void {
    if (this.tcp) this.tcp.resetAndDestroy();
    else this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }
}
