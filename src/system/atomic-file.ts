import { promises as fsp, constants as fsConstants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, dirname, basename } from 'node:path';

/**
 * Writes `data` to `path` atomically with the given mode: the temporary file
 * is opened exclusively with `mode` (so a key or token is never readable by
 * others, not even for a moment), fsynced, renamed over `path`, and the
 * directory is fsynced so the rename itself survives a power cut. A reader
 * (or the firmware watching the file) sees the old content or the new, never
 * half. On failure the temporary file is removed and the error is rethrown;
 * `path` is left untouched. The directory must exist.
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const fh = await fsp.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
    renamed = true;
    await syncDir(dirname(path));
  } finally {
    if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** fsyncs a directory so renames inside it are durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
