import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { MailError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { MailStore } from '../store/types.js';
import { describeFailure, runOperation } from './operations.js';
import { MAX_REQUEST_BYTES, parseControlRequest, type ControlResponse } from './protocol.js';

/** Name of the control socket inside the data directory. */
export const CONTROL_SOCKET_NAME = 'control.sock';

/** Options of `startControlServer`. */
export interface ControlServerOptions {
  /** Usually `DIR/control.sock`. Unix socket paths are limited to about 100 bytes. */
  socketPath: string;
  store: MailStore;
  certs?: { caPem(): string };
  /** Extra fields for the `status` reply. */
  status(): object;
  log: Logger;
}

/** A running control server. */
export interface ControlServer {
  /** Stops accepting, ends open connections and removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the control socket through which the CLI changes data while the
 * appliance runs (LevelDB allows one process, so the CLI cannot open the
 * store itself then).
 *
 * Protocol: newline-delimited JSON; each request line gets one response line
 * (`ControlResponse`), in order; a connection may send several requests.
 * Lines over 64 KiB or unparsable JSON get an `invalid` reply and the
 * connection is closed.
 *
 * The socket file is made mode 0600 (only the owner, who also owns the data
 * directory, may manage the box) before the first request can be served — the
 * data directory is 0700 too, so nobody else can reach it in between. A socket
 * file left by a crash is detected (nothing accepts on it) and replaced; when
 * another process answers on it, fails `MailError('inUse')`. Other listen
 * errors reject as they are.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { socketPath, log } = options;
  await removeStaleSocket(socketPath);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, options);
  });
  server.on('error', (err) => log.error({ err }, 'control socket error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve();
    });
  });
  await chmod(socketPath, 0o600);
  log.info({ socket: socketPath }, 'control socket listening');

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= closeServer(server, sockets, socketPath);
      return closing;
    },
  };
}

async function closeServer(server: Server, sockets: Set<Socket>, socketPath: string): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
  await unlink(socketPath).catch(() => undefined);
}

function serveConnection(socket: Socket, options: ControlServerOptions): void {
  const { store, certs, log } = options;
  const context = {
    store,
    running: true,
    status: () => ({ ...options.status() }) as Record<string, unknown>,
    ...(certs ? { caPem: () => certs.caPem() } : {}),
  };
  let buffered = '';
  let chain = Promise.resolve();
  socket.setEncoding('utf8');
  socket.setTimeout(5 * 60_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  let ended = false;
  const reply = (response: ControlResponse): void => {
    if (!ended && !socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
  };
  const hangUp = (): void => {
    ended = true;
    socket.end();
  };

  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() === '' || ended) continue;
      // Requests are answered strictly in order, one at a time.
      chain = chain.then(async () => {
        let request;
        try {
          request = parseControlRequest(JSON.parse(line));
        } catch (err) {
          const failure = err instanceof SyntaxError ? { kind: 'invalid' as const, message: 'request is not valid JSON' } : describeFailure(err);
          reply({ ok: false, ...failure });
          hangUp();
          return;
        }
        try {
          const result = await runOperation(context, request);
          log.info({ op: request.op }, 'control request done');
          reply({ ok: true, result });
        } catch (err) {
          const failure = describeFailure(err);
          log.info({ op: request.op, kind: failure.kind, reason: failure.message }, 'control request failed');
          reply({ ok: false, ...failure });
        }
      });
    }
    if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) {
      buffered = '';
      reply({ ok: false, kind: 'invalid', message: 'request too long' });
      hangUp();
    }
  });
}

/**
 * Removes a socket file no process accepts on. Fails `inUse` when a server
 * answers, or when the path exists but is not a socket (never deletes a
 * regular file by mistake).
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(socketPath)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw new MailError('inUse', `${socketPath} exists and is not a socket`);
  if (await answers(socketPath)) throw new MailError('inUse', `another letterbox process is serving ${socketPath}`);
  await unlink(socketPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
