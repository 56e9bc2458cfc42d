import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The built page (`npm run build:web`); compiled tests live in dist/test/admin-ui, three levels below the root. */
const DIST = fileURLToPath(new URL('../../../web-admin/dist/', import.meta.url));
/** Issue 7: at most 150 KB of compressed JS and CSS, so the page loads fast from a Pi over Wi-Fi. */
const BUDGET = 150 * 1024;

test('the built page stays within 150 KB of gzipped JS and CSS', async () => {
  const files = (await readdir(DIST)).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  assert.ok(files.includes('app.js') && files.includes('app.css'), 'web-admin/dist holds app.js and app.css (run npm run build:web)');
  let total = 0;
  for (const f of files) total += gzipSync(await readFile(DIST + f), { level: 9 }).length;
  assert.ok(total <= BUDGET, `gzipped JS+CSS is ${total} bytes, budget ${BUDGET}`);
  // Precompressed copies are there for the server to send as they are.
  for (const f of ['app.js.gz', 'app.js.br', 'app.css.gz', 'index.html.gz']) assert.ok((await readdir(DIST)).includes(f), `${f} is built`);
});

test('the page needs no unsafe-inline or eval under the CSP', async () => {
  const html = await readFile(DIST + 'index.html', 'utf8');
  // Every script has a src, there is no <style> element and no style= or on*= attribute.
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) assert.match(m[1] ?? '', /\bsrc=/, 'inline <script>');
  assert.doesNotMatch(html, /<style\b/i);
  assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i);
  assert.doesNotMatch(html, /__HASH_(JS|CSS)__/, 'asset hashes are stamped in');
  const js = await readFile(DIST + 'app.js', 'utf8');
  assert.doesNotMatch(js, /\beval\(|new Function\(|\.innerHTML\s*=|insertAdjacentHTML|document\.write/);
  assert.doesNotMatch(js, /setAttribute\(\s*["']style["']/);
});
