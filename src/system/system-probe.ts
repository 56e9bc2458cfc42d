import { readdir, readFile, statfs } from 'node:fs/promises';
import { loadavg, uptime } from 'node:os';
import { join } from 'node:path';
import si from 'systeminformation';

/** One health reading of the box (the dashboard's numbers and chart points). */
export interface SystemSample {
  /** ms since 1970. */
  time: number;
  /** CPU busy share since the previous reading, 0–100. */
  cpuPercent: number;
  loadAvg1: number;
  memUsedBytes: number;
  memTotalBytes: number;
  /** Of the file system holding the data directory. */
  diskUsedBytes: number;
  diskTotalBytes: number;
  /** SoC temperature; null when the board does not report one. */
  temperatureC: number | null;
  uptimeSeconds: number;
}

/** Takes readings. Tests inject a fake; production uses `systemProbe`. */
export interface SystemProbe {
  /** One reading without its time stamp. Rejects only on unexpected I/O errors. */
  read(): Promise<Omit<SystemSample, 'time'>>;
}

const THERMAL = '/sys/class/thermal';

/**
 * Reads the SoC temperature from the kernel's thermal zones (on a Raspberry
 * Pi `thermal_zone0` is the SoC). systeminformation's `cpuTemperature()`
 * shells out synchronously on Linux, which would stall every connection for
 * the duration of a process spawn once a minute; reading sysfs costs one small
 * file read.
 */
async function readTemperature(root = THERMAL): Promise<number | null> {
  let zones: string[];
  try {
    zones = (await readdir(root)).filter((z) => z.startsWith('thermal_zone')).sort();
  } catch {
    return null;
  }
  for (const z of zones) {
    try {
      const milli = Number((await readFile(join(root, z, 'temp'), 'utf8')).trim());
      if (Number.isFinite(milli) && milli > -50_000 && milli < 150_000) return Math.round(milli / 100) / 10;
    } catch {
      // zone without a readable temperature: try the next
    }
  }
  return null;
}

/**
 * The production probe: CPU load and memory from `systeminformation` (both
 * read /proc, no process spawns), disk from `statfs` on the data directory,
 * temperature from sysfs.
 */
export function systemProbe(dataDir: string): SystemProbe {
  return {
    async read() {
      const [load, mem, fs, temperatureC] = await Promise.all([si.currentLoad(), si.mem(), statfs(dataDir), readTemperature()]);
      const total = Number(fs.blocks) * Number(fs.bsize);
      const free = Number(fs.bavail) * Number(fs.bsize);
      return {
        cpuPercent: Math.round((load.currentLoad ?? 0) * 10) / 10,
        loadAvg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
        // "available" counts reclaimable cache as free, which is what the owner means by used memory.
        memUsedBytes: Math.max(0, mem.total - mem.available),
        memTotalBytes: mem.total,
        diskUsedBytes: Math.max(0, total - free),
        diskTotalBytes: total,
        temperatureC,
        uptimeSeconds: Math.round(uptime()),
      };
    },
  };
}
