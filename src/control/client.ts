import { connect } from 'node:net';
import { MailError } from '../errors.js';
import type { ControlRequest, ControlResponse } from './protocol.js';

/**
 * Sends one request to a running appliance's control socket and resolves
 * with its reply line (a failed operation is a resolved `{ok: false, …}`).
 *
 * Rejects with the socket error when nobody serves the path (`code` ENOENT or
 * ECONNREFUSED: see `isServerAbsent`), with `MailError('temporary')` when no
 * reply arrives within `timeoutMs` or the server hangs up, and with
 * `MailError('invalid')` on a reply that is not JSON. The connection is
 * always closed before the promise settles.
 */
export function callControl(socketPath: string, request: ControlRequest, options: { timeoutMs?: number } = {}): Promise<ControlResponse> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffered = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => finish(() => reject(new MailError('temporary', 'the letterbox server did not answer in time'))));
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('error', (err) => finish(() => reject(err)));
    socket.on('close', () => finish(() => reject(new MailError('temporary', 'the letterbox server closed the connection without answering'))));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const line = buffered.slice(0, newline);
      finish(() => {
        try {
          resolve(JSON.parse(line) as ControlResponse);
        } catch (err) {
          reject(new MailError('invalid', 'the letterbox server sent an unreadable reply', err));
        }
      });
    });
  });
}

/** True when `err` from `callControl` means no server is listening on the socket path. */
export function isServerAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK';
}
