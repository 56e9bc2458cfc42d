import { execFile } from 'node:child_process';
import type { Logger } from '../log/logger.js';

/**
 * Tells systemd how the appliance is doing, through its notify protocol
 * (sd_notify(3)): `READY=1` once every service listens, `WATCHDOG=1` at half
 * the unit's `WatchdogSec=`, `STOPPING=1` when a shutdown begins.
 *
 * Node.js cannot open the AF_UNIX datagram socket systemd listens on, so each
 * message is sent by running `systemd-notify` (the unit sets
 * `NotifyAccess=all` so systemd accepts messages from that child). By default
 * `systemd-notify` waits until systemd has read the message, so it is never
 * lost to the race between the child exiting and systemd looking up whose
 * message it was.
 *
 * The watchdog ping runs on the event loop: if the loop hangs (a runaway
 * parse, a deadlock on the store), pings stop and systemd restarts the
 * service after `WatchdogSec=`.
 */
export interface ServiceManagerLink {
  /** True when a service manager is listening (`NOTIFY_SOCKET` is set). */
  readonly active: boolean;
  /** The watchdog ping period in milliseconds, or undefined when no watchdog is armed for this process. */
  readonly watchdogIntervalMs: number | undefined;
  /** Reports start-up complete. Resolves once the message is handed over (or failed, which is logged). */
  ready(status?: string): Promise<void>;
  /** Reports that shutdown has begun; the watchdog keeps pinging until `close()`. */
  stopping(): Promise<void>;
  /** Stops the watchdog pings. Idempotent. */
  close(): void;
}

/** Where the link reads its settings from; tests inject these. */
export interface ServiceManagerOptions {
  log: Logger;
  /** Environment holding NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** This process's id, compared with WATCHDOG_PID (default `process.pid`). */
  pid?: number;
  /** The notify tool (default `systemd-notify` from PATH). */
  command?: string;
}

/** A notify message gets this long before the child is killed and the failure logged. */
const SEND_TIMEOUT_MS = 10_000;

/**
 * Connects to the service manager named by `NOTIFY_SOCKET`. Without it (a
 * checkout, a test, a container) every method is a no-op. Never throws: a
 * failed message is logged once per kind and the appliance carries on.
 */
export function linkServiceManager(opts: ServiceManagerOptions): ServiceManagerLink {
  const env = opts.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  if (!socket) {
    return { active: false, watchdogIntervalMs: undefined, ready: async () => {}, stopping: async () => {}, close: () => {} };
  }
  const command = opts.command ?? 'systemd-notify';
  const warned = new Set<string>();

  const send = (assignments: string[]): Promise<void> =>
    new Promise((resolve) => {
      execFile(command, assignments, { env, timeout: SEND_TIMEOUT_MS }, (err) => {
        const kind = assignments[0] ?? '';
        if (err && !warned.has(kind)) {
          warned.add(kind);
          opts.log.warn({ err: err.message, message: kind }, 'could not notify the service manager');
        }
        resolve();
      });
    });

  const intervalMs = watchdogInterval(env, opts.pid ?? process.pid);
  let timer: NodeJS.Timeout | undefined;
  if (intervalMs !== undefined) {
    // One ping in flight at a time: a slow systemd must not pile up children.
    let inFlight = false;
    const ping = (): void => {
      if (inFlight) return;
      inFlight = true;
      void send(['WATCHDOG=1']).finally(() => {
        inFlight = false;
      });
    };
    ping();
    timer = setInterval(ping, intervalMs);
    // The pings alone must not keep a stopping process alive.
    timer.unref();
  }

  return {
    active: true,
    watchdogIntervalMs: intervalMs,
    ready: (status) => send(status ? ['READY=1', `STATUS=${status}`] : ['READY=1']),
    stopping: () => send(['STOPPING=1']),
    close: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * The ping period for this process: half of WATCHDOG_USEC, as sd_watchdog_enabled(3)
 * advises, when the watchdog is armed and meant for this process (WATCHDOG_PID
 * unset or equal to our pid). Undefined otherwise.
 */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(pid)) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}
