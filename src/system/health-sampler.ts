import type { SystemProbe, SystemSample } from './system-probe.js';

/**
 * The dashboard's history: one reading a minute, the last 24 hours kept
 * (1440 samples at most), saved in the store so charts survive a restart.
 *
 * Storage is shaped for an SD card: one small settings document per hour of
 * the day (`system.health.00` … `system.health.23`, each ≤ 60 compact rows,
 * about 4 KB), rewritten every `persistEvery` samples rather than every
 * minute; the document for an hour is simply overwritten a day later, so the
 * stored size never grows.
 */

/** What the admin reads. */
export interface HealthHistory {
  /** The newest reading, or null before the first. */
  latest(): SystemSample | null;
  /** Readings at or after `sinceMs`, oldest first. */
  since(sinceMs: number): SystemSample[];
}

export interface HealthSampler extends HealthHistory {
  /** Takes one reading now (also what the timer does). Never rejects: a failed reading is skipped. */
  sampleNow(): Promise<SystemSample | null>;
  /** Stops the timer and saves what is unsaved. Never rejects. */
  close(): Promise<void>;
}

/** The part of the store the sampler uses (settings documents). */
export interface HealthStore {
  getSetting(name: string): Promise<unknown>;
  putSetting(name: string, value: unknown): Promise<void>;
}

export interface HealthSamplerOptions {
  probe: SystemProbe;
  /** Where history is kept; without it, history lives in memory only. */
  store?: HealthStore;
  /** Default 60 s. */
  intervalMs?: number;
  /** Samples kept (default 1440 = 24 h at one a minute). */
  maxSamples?: number;
  /** Save every this many samples (default 5). */
  persistEvery?: number;
  now?: () => number;
  /** Don't start a timer (tests call `sampleNow`). */
  manual?: boolean;
  onError?: (err: unknown) => void;
}

type Row = [number, number, number, number, number, number, number, number | null, number];

const toRow = (s: SystemSample): Row => [s.time, s.cpuPercent, s.loadAvg1, s.memUsedBytes, s.memTotalBytes, s.diskUsedBytes, s.diskTotalBytes, s.temperatureC, s.uptimeSeconds];
const fromRow = (r: Row): SystemSample => ({
  time: r[0], cpuPercent: r[1], loadAvg1: r[2], memUsedBytes: r[3], memTotalBytes: r[4], diskUsedBytes: r[5], diskTotalBytes: r[6], temperatureC: r[7], uptimeSeconds: r[8],
});

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const settingName = (time: number): string => `system.health.${String(new Date(time).getUTCHours()).padStart(2, '0')}`;

function isRow(r: unknown): r is Row {
  return Array.isArray(r) && r.length === 9 && typeof r[0] === 'number';
}

/**
 * Loads the stored history (older than 24 h is dropped), takes a first
 * reading and then one every `intervalMs` (timer unref'd). The caller closes it.
 */
export async function startHealthSampler(options: HealthSamplerOptions): Promise<HealthSampler> {
  const now = options.now ?? Date.now;
  const max = options.maxSamples ?? 1440;
  const persistEvery = options.persistEvery ?? 5;
  const onError = options.onError ?? (() => undefined);
  let samples: SystemSample[] = [];
  if (options.store) {
    const cutoff = now() - DAY_MS;
    for (let h = 0; h < 24; h++) {
      try {
        const doc = (await options.store.getSetting(`system.health.${String(h).padStart(2, '0')}`)) as { rows?: unknown[] } | null;
        for (const r of doc?.rows ?? []) if (isRow(r) && r[0] >= cutoff) samples.push(fromRow(r));
      } catch (err) {
        onError(err);
      }
    }
    samples.sort((a, b) => a.time - b.time);
    samples = samples.slice(-max);
  }
  let unsaved = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  /** Saves the hour of `time` (rows of that hour only). */
  const persistHour = async (time: number): Promise<void> => {
    if (!options.store) return;
    const hourStart = time - (time % HOUR_MS);
    const rows = samples.filter((s) => s.time >= hourStart && s.time < hourStart + HOUR_MS).map(toRow);
    try {
      await options.store.putSetting(settingName(time), { rows });
    } catch (err) {
      unsaved = Math.max(unsaved, 1);
      onError(err);
    }
  };
  const persist = async (): Promise<void> => {
    const last = samples[samples.length - 1];
    if (unsaved === 0 || !last) return;
    unsaved = 0;
    await persistHour(last.time);
  };

  const sampler: HealthSampler = {
    latest: () => samples[samples.length - 1] ?? null,
    since: (sinceMs) => samples.filter((s) => s.time >= sinceMs),
    async sampleNow() {
      let sample: SystemSample;
      try {
        sample = { time: now(), ...(await options.probe.read()) };
      } catch (err) {
        onError(err);
        return null;
      }
      const previous = samples[samples.length - 1];
      samples.push(sample);
      if (samples.length > max) samples.splice(0, samples.length - max);
      unsaved++;
      // When the hour rolls over, the finished hour's document is completed first.
      if (previous && settingName(previous.time) !== settingName(sample.time)) {
        unsaved = 1;
        await persistHour(previous.time);
      }
      if (unsaved >= persistEvery) await persist();
      return sample;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await persist();
    },
  };

  const tick = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      void sampler.sampleNow().finally(tick);
    }, options.intervalMs ?? 60_000);
    timer.unref();
  };
  if (!options.manual) {
    await sampler.sampleNow();
    tick();
  }
  return sampler;
}
