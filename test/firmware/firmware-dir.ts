import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's `firmware/` directory, found by walking up from this file
 * to letterbox's package.json (tests run compiled from `dist/test/firmware/`,
 * the sources they check live outside `dist/`). Throws when not in a checkout.
 */
export function firmwareDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'letterbox') {
      return join(dir, 'firmware');
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('firmware tests must run inside the letterbox checkout');
    dir = parent;
  }
}
