// Shared helpers for the TLS tests: temp certificate dirs, listening on
// 127.0.0.1:0, one-shot client handshakes, raw byte probes, and a log that
// remembers what it was told.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type Server as TlsServer } from 'node:tls';
import type { TlsLog } from '../../src/tls/tls-policy.js';

/** A fresh temp directory and its remover. */
export async function tempDir(prefix = 'letterbox-tls-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Listens on 127.0.0.1:0 and returns the port. */
export function listen(server: NetServer | TlsServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a server (waiting for its connections to be gone). */
export function closeServer(server: NetServer | TlsServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What one client handshake ended with. */
export interface HandshakeResult {
  ok: boolean;
  protocol?: string | null;
  cipher?: string;
  fingerprint256?: string;
  authorized?: boolean;
  error?: string;
}

/**
 * Connects once with `options`, reports the handshake outcome and closes.
 * Resolves (never rejects) when the connection is closed.
 */
export function tryHandshake(port: number, options: ConnectionOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    let result: HandshakeResult = { ok: false, error: 'closed without handshake' };
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    // Drain whatever the server says, or 'end' (and so 'close') never comes.
    socket.resume();
    socket.on('secureConnect', () => {
      result = {
        ok: true,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        fingerprint256: socket.getPeerCertificate().fingerprint256,
        authorized: socket.authorized,
      };
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!result.ok) result = { ok: false, error: err.code ?? err.message };
    });
    socket.on('close', () => resolve(result));
  });
}

/**
 * Sends raw bytes over plain TCP and resolves when the server closes the
 * connection (the test's own deadline catches a server that never does).
 * Resolves with whatever the server sent back.
 */
export function sendRawUntilClosed(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Sends raw bytes, then resets the connection (TCP RST) instead of closing it
 * politely; resolves once the client side is closed.
 */
export function sendThenReset(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write(bytes, () => socket.resetAndDestroy()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

/** Captures the first flight (a real ClientHello) that a Node TLS client sends. */
export async function captureClientHello(): Promise<Buffer> {
  const sink = createNetServer();
  const port = await listen(sink);
  const hello = new Promise<Buffer>((resolve) => {
    sink.once('connection', (s) => {
      s.once('data', (c: Buffer) => {
        resolve(c);
        s.destroy();
      });
    });
  });
  const client = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
  client.on('error', () => undefined);
  const bytes = await hello;
  client.destroy();
  await closeServer(sink);
  return bytes;
}

/**
 * An SSLv2-format CLIENT-HELLO (two-byte record header with the top bit set)
 * advertising `version`, three cipher specs and a 16-byte challenge.
 */
export function sslv2ClientHello(version: number): Buffer {
  const specs = Buffer.from([0x07, 0x00, 0xc0, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35]);
  const challenge = Buffer.alloc(16, 0x5a);
  const body = Buffer.concat([
    Buffer.from([0x01, version >> 8, version & 0xff, 0x00, specs.length, 0x00, 0x00, 0x00, challenge.length]),
    specs,
    challenge,
  ]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
}

/** One logged line. */
export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg?: string;
}

/** A TlsLog that keeps every entry for assertions. */
export function recordingLog(): TlsLog & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
