#!/usr/bin/env node
// bench-smtp: durable SMTP acceptance on loopback, optionally side by side with a peer MTA.
//
// Each Letterbox run starts the appliance on a fresh temporary data directory (smtp on
// 127.0.0.1:<free port>, every other service off), drives it with Postfix's smtp-source,
// and reports messages/s, the server's idle and peak RSS, and how many bytes the server
// process wrote to disk per byte accepted. With --peer the same load goes to another
// server after each Letterbox run (A B A B …), because absolute rates drift a lot on
// shared machines and only interleaved ratios are trustworthy. See docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { promises as fsp, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { children, drive, findSmtpSource, fix, freePort, median, procCpuSeconds, run } from './bench-smtp-common.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'bin', 'letterbox.js');
/** V8 flags the appliance runs with (package.json "start", the device's systemd unit). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=256'];
/** Environment the appliance runs with: two glibc malloc arenas instead of one per thread (about 30 MB less RSS). */
const SERVER_ENV = { MALLOC_ARENA_MAX: '2' };
const SERVICES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'admin'];
const DOMAIN = 'bench.test';
const RCPT = `bench@${DOMAIN}`;
// Never printed or stored anywhere but the temporary data directory's hash.
const PASSWORD = 'Bench-run-7f3kq-only';
const SAMPLE_MS = 200;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const TARGET_RATIO = 2;
const TARGET_RSS_BYTES = 100e6;

const USAGE = `usage: scripts/bench-smtp [options]
  --messages N        messages per run (default 5000)
  --size BYTES        body bytes per message, smtp-source -l (default 10240)
  --sessions N        parallel SMTP sessions (default 20)
  --runs N            runs per server (default 1)
  --peer HOST:PORT    also drive this loopback server, alternating with Letterbox
  --peer-rcpt ADDR    recipient on the peer (default bench@maildir.test)
  --peer-maildir DIR  the Maildir the peer delivers to: wait until every message is in
                      DIR/new (end-to-end time; the next run starts on an idle machine)
  --log-level LEVEL   Letterbox log level (default: the product's default)
  --greeting-delay MS Letterbox's early-talker pause smtp.greetingDelayMs (default: as shipped)
  --node-flag FLAG    an extra V8/Node flag for the Letterbox process, e.g. --cpu-prof
                      (repeatable; for profiling, the figures are then not the shipped ones)
  --keep              keep each Letterbox data directory and print where it is
  --json              print every figure as one JSON document at the end
The load generator is smtp-source from Debian's postfix package.`;

function fail(message, code = 2) {
  process.stderr.write(`bench-smtp: ${message}\n`);
  process.exit(code);
}

function parseOptions(argv) {
  const o = { messages: 5000, size: 10240, sessions: 20, runs: 1, peer: null, peerRcpt: 'bench@maildir.test', peerMaildir: null, logLevel: null, greetingDelayMs: null, nodeFlags: [], keep: false, json: false };
  const ints = { '--messages': 'messages', '--size': 'size', '--sessions': 'sessions', '--runs': 'runs' };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${name} needs a value`);
    if (name === '-h' || name === '--help') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else if (name in ints) {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) fail(`${name} must be a positive whole number (got "${v}")`);
      o[ints[name]] = Number(v);
    } else if (name === '--peer') o.peer = value();
    else if (name === '--peer-rcpt') o.peerRcpt = value();
    else if (name === '--peer-maildir') o.peerMaildir = value();
    else if (name === '--log-level') o.logLevel = value();
    else if (name === '--greeting-delay') {
      const v = value();
      if (!/^\d+$/.test(v)) fail(`--greeting-delay must be a whole number of milliseconds (got "${v}")`);
      o.greetingDelayMs = Number(v);
    } else if (name === '--node-flag') o.nodeFlags.push(value());
    else if (name === '--keep') o.keep = true;
    else if (name === '--json') o.json = true;
    else fail(`unknown option ${name}\n${USAGE}`);
  }
  if (o.peer !== null) {
    const m = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d{1,5})$/.exec(o.peer);
    // The benchmark is a loopback measurement: a remote peer would add network time to its figure.
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) fail(`--peer must be a loopback HOST:PORT such as 127.0.0.1:10025 (got "${o.peer}")`);
    o.peer = { host: m[1] === 'localhost' ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  if (o.peerMaildir !== null && o.peer === null) fail('--peer-maildir needs --peer');
  return o;
}

/** Reads `Key: value kB` fields of /proc/PID/status in bytes; null once the process is gone. */
function procStatus(pid, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch { return null; }
}

/** Bytes the process (all its threads) caused to be sent to the storage layer. */
function procWriteBytes(pid) {
  try {
    const m = /^write_bytes:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

/** The block-device stat file behind a path (whole-device figures include every writer on it). */
function deviceStatFile(path) {
  try {
    const dev = statSync(path).dev;
    const major = Math.floor(dev / 256) & 0xfff;
    const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
    const file = `/sys/dev/block/${major}:${minor}/stat`;
    readFileSync(file);
    return file;
  } catch { return null; }
}

function deviceWrittenBytes(file) {
  if (!file) return null;
  try {
    // Field 7 of the block stat file: sectors written, always in 512-byte units.
    return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[6]) * 512;
  } catch { return null; }
}

/** Counts stored message bodies: content-addressed files `blobs/<xx>/<64 hex>`. */
async function countBlobs(dataDir) {
  const root = join(dataDir, 'blobs');
  let dirs;
  try { dirs = await fsp.readdir(root, { withFileTypes: true }); } catch { return null; }
  let n = 0;
  for (const d of dirs) {
    if (!d.isDirectory() || !/^[0-9a-f]{2}$/.test(d.name)) continue;
    n += (await fsp.readdir(join(root, d.name))).filter((f) => /^[0-9a-f]{64}$/.test(f)).length;
  }
  return n;
}

/** Starts `letterbox start`, resolves once it printed `ready`; keeps the last output lines for errors. */
function startServer(dataDir, env, nodeFlags) {
  // The same V8 flags as `npm start` and the device's service unit (a small young generation keeps RSS down).
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, CLI, 'start', '--data', dataDir], { env: { ...env, ...SERVER_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  // pino levels: 40 warn, 50 error, 60 fatal. Kept so that a failed run can say why.
  const warnings = [];
  const ready = new Promise((done, reject) => {
    let listening = null;
    const timer = setTimeout(() => reject(new Error(`no "ready" within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      const level = /^\{"level":(\d+)/.exec(line);
      if (level && Number(level[1]) >= 40 && warnings.push(line) > 200) warnings.shift();
      const m = /^smtp listening on (\S+)/.exec(line);
      if (m) listening = m[1];
      if (/\bready\b/.test(line)) { clearTimeout(timer); done(listening); }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      // Always drained: a full pipe would stall the server's logging and skew the figures.
      stream.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`letterbox start exited (${signal ?? code}) before ready`)); });
  });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, ready, exited, tail, warnings };
}

async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const result = await server.exited;
  clearTimeout(timer);
  return result;
}

const cleanups = new Set();
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`bench-smtp: ${sig}, stopping\n`);
    for (const child of children) child.kill('SIGTERM');
    for (const c of cleanups) await c().catch(() => {});
    process.exit(130);
  });
}

async function runLetterbox(smtpSource, o) {
  const dataDir = await fsp.mkdtemp(join(tmpdir(), 'letterbox-bench-'));
  const env = { ...process.env, LETTERBOX_SCRYPT_LN: '10' };
  let server = null;
  const cleanup = async () => {
    if (server) await stopServer(server);
    if (!o.keep) await fsp.rm(dataDir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  try {
    const port = await freePort();
    const listen = Object.fromEntries(SERVICES.map((s) => [s, false]));
    listen.smtp = `127.0.0.1:${port}`;
    // smtp-source is one address standing for many senders; Postfix likewise exempts
    // loopback ($mynetworks) from its per-client connection limits.
    const headroom = Math.max(50, 2 * o.sessions);
    // DNS goes to a closed loopback port: the SPF/DKIM/DMARC checks of every message
    // still run (and end in temperror) and no query leaves the machine. As in service,
    // the checks' answer cache keeps a failed lookup for 5 s, so one sender domain
    // costs a few queries per run, not several per message. The greeting pause
    // (smtp.greetingDelayMs) keeps its shipped default: the figure is "as shipped".
    const dns = { servers: ['127.0.0.1:9'], dailyCheck: false };
    const boot = { hostname: 'mail.bench.test', listen, smtp: { maxClients: headroom, maxClientsPerIp: headroom, ...(o.greetingDelayMs === null ? {} : { greetingDelayMs: o.greetingDelayMs }) }, dns };
    if (o.logLevel) boot.log = { level: o.logLevel };
    await fsp.writeFile(join(dataDir, 'letterbox.json'), `${JSON.stringify(boot, null, 2)}\n`);
    for (const [args, input] of [[['domain', 'add', DOMAIN], ''], [['user', 'add', RCPT], `${PASSWORD}\n`]]) {
      const r = await run(process.execPath, [CLI, ...args, '--data', dataDir], { input, env });
      if (r.code !== 0) throw new Error(`letterbox ${args.join(' ')} failed (${r.code}):\n${r.out}`);
    }
    server = startServer(dataDir, env, o.nodeFlags);
    const where = await server.ready.catch((err) => { throw new Error(`${err.message}\n${server.tail.join('\n')}`); });
    const pid = server.child.pid;
    const [host, portText] = (where ?? `127.0.0.1:${port}`).split(/:(?=\d+$)/);
    await new Promise((r) => setTimeout(r, 1000)); // let start-up garbage settle before the idle figure
    const idleRss = procStatus(pid, 'VmRSS');
    const devFile = deviceStatFile(dataDir);
    const w0 = procWriteBytes(pid);
    const c0 = procCpuSeconds(pid);
    const d0 = deviceWrittenBytes(devFile);
    let sampledPeak = idleRss ?? 0;
    const sampler = setInterval(() => { sampledPeak = Math.max(sampledPeak, procStatus(pid, 'VmRSS') ?? 0); }, SAMPLE_MS);
    const load = await drive(smtpSource, o, host, Number(portText), RCPT);
    clearInterval(sampler);
    sampledPeak = Math.max(sampledPeak, procStatus(pid, 'VmRSS') ?? 0);
    const w1 = procWriteBytes(pid);
    const c1 = procCpuSeconds(pid);
    const d1 = deviceWrittenBytes(devFile);
    const peakRss = procStatus(pid, 'VmHWM');
    const stored = await countBlobs(dataDir);
    const stop = await stopServer(server);
    return {
      server: 'letterbox', ...load, stored, idleRss, sampledPeakRss: sampledPeak || null, peakRss,
      cpuSeconds: c0 !== null && c1 !== null ? c1 - c0 : null,
      procWritten: w0 !== null && w1 !== null ? w1 - w0 : null,
      devWritten: d0 !== null && d1 !== null ? d1 - d0 : null,
      cleanStop: stop.code === 0, dataDir: o.keep ? dataDir : null, serverWarnings: server.warnings.slice(-20),
    };
  } finally {
    await cleanup();
    cleanups.delete(cleanup);
  }
}

async function countNew(maildir) {
  try { return (await fsp.readdir(join(maildir, 'new'))).length; } catch { return null; }
}

/**
 * One peer run. With a Maildir, waits (bounded) until the peer has delivered every message
 * it accepted, so that its delivery backlog does not run during the next Letterbox run.
 */
async function runPeer(smtpSource, o) {
  const devFile = deviceStatFile(o.peerMaildir ?? tmpdir());
  const before = o.peerMaildir ? await countNew(o.peerMaildir) : null;
  if (o.peerMaildir && before === null) throw new Error(`cannot read ${join(o.peerMaildir, 'new')}`);
  const d0 = deviceWrittenBytes(devFile);
  const t0 = performance.now();
  const load = await drive(smtpSource, o, o.peer.host, o.peer.port, o.peerRcpt);
  let stored = null;
  let e2eSeconds = null;
  if (o.peerMaildir) {
    const deadline = performance.now() + Math.max(60_000, 10_000 * load.seconds);
    for (;;) {
      stored = (await countNew(o.peerMaildir)) - before;
      if (stored >= load.completed || performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    e2eSeconds = (performance.now() - t0) / 1000;
  }
  const d1 = deviceWrittenBytes(devFile);
  return { server: 'peer', ...load, stored, e2eSeconds, devWritten: d0 !== null && d1 !== null ? d1 - d0 : null };
}

// ---------------------------------------------------------------- report
const mb = (b) => (b == null ? 'n/a' : (b / 1e6).toFixed(1));
function verdict(r, o) {
  if (r.code !== 0) return `FAIL (smtp-source exit ${r.code})`;
  if (r.completed !== o.messages) return `FAIL (${r.completed}/${o.messages} sent)`;
  if (r.stored != null && r.stored !== o.messages) return `FAIL (${r.stored}/${o.messages} stored)`;
  if (r.server === 'letterbox' && r.cleanStop === false) return 'ok, unclean stop';
  return 'ok';
}

function printTable(results, o) {
  const accepted = o.messages * o.size;
  const rows = [['run', 'server', 'secs', 'msg/s', 'e2e msg/s', 'check', 'stored', 'idle RSS MB', 'peak RSS MB (HWM)', 'sampled peak MB', 'server CPU %', 'proc W/B', 'device W/B']];
  for (const r of results) {
    rows.push([String(r.run), r.server, fix(r.seconds, 1), fix(r.rate, 1), r.server === 'letterbox' ? fix(r.rate, 1) : r.e2eSeconds ? fix(o.messages / r.e2eSeconds, 1) : '-', verdict(r, o), r.stored == null ? '-' : String(r.stored),
      r.server === 'peer' ? '-' : mb(r.idleRss), r.server === 'peer' ? '-' : mb(r.peakRss), r.server === 'peer' ? '-' : mb(r.sampledPeakRss),
      r.cpuSeconds == null ? '-' : fix((100 * r.cpuSeconds) / r.seconds, 0),
      r.procWritten == null ? '-' : fix(r.procWritten / accepted, 2), r.devWritten == null ? 'n/a' : fix(r.devWritten / accepted, 2)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  for (const r of results.filter((x) => !verdict(x, o).startsWith('ok') || x.serverWarnings?.length)) {
    console.log(`\nrun ${r.run} ${r.server}: ${verdict(r, o)}`);
    for (const line of r.problems) console.log(`  smtp-source: ${line}`);
    if (r.serverWarnings?.length) console.log(`  last server warnings/errors:\n    ${r.serverWarnings.join('\n    ')}`);
  }
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const smtpSource = await findSmtpSource();
  if (!smtpSource) fail("smtp-source not found. It is part of Debian's postfix package: apt-get install postfix\n(choose \"No configuration\" or \"Local only\"; the benchmark never starts the system Postfix).");
  try { await fsp.access(join(REPO, 'dist', 'src', 'cli', 'main.js')); } catch {
    fail('Letterbox is not built: run `npx tsc -p tsconfig.json` in the repository first.');
  }
  console.log(`bench-smtp: ${o.runs} run(s) of ${o.messages} messages x ${o.size} bytes over ${o.sessions} sessions` +
    (o.peer ? `, alternating with peer ${o.peer.host}:${o.peer.port} (rcpt ${o.peerRcpt})` : ''));
  const results = [];
  for (let i = 1; i <= o.runs; i++) {
    for (const side of o.peer ? ['letterbox', 'peer'] : ['letterbox']) {
      if (interrupted) return;
      process.stderr.write(`run ${i}/${o.runs}: ${side}…\n`);
      const r = side === 'letterbox' ? await runLetterbox(smtpSource, o) : await runPeer(smtpSource, o);
      r.run = i;
      r.rate = r.code === 0 ? o.messages / r.seconds : null;
      results.push(r);
      if (r.dataDir) process.stderr.write(`  kept ${r.dataDir}\n`);
    }
  }
  console.log('');
  printTable(results, o);
  const lb = results.filter((r) => r.server === 'letterbox');
  const peer = results.filter((r) => r.server === 'peer');
  const ratios = lb.map((r) => {
    const p = peer.find((q) => q.run === r.run);
    return p?.rate && r.rate ? r.rate / p.rate : null;
  });
  const summary = {
    letterboxRate: median(lb.map((r) => r.rate)), peerRate: median(peer.map((r) => r.rate)),
    ratio: median(ratios), peakRss: Math.max(...lb.map((r) => r.peakRss ?? 0)) || null,
    procWB: median(lb.map((r) => (r.procWritten == null ? null : r.procWritten / (o.messages * o.size)))),
  };
  console.log('');
  if (o.peer) console.log(`ratio letterbox/peer per run: ${ratios.map((x) => fix(x, 2)).join(', ')}`);
  console.log(`median letterbox ${fix(summary.letterboxRate, 1)} msg/s` + (o.peer ? `, peer ${fix(summary.peerRate, 1)} msg/s, ratio ${fix(summary.ratio, 2)}` : '') +
    `; max peak RSS ${mb(summary.peakRss)} MB; median proc W/B ${fix(summary.procWB, 2)}`);
  if (o.peer) console.log(`target (ratio >= ${TARGET_RATIO}): ${summary.ratio != null && summary.ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
  console.log(`target (peak RSS < ${TARGET_RSS_BYTES / 1e6} MB): ${summary.peakRss != null && summary.peakRss < TARGET_RSS_BYTES ? 'met' : 'NOT met'}`);
  if (lb.some((r) => r.stored == null)) console.log('note: stored-message count unavailable (no blobs/ directory); acceptance checked by smtp-source only');
  if (o.json) console.log(JSON.stringify({ options: { ...o }, results, summary }, null, 2));
  const bad = results.filter((r) => !verdict(r, o).startsWith('ok'));
  process.exitCode = bad.length ? 1 : 0;
}

main().catch((err) => {
  if (interrupted) return; // the signal handler cleans up and exits
  process.stderr.write(`bench-smtp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
