import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDataDir } from '../config/load.js';
import { MailError } from '../errors.js';
import { callControl, isServerAbsent } from '../control/client.js';
import { runOperation } from '../control/operations.js';
import type { ControlRequest, ControlResult } from '../control/protocol.js';
import { CONTROL_SOCKET_NAME } from '../control/server.js';
import { parseQuota, UsageError, type ParsedArgs } from './args.js';
import { formatResult } from './output.js';
import { readNewPassword, type PasswordIo } from './password-input.js';

/** Streams a management command uses. */
export interface ManageIo extends PasswordIo {
  stdout: NodeJS.WritableStream;
}

/**
 * Runs `domain|user|alias|tls|status …` against the data directory and prints
 * the result on stdout (formats in `output.ts`).
 *
 * The running appliance is asked first, through `DIR/control.sock`; when no
 * server answers there, the store is opened directly (LevelDB's lock then
 * guarantees no server started meanwhile) and closed again. Both paths run
 * the same `runOperation`. Throws `UsageError` for bad arguments and
 * `MailError` for failed operations; the caller prints them.
 */
export async function runManageCommand(args: ParsedArgs, dataDir: string, io: ManageIo): Promise<void> {
  const request = await buildRequest(args, io);
  const result = await execute(dataDir, request);
  io.stdout.write(formatResult(request, result));
}

async function buildRequest(args: ParsedArgs, io: ManageIo): Promise<ControlRequest> {
  const [group, action, ...rest] = args.words;
  const key = `${group} ${action ?? ''}`.trim();
  if (args.quota !== undefined && key !== 'user add') throw new UsageError('--quota is only for "user add"');
  const need = (names: string[], optional: string[] = []): string[] => {
    if (rest.length < names.length || rest.length > names.length + optional.length) {
      const usage = [...names, ...optional.map((n) => `[${n}]`)].join(' ');
      throw new UsageError(`usage: letterbox ${key}${usage ? ` ${usage}` : ''}`);
    }
    return rest;
  };
  switch (key) {
    case 'domain add':
      return { op: 'domain.add', name: need(['NAME'])[0] as string };
    case 'domain remove':
      return { op: 'domain.remove', name: need(['NAME'])[0] as string };
    case 'domain list':
      need([]);
      return { op: 'domain.list' };
    case 'user add': {
      const address = need(['ADDRESS'])[0] as string;
      const quotaBytes = args.quota !== undefined ? parseQuota(args.quota) : undefined;
      const password = await readNewPassword(io, address);
      return quotaBytes !== undefined ? { op: 'user.add', address, password, quotaBytes } : { op: 'user.add', address, password };
    }
    case 'user passwd': {
      const address = need(['ADDRESS'])[0] as string;
      return { op: 'user.passwd', address, password: await readNewPassword(io, address) };
    }
    case 'user remove':
      return { op: 'user.remove', address: need(['ADDRESS'])[0] as string };
    case 'user list': {
      const [domain] = need([], ['DOMAIN']);
      return domain === undefined ? { op: 'user.list' } : { op: 'user.list', domain };
    }
    case 'alias add': {
      const [source, target] = need(['SOURCE', 'TARGET']) as [string, string];
      return { op: 'alias.add', source, target };
    }
    case 'alias remove': {
      const [source, target] = need(['SOURCE'], ['TARGET']) as [string, string | undefined];
      return target === undefined ? { op: 'alias.remove', source } : { op: 'alias.remove', source, target };
    }
    case 'alias list': {
      const [domain] = need([], ['DOMAIN']);
      return domain === undefined ? { op: 'alias.list' } : { op: 'alias.list', domain };
    }
    case 'tls ca':
      need([]);
      return { op: 'tls.ca' };
    case 'status':
      if (action !== undefined) throw new UsageError('usage: letterbox status');
      return { op: 'status' };
    default:
      throw new UsageError(action === undefined ? `"${group}" needs a subcommand` : `unknown command "${key}"`);
  }
}

/** Runs one request through the running server's control socket, else on the store directly. */
export async function execute(dataDir: string, request: ControlRequest): Promise<ControlResult> {
  try {
    const response = await callControl(join(dataDir, CONTROL_SOCKET_NAME), request);
    if (!response.ok) throw new MailError(response.kind, response.message);
    return response.result;
  } catch (err) {
    if (!isServerAbsent(err)) throw err;
  }
  return executeOffline(dataDir, request);
}

/** Path of the CA certificate the TLS module writes (`src/tls/cert-files.ts`). */
function caPath(dataDir: string): string {
  return join(dataDir, 'tls', 'ca.crt');
}

async function readCaPem(dataDir: string): Promise<string> {
  try {
    return await readFile(caPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MailError('notFound', 'no certificate authority yet: start letterbox once to create it');
    }
    throw err;
  }
}

async function executeOffline(dataDir: string, request: ControlRequest): Promise<ControlResult> {
  // Printing the CA needs no store: read the file the server wrote.
  if (request.op === 'tls.ca') return { pem: await readCaPem(dataDir) };
  await ensureDataDir(dataDir);
  // Loaded only here so that --help and the socket path never load LevelDB.
  const { openStore } = await import('../store/index.js');
  let store;
  try {
    store = await openStore({ dir: dataDir });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MailError('inUse', `cannot open the store in ${dataDir}: ${reason} (is another letterbox process using it?)`, err);
  }
  try {
    return await runOperation(
      { store, running: false, caPem: () => readCaPem(dataDir), status: () => ({ dataDir }) },
      request,
    );
  } finally {
    await store.close();
  }
}
