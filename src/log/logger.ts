import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { MASK, maskCommand } from './mask-command.js';

/** The logger type every module receives by injection. */
export type Logger = pino.Logger;

/** Log levels, least to most verbose, plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Field names whose values are secrets wherever they appear (top level or one
 * object down): they are replaced by `MASK` before a line is written.
 */
export const REDACTED_KEYS = ['password', 'pass', 'passwordHash', 'auth', 'authorization', 'secret', 'token'] as const;

/** Options of `createLogger`. */
export interface LoggerOptions {
  level: LogLevel;
  /**
   * Where JSON lines go: a pino destination stream (tests pass one that
   * collects lines), or a file descriptor. Defaults to fd 2 (stderr), so the
   * CLI's own stdout carries only its human-readable lines.
   */
  destination?: pino.DestinationStream | number;
}

/**
 * Creates the root logger. Secrets are redacted by key (`REDACTED_KEYS`), and
 * the `command` and `line` fields are passed through `maskCommand`, so
 * `log.debug({command: line})` is safe for AUTH, PASS and LOGIN lines.
 * Message bodies must never be logged (no key can make them safe).
 * The caller owns the logger; call `logger.flush()` before exiting.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination =
    typeof options.destination === 'object'
      ? options.destination
      : pino.destination({ dest: options.destination ?? 2, sync: false });
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths, censor: MASK },
      serializers: { command: maskValue, line: maskValue, err: pino.stdSerializers.err },
    },
    destination,
  );
}

function maskValue(value: unknown): unknown {
  return typeof value === 'string' ? maskCommand(value) : value;
}

/**
 * A short random connection id (8 URL-safe characters, 48 bits): enough to
 * tell apart the connections of days of logs, short enough to grep and to show
 * to a client in an error reply.
 */
export function newConnectionId(): string {
  return randomBytes(6).toString('base64url');
}

/** Bindings of a per-connection child logger. */
export interface ConnectionBindings {
  /** Service name, e.g. `smtp`, `imap`, `pop3s`. */
  svc: string;
  /** Connection id; a new one is made when omitted. */
  cid?: string;
  /** Remote address as `ip` or `ip:port`. */
  remote: string;
}

/**
 * A child logger for one connection carrying `{svc, cid, remote}` on every
 * line. Add the user later with `log.setBindings({user})` after login. The
 * id is available as `connectionLogger(...).bindings().cid`.
 */
export function connectionLogger(root: Logger, bindings: ConnectionBindings): Logger {
  return root.child({ svc: bindings.svc, cid: bindings.cid ?? newConnectionId(), remote: bindings.remote });
}
