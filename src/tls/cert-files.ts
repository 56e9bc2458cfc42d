/**
 * Where the box keeps its certificates on disk, and how they get there.
 *
 * Four PEM files live in one directory: the local CA (`ca.crt`, `ca.key`)
 * and the server certificate (`server.crt`, `server.key`). Every write is
 * atomic (temporary file, fsync, rename, fsync of the directory) so a power
 * cut on the SD card leaves either the old file or the new one, never half a
 * key. Private keys are created with mode 0600 from the first byte on; they
 * are never written with a looser mode and tightened later.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

/** Paths of the four certificate files inside the certificate directory. */
export interface CertificatePaths {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

/** The certificate file names inside `dir`. */
export function certificatePaths(dir: string): CertificatePaths {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

/** Mode for private keys: readable by the service user only. */
export const KEY_FILE_MODE = 0o600;
/** Mode for certificates: public material, but still only ours to change. */
export const CERT_FILE_MODE = 0o644;
/** Mode for the certificate directory. */
export const DIR_MODE = 0o700;

/**
 * Creates `dir` with mode 0700 when missing. An existing directory that
 * group or others can enter is tightened to 0700, because it holds the CA key.
 * Fails (rejects) when the directory cannot be created, e.g. a read-only disk.
 */
export async function ensureCertificateDir(dir: string): Promise<{ tightened: boolean }> {
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const st = await fsp.stat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if ((st.mode & 0o077) !== 0) {
    await fsp.chmod(dir, DIR_MODE);
    return { tightened: true };
  }
  return { tightened: false };
}

/** Atomic, durable file writes (shared with the admin's setup token and SSH request, and the DNS check). */
export { writeFileAtomic } from '../system/atomic-file.js';

/** Reads a text file, or returns undefined when it does not exist. Other errors reject. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True when a key file can be read by group or others (someone copied it in carelessly). */
export async function isKeyFileExposed(path: string): Promise<boolean> {
  const st = await fsp.stat(path);
  return (st.mode & 0o077) !== 0;
}
