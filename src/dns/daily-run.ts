import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../system/atomic-file.js';
import type { CheckStatus, DnsCheckReport } from './types.js';

/**
 * Where the last self-check result lives: a JSON file beside the store
 * (`DIR/dns-check.json`), not a store key. It is derived, replaceable data
 * written once a day; keeping it out of LevelDB avoids touching the store's
 * schema while the runtime-settings document is being added there, and lets
 * the CLI read it without opening (and locking) the store.
 */
export const DNS_CHECK_FILE = 'dns-check.json';

/** A check whose status changed between two runs (`before`/`after` null: the line appeared/disappeared). */
export interface DnsCheckChange {
  subject: string;
  id: string;
  title: string;
  before: CheckStatus | null;
  after: CheckStatus | null;
  /** The new finding (or the old one for a line that disappeared). */
  finding: string;
}

/** What the file holds: the latest report and what changed against the one before. */
export interface StoredDnsCheck {
  version: 1;
  report: DnsCheckReport;
  changes: DnsCheckChange[];
  /** Set when the public address differs from the previous run's (a sign of a dynamic address). */
  publicIpChanged?: { before: string[]; after: string[] };
}

/** Lines whose status changed, appeared or disappeared; with no previous report, every non-OK line counts as changed. */
export function diffReports(previous: DnsCheckReport | null, next: DnsCheckReport): DnsCheckChange[] {
  const key = (r: { subject: string; id: string }): string => `${r.subject}\u0000${r.id}`;
  const before = new Map((previous?.results ?? []).map((r) => [key(r), r]));
  const changes: DnsCheckChange[] = [];
  for (const r of next.results) {
    const old = before.get(key(r));
    before.delete(key(r));
    if (old ? old.status !== r.status : previous !== null || r.status !== 'OK') {
      changes.push({ subject: r.subject, id: r.id, title: r.title, before: old?.status ?? null, after: r.status, finding: r.finding });
    }
  }
  for (const old of before.values()) changes.push({ subject: old.subject, id: old.id, title: old.title, before: old.status, after: null, finding: old.finding });
  return changes;
}

/** Reads the last stored result; null when there is none or it is unreadable (the next run replaces it). */
export async function readLastDnsCheck(dir: string): Promise<StoredDnsCheck | null> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, DNS_CHECK_FILE), 'utf8')) as StoredDnsCheck;
    return parsed && parsed.version === 1 && parsed.report ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Stores a result atomically: write a temp file, fsync it, rename it over
 * the old one, fsync the directory. A crash leaves either the old or the
 * new file, never a torn one. Rejects on I/O errors (temp file removed).
 */
export async function writeDnsCheck(dir: string, stored: StoredDnsCheck): Promise<void> {
  await writeFileAtomic(join(dir, DNS_CHECK_FILE), `${JSON.stringify(stored, null, 2)}\n`, 0o644);
}

/**
 * Runs one check and records it: reads the previous result, diffs, writes
 * the new one. Resolves with what was stored. Rejects when the check itself
 * rejects (store failure) or the file cannot be written.
 */
export async function runAndStore(dir: string, run: () => Promise<DnsCheckReport>): Promise<StoredDnsCheck> {
  const previous = await readLastDnsCheck(dir);
  const report = await run();
  const stored: StoredDnsCheck = { version: 1, report, changes: diffReports(previous?.report ?? null, report) };
  const oldIps = previous?.report.publicIps ?? [];
  if (previous && report.publicIps.length > 0 && oldIps.length > 0 && oldIps.join() !== report.publicIps.join()) {
    stored.publicIpChanged = { before: oldIps, after: report.publicIps };
  }
  await writeDnsCheck(dir, stored);
  return stored;
}

/** The subset of a pino logger the daily run uses. */
export interface DailyRunLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of `startDailyDnsCheck`. */
export interface DailyDnsCheckOptions {
  /** The data directory; the result goes to `dir/dns-check.json`. */
  dir: string;
  /** One self-check run, e.g. `() => runDnsCheck({...})`. */
  run: () => Promise<DnsCheckReport>;
  log: DailyRunLogger;
  /** Default 24 h. */
  intervalMs?: number;
  /** Delay of the first run after start; default 2 minutes, so boot is not slowed. */
  firstDelayMs?: number;
  /** Called after a run that changed something (the admin UI or a notifier hooks in here). Errors are logged. */
  onChanges?: (stored: StoredDnsCheck) => void | Promise<void>;
}

/** A running schedule. `stop()` cancels future runs (a run in progress finishes). */
export interface DailyDnsCheck {
  /** Runs now (or joins the run in progress) and resolves with what was stored. */
  runNow(): Promise<StoredDnsCheck>;
  stop(): void;
}

/**
 * Runs the self-check once a day and stores each result with its changes.
 * Each change is logged at warn level (status got worse) or info; the timer
 * is unref'd so it never keeps the process alive. A failing run is logged
 * and retried at the next interval; runs never overlap.
 */
export function startDailyDnsCheck(options: DailyDnsCheckOptions): DailyDnsCheck {
  const interval = options.intervalMs ?? 24 * 60 * 60 * 1000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<StoredDnsCheck> | null = null;
  let stopped = false;
  const rank: Record<CheckStatus, number> = { OK: 0, WARN: 1, UNKNOWN: 2, FAIL: 3 };

  const once = (): Promise<StoredDnsCheck> => {
    if (running) return running;
    running = runAndStore(options.dir, options.run).finally(() => {
      running = null;
    });
    return running.then(async (stored) => {
      for (const c of stored.changes) {
        const worse = (c.after !== null ? rank[c.after] : 0) > (c.before !== null ? rank[c.before] : 0);
        (worse ? options.log.warn : options.log.info).call(options.log, { svc: 'dns-check', check: c.id, subject: c.subject, before: c.before, after: c.after }, `DNS self-check: ${c.title} ${c.before ?? 'new'} -> ${c.after ?? 'gone'}: ${c.finding}`);
      }
      if (stored.publicIpChanged) options.log.warn({ svc: 'dns-check', ...stored.publicIpChanged }, 'DNS self-check: the public address changed since the last run');
      if ((stored.changes.length > 0 || stored.publicIpChanged) && options.onChanges) {
        try {
          await options.onChanges(stored);
        } catch (err) {
          options.log.error({ svc: 'dns-check', err }, 'DNS self-check change handler failed');
        }
      }
      return stored;
    });
  };
  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      once()
        .catch((err: unknown) => options.log.error({ svc: 'dns-check', err }, 'DNS self-check run failed'))
        .finally(() => schedule(interval));
    }, delay);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? 2 * 60 * 1000);
  return {
    runNow: once,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
