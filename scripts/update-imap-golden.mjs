#!/usr/bin/env node
// Regenerates test/fixtures/imap/corpus/*.golden (ENVELOPE, BODYSTRUCTURE and
// BODY of every *.eml there) from the compiled codec. Build first:
//   npx tsc -p tsconfig.json && node scripts/update-imap-golden.mjs
// Review the diff by eye against RFC 3501 §7.4.2 before committing it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderGolden, CORPUS_DIR } from '../dist/test/imap/protocol/golden-render.js';

const dir = fileURLToPath(CORPUS_DIR);
let count = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml')).sort()) {
  const golden = renderGolden(readFileSync(dir + name));
  writeFileSync(dir + name.replace(/\.eml$/, '.golden'), golden);
  count++;
}
console.log(`wrote ${count} golden files in ${dir}`);
