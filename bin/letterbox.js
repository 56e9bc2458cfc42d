#!/usr/bin/env node
// The `letterbox` command: runs the compiled CLI (npm install builds it through the prepare script).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`letterbox: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
