import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MailError } from '../errors.js';
import { detectEnvironment, isDeviceInstall, packageRoot, type BootEnvironment } from './environment.js';
import type { BootConfig } from './types.js';
import { validateBootConfig } from './validate.js';

/** Name of the boot file inside the data directory. */
export const CONFIG_FILE_NAME = 'letterbox.json';

/** Where the appliance keeps its data when nothing else says so. */
export const DEVICE_DATA_DIR = '/var/lib/letterbox';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Machine facts for defaults; detected when omitted (tests pass their own). */
  env?: BootEnvironment;
  /**
   * When the boot file is missing, write one holding only the resolved
   * hostname, so the owner finds the file where settings go (`start` does
   * this; the other commands do not touch the file).
   */
  writeDefault?: boolean;
}

/**
 * Reads `dataDir/letterbox.json`, validates it and fills in defaults.
 *
 * A missing file means all defaults (and, with `writeDefault`, the file is
 * created atomically: temp file + rename). Fails with `MailError('invalid')`
 * when the file is not JSON or fails validation (the message names the file
 * and every bad key), or with the underlying I/O error when it cannot be read.
 */
export async function loadConfig(dataDir: string, options: LoadConfigOptions = {}): Promise<BootConfig> {
  const env = options.env ?? detectEnvironment();
  const file = join(dataDir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (options.writeDefault) await writeDefaultConfig(file, env.hostname);
    return validateBootConfig({}, env, file);
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new MailError('invalid', `${file}: not valid JSON (${(err as Error).message})`, err);
  }
  return validateBootConfig(raw, env, file);
}

async function writeDefaultConfig(file: string, hostname: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ hostname }, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, file);
}

/** Inputs of `resolveDataDir`; each defaults to the real process's value. */
export interface DataDirInputs {
  /** The `--data DIR` argument, if given. */
  flag?: string | undefined;
  /** Environment variables (reads `LETTERBOX_DATA`). */
  environ?: NodeJS.ProcessEnv;
  /** Whether this is the installed appliance (see `isDeviceInstall`). */
  device?: boolean;
  /** The package directory, for the checkout default. */
  root?: string;
}

/**
 * Chooses the data directory, first match wins:
 * 1. `--data DIR`;
 * 2. the `LETTERBOX_DATA` environment variable;
 * 3. on the device, `/var/lib/letterbox`;
 * 4. in a checkout, `<checkout>/data` (next to package.json, so every command
 *    finds the same directory whatever the current directory is; `data/` is
 *    git-ignored and lint-ignored).
 * Relative paths are resolved against the current directory. Never throws
 * except when the package directory cannot be found in case 4.
 */
export function resolveDataDir(inputs: DataDirInputs = {}): string {
  if (inputs.flag) return resolve(inputs.flag);
  const fromEnv = (inputs.environ ?? process.env).LETTERBOX_DATA;
  if (fromEnv) return resolve(fromEnv);
  const root = inputs.root ?? packageRoot();
  const device = inputs.device ?? isDeviceInstall(root);
  return device ? DEVICE_DATA_DIR : join(root, 'data');
}

/**
 * Creates the data directory (and parents) with mode 0700 when missing; an
 * existing directory is left as it is. Fails with the I/O error.
 */
export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
