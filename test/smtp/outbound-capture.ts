// A scripted remote SMTP server for outbound tests: speaks just enough SMTP,
// answers from a script, and keeps the raw bytes of every DATA section exactly
// as they came off the wire (dot-stuffing and the final dot included).
import { createServer, type Server, type Socket } from 'node:net';

export interface CapturedTransaction {
  connection: number;
  from: string;
  to: string[];
  /** Raw DATA bytes, from after the 354 up to and including CRLF "." CRLF. */
  raw: Buffer;
  /** What we answered after the final dot ('' when we never answered). */
  reply: string;
}

export interface CaptureScript {
  /** Reply to RCPT TO for this address (default 250). `n` counts RCPTs for that address so far, from 1. */
  rcpt?(address: string, n: number): string;
  /** Reply after the final dot (default 250); `n` counts DATA sections so far, from 1. 'stall' never answers. */
  data?(n: number): string | 'stall';
}

export interface CaptureServer {
  port: number;
  connections: number;
  transactions: CapturedTransaction[];
  /** Every command line received, in order. */
  commands: string[];
  script: CaptureScript;
  /** Resolves when a DATA section has fully arrived (its final dot). */
  nextData(): Promise<CapturedTransaction>;
  close(): Promise<void>;
}

export async function startCaptureServer(script: CaptureScript = {}, host = '127.0.0.1'): Promise<CaptureServer> {
  const sockets = new Set<Socket>();
  const rcptCounts = new Map<string, number>();
  let dataCount = 0;
  const waiters: ((t: CapturedTransaction) => void)[] = [];
  const cap = { connections: 0, transactions: [], commands: [], script } as unknown as CaptureServer;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection = ++cap.connections;
    let buf = Buffer.alloc(0);
    let inData = false;
    let from = '';
    let to: string[] = [];
    const send = (line: string) => socket.write(line + '\r\n');
    send('220 capture.test ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buf.subarray(0, end + 5);
          buf = buf.subarray(end + 5);
          inData = false;
          const answer = (cap.script.data ?? (() => '250 2.0.0 ok'))(++dataCount);
          const t: CapturedTransaction = { connection, from, to, raw, reply: answer === 'stall' ? '' : answer };
          cap.transactions.push(t);
          for (const w of waiters.splice(0)) w(t);
          if (answer !== 'stall') send(answer);
          continue;
        }
        const lf = buf.indexOf('\n');
        if (lf < 0) return;
        const line = buf.subarray(0, lf).toString('latin1').replace(/\r$/, '');
        buf = buf.subarray(lf + 1);
        cap.commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') send('250-capture.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 100000000');
        else if (verb === 'HELO') send('250 capture.test');
        else if (verb === 'MAIL') {
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          send('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
          const n = (rcptCounts.get(address) ?? 0) + 1;
          rcptCounts.set(address, n);
          const answer = (cap.script.rcpt ?? (() => '250 2.1.5 ok'))(address, n);
          if (answer.startsWith('2')) to.push(address);
          send(answer);
        } else if (verb === 'DATA') {
          inData = true;
          send('354 go ahead');
        } else if (verb === 'RSET') {
          from = '';
          to = [];
          send('250 2.0.0 ok');
        } else if (verb === 'QUIT') {
          send('221 2.0.0 bye');
          socket.end();
        } else send('502 5.5.1 not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  cap.port = typeof address === 'object' && address ? address.port : 0;
  cap.nextData = () => new Promise((resolve) => waiters.push(resolve));
  cap.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return cap;
}

/** A fake DNS resolver: MX and A records from a table; anything else is NXDOMAIN. */
export function fakeResolver(zone: { mx?: Record<string, { exchange: string; priority: number }[]>; a?: Record<string, string[]> }) {
  const nx = (name: string) => Object.assign(new Error(`queryX ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  const nodata = (name: string) => Object.assign(new Error(`queryX ENODATA ${name}`), { code: 'ENODATA' });
  const known = (name: string) => Boolean(zone.mx?.[name] || zone.a?.[name]);
  return {
    lookups: [] as string[],
    async resolveMx(domain: string) {
      this.lookups.push(`MX ${domain}`);
      const mx = zone.mx?.[domain];
      if (mx) return mx;
      throw known(domain) ? nodata(domain) : nx(domain);
    },
    async resolve4(host: string) {
      const a = zone.a?.[host];
      if (a) return a;
      throw known(host) ? nodata(host) : nx(host);
    },
    async resolve6(host: string): Promise<string[]> {
      throw known(host) ? nodata(host) : nx(host);
    },
  };
}
