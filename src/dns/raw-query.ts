import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';
import { decodeMessage, encodeQuery, type DnsMessage } from './packet.js';

/** A DNS server to ask, e.g. `{ host: '127.0.0.1', port: 53 }`. */
export interface DnsServer {
  host: string;
  port: number;
}

/** Thrown when no answer arrived in time (maps to UNKNOWN/TIMEOUT). */
export class DnsTimeoutError extends Error {
  constructor(server: DnsServer) {
    super(`no answer from ${server.host}:${server.port}`);
    this.name = 'DnsTimeoutError';
  }
}

/**
 * Parses a server as `getServers()`/`setServers()` write it: `1.2.3.4`,
 * `1.2.3.4:5353`, `::1`, `[::1]:5353`. Port defaults to 53.
 */
export function parseServer(text: string): DnsServer {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return { host: bracket[1] as string, port: bracket[2] ? Number(bracket[2]) : 53 };
  if (isIPv6(text)) return { host: text, port: 53 };
  const colon = text.lastIndexOf(':');
  if (colon > 0) return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  return { host: text, port: 53 };
}

/**
 * Asks one server one question over UDP and, when the answer is truncated
 * (TC), again over TCP on the same port (RFC 7766 §5). Resolves with the
 * decoded answer whatever its RCODE; rejects with `DnsTimeoutError` when
 * nothing matching arrives within `timeoutMs`, or with the socket/decoding
 * error. Answers whose id or question do not match ours are ignored (a late
 * or spoofed datagram). Every socket is closed before the promise settles.
 */
export async function rawQuery(server: DnsServer, name: string, type: number, timeoutMs: number): Promise<DnsMessage> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type);
  const udp = await udpExchange(server, query, id, name, type, timeoutMs);
  if (!udp.flags.tc) return udp;
  return tcpExchange(server, query, id, name, type, timeoutMs);
}

function matches(msg: DnsMessage, id: number, name: string, type: number): boolean {
  const q = msg.questions[0];
  const want = name.replace(/\.$/, '').toLowerCase();
  return msg.id === id && msg.flags.qr && q !== undefined && q.type === type && q.name.toLowerCase() === want;
}

function udpExchange(server: DnsServer, query: Buffer, id: number, name: string, type: number, timeoutMs: number): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | null, msg?: DnsMessage): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(msg as DnsMessage);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(server)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('message', (buf) => {
      let msg: DnsMessage;
      try {
        msg = decodeMessage(buf);
      } catch {
        return; // not a message for us: keep waiting until the timeout
      }
      if (matches(msg, id, name, type)) finish(null, msg);
    });
    // A connected socket hears ICMP "port unreachable" as ECONNREFUSED instead of waiting for the timeout,
    // and the kernel drops datagrams from any other address.
    socket.connect(server.port, server.host, () => {
      socket.send(query, (err) => {
        if (err) finish(err);
      });
    });
  });
}

function tcpExchange(server: DnsServer, query: Buffer, id: number, name: string, type: number, timeoutMs: number): Promise<DnsMessage> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let done = false;
    let received = Buffer.alloc(0);
    const finish = (err: Error | null, msg?: DnsMessage): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(msg as DnsMessage);
    };
    const timer = setTimeout(() => finish(new DnsTimeoutError(server)), timeoutMs);
    socket.on('error', (err) => finish(err));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      try {
        const msg = decodeMessage(received.subarray(2, 2 + length));
        if (!matches(msg, id, name, type)) throw new Error('TCP answer does not match the question');
        finish(null, msg);
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('end', () => finish(new Error(`connection closed by ${server.host}:${server.port} before an answer`)));
  });
}
