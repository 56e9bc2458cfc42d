import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** One SMTP reply: its code and the text of every line. */
export interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/**
 * A byte-exact SMTP client for tests that must send what no well-behaved
 * client would (smuggling, pipelining abuse, relay tricks). Replies are parsed
 * per RFC 5321 §4.2 (multi-line with `code-`); nothing is hidden or retried.
 */
export class RawSmtp {
  private buffer = '';
  private replies: Reply[] = [];
  private waiters: ((r: Reply | null) => void)[] = [];
  private pending: string[] = [];
  closed = false;
  socket: Socket | TLSSocket;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.attach(socket);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawSmtp(s)));
      s.once('error', reject);
    });
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => this.onData(d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
  }

  private onData(text: string): void {
    this.buffer += text;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.pending.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const lines = this.pending.splice(0);
        const reply = { code: Number(line.slice(0, 3)), lines, text: lines.map((l) => l.slice(4)).join('\n') };
        const w = this.waiters.shift();
        if (w) w(reply);
        else this.replies.push(reply);
      }
    }
  }

  /** The next reply, or null once the server closed the connection. */
  read(): Promise<Reply | null> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Reads one reply and fails unless it has the expected code. */
  async expect(code: number): Promise<Reply> {
    const r = await this.read();
    if (!r || r.code !== code) throw new Error(`expected ${code}, got ${r ? r.lines.join(' | ') : 'connection closed'}`);
    return r;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command line and returns its reply. */
  async command(line: string): Promise<Reply | null> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  /** Upgrades to TLS after a 220 to STARTTLS. */
  async startTls(ca: string, servername = 'localhost'): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: plain as Socket, ca, servername }, () => resolve(t));
      t.once('error', reject);
    });
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
  }

  /** Resolves once the server has closed the connection. */
  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}
