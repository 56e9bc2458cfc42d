#!/usr/bin/env node
// Builds the admin page: bundles web-admin/src/main.ts (and its imports) into
// one minified ES module with esbuild, copies the stylesheet (minified), the
// icon and index.html into web-admin/dist/, and stamps content hashes into the
// asset URLs so browsers never run a stale page after an update.
// Fails (exit 1) when the gzipped JS+CSS exceed the 150 KB budget of issue 7.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const out = join(here, 'dist');
export const BUDGET_GZIP_BYTES = 150 * 1024;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const js = await build({
  entryPoints: [join(src, 'main.ts')],
  bundle: true,
  format: 'esm',
  target: ['es2020', 'safari15', 'chrome90', 'firefox90'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
const jsText = js.outputFiles[0].contents;
const css = await transform(await readFile(join(src, 'app.css'), 'utf8'), { loader: 'css', minify: true, target: ['safari15', 'chrome90', 'firefox90'] });

const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 10);
await writeFile(join(out, 'app.js'), jsText);
await writeFile(join(out, 'app.css'), css.code);
await copyFile(join(src, 'favicon.svg'), join(out, 'favicon.svg'));
const html = (await readFile(join(src, 'index.html'), 'utf8')).replace('__HASH_JS__', hash(jsText)).replace('__HASH_CSS__', hash(css.code));
await writeFile(join(out, 'index.html'), html);

// Precompressed copies: the admin server sends file.br / file.gz when the
// browser accepts them, so the Pi never compresses on a request.
for (const name of ['app.js', 'app.css', 'index.html']) {
  const data = await readFile(join(out, name));
  await writeFile(join(out, `${name}.gz`), gzipSync(data, { level: 9 }));
  await writeFile(join(out, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

const gz = gzipSync(jsText, { level: 9 }).length + gzipSync(Buffer.from(css.code), { level: 9 }).length;
const size = { jsBytes: jsText.length, cssBytes: Buffer.byteLength(css.code), gzipBytes: gz, budgetBytes: BUDGET_GZIP_BYTES };
await writeFile(join(out, 'size.json'), `${JSON.stringify(size)}\n`);
console.log(`web-admin: app.js ${size.jsBytes} B, app.css ${size.cssBytes} B, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} KB)`);
if (gz > BUDGET_GZIP_BYTES) {
  console.error('web-admin: over the size budget');
  process.exit(1);
}
