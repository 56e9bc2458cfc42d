/**
 * The recent log lines the Logs page shows: a bounded ring in memory, fed by
 * the root logger through a pino destination. Only a fixed set of harmless
 * fields is kept (time, level, service, message, connection id, remote
 * address, user): whatever else a line carries — arguments, errors, stack
 * traces — never reaches the page. Message bodies and passwords are not in
 * the logs to begin with (src/log), and this keeps it that way for any field
 * added later.
 */

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const LEVELS: Record<number, LogLevelName> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const RANK: Record<LogLevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogEntry {
  time: number;
  level: LogLevelName;
  service: string | null;
  msg: string;
  cid?: string;
  remote?: string;
  user?: string;
}

export interface LogFilter {
  service?: string;
  /** This level and worse. */
  level?: LogLevelName;
  limit?: number;
}

/** A ring of recent log entries; also a pino destination (`write`). */
export interface LogRing {
  /** Takes one or more newline-separated JSON log lines (pino's output). Never throws. */
  write(chunk: string | Buffer): boolean;
  /** Matching entries, oldest first, at most `limit` (the newest ones). */
  entries(filter?: LogFilter): LogEntry[];
  /** Service names seen so far. */
  services(): string[];
}

const MAX_TEXT = 500;

function short(value: unknown, max = 100): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
}

/** Makes a ring keeping the last `size` entries (default 1000). Use it as `pino.multistream([{ stream: ring, level: 'info' }, …])`. */
export function createLogRing(size = 1000): LogRing {
  const ring: (LogEntry | undefined)[] = new Array<LogEntry | undefined>(size);
  let next = 0;
  let count = 0;
  const seen = new Set<string>();

  const add = (line: string): void => {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (!obj || typeof obj !== 'object') return;
    const level = LEVELS[Number(obj.level)] ?? 'info';
    const service = short(obj.svc, 40) ?? null;
    const entry: LogEntry = {
      time: typeof obj.time === 'number' ? obj.time : Date.now(),
      level,
      service,
      msg: (short(obj.msg, MAX_TEXT) ?? '').replace(/[\u0000-\u001f\u007f]/g, ' '), // eslint-disable-line no-control-regex
    };
    const cid = short(obj.cid, 40);
    const remote = short(obj.remote, 60);
    const user = short(obj.user, 100);
    if (cid) entry.cid = cid;
    if (remote) entry.remote = remote;
    if (user) entry.user = user;
    if (service && seen.size < 100) seen.add(service);
    ring[next] = entry;
    next = (next + 1) % size;
    count = Math.min(count + 1, size);
  };

  return {
    write(chunk) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) add(line);
      return true;
    },
    entries(filter = {}) {
      const min = filter.level ? RANK[filter.level] : 0;
      const out: LogEntry[] = [];
      for (let i = 0; i < count; i++) {
        const e = ring[(next - count + i + size) % size];
        if (!e) continue;
        if (RANK[e.level] < min) continue;
        if (filter.service && e.service !== filter.service) continue;
        out.push(e);
      }
      const limit = filter.limit ?? 200;
      return out.slice(Math.max(0, out.length - limit));
    },
    services() {
      return [...seen].sort();
    },
  };
}
