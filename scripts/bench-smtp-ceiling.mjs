#!/usr/bin/env node
// bench-smtp-ceiling: how fast can anything accept mail on this machine with the benchmark's
// load? Runs the same smtp-source load as bench-smtp against reference acceptors that do less
// and less of Letterbox's work, alternating them round by round with Letterbox itself and,
// optionally, a peer such as Postfix. See docs/benchmarks.md, "Where the ceiling is".
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, drive, findSmtpSource, fix, freePort, median, procCpuSeconds, run } from './bench-smtp-common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ACCEPTOR = join(HERE, 'bench-smtp-ceiling-acceptor.mjs');
const ACCEPTOR_MODES = ['library-sink', 'minimal-sink', 'minimal-fsync', 'minimal-group'];
const USAGE = `usage: scripts/bench-smtp-ceiling [options]
  --messages N      messages per run (default 5000)
  --size BYTES      body bytes per message (default 10240)
  --sessions N      parallel SMTP sessions (default 20)
  --runs N          rounds; each round drives every target once (default 3)
  --peer HOST:PORT  also drive this loopback server (e.g. Postfix from peers-up.sh)
  --peer-rcpt ADDR  recipient on the peer (default bench@maildir.test)
  --no-letterbox    leave Letterbox itself out of the rounds
Targets: Postfix's smtp-sink (if installed), ${ACCEPTOR_MODES.join(', ')}, Letterbox, the peer.`;

function fail(message, code = 2) {
  process.stderr.write(`bench-smtp-ceiling: ${message}\n`);
  process.exit(code);
}

function parseOptions(argv) {
  const o = { messages: 5000, size: 10240, sessions: 20, runs: 3, peer: null, peerRcpt: 'bench@maildir.test', letterbox: true };
  const ints = { '--messages': 'messages', '--size': 'size', '--sessions': 'sessions', '--runs': 'runs' };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = () => argv[++i] ?? fail(`${name} needs a value`);
    if (name === '-h' || name === '--help') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else if (name in ints) {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) fail(`${name} must be a positive whole number (got "${v}")`);
      o[ints[name]] = Number(v);
    } else if (name === '--peer') {
      const m = /^(127\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(value());
      if (!m) fail('--peer must be a loopback IPv4 HOST:PORT such as 127.0.0.1:10025');
      o.peer = { host: m[1], port: Number(m[2]) };
    } else if (name === '--peer-rcpt') o.peerRcpt = value();
    else if (name === '--no-letterbox') o.letterbox = false;
    else fail(`unknown option ${name}\n${USAGE}`);
  }
  return o;
}

/** Starts a child that prints "listening PORT" (or is given one), resolves with { child, port }. */
function startListener(cmd, args, fixedPort = null) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  if (fixedPort !== null) return waitForPort(fixedPort).then(() => ({ child, port: fixedPort }));
  return new Promise((done, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 15_000);
    const onData = (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) { clearTimeout(timer); done({ child, port: Number(m[1]) }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited (${code}): ${out}`)); });
  });
}

/** Waits until something accepts connections on 127.0.0.1:port (smtp-sink prints nothing). */
async function waitForPort(port) {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((done) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); done(true); });
      s.on('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** One reference acceptor (or smtp-sink) run: start, load, CPU time, stop, clean up. */
async function runListener(smtpSource, o, target, smtpSinkPath) {
  const spool = await fsp.mkdtemp(join(tmpdir(), 'letterbox-ceiling-'));
  try {
    let listener;
    if (target === 'smtp-sink') {
      const port = await freePort();
      const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
      listener = await startListener(smtpSinkPath, [...asRoot, `127.0.0.1:${port}`, '1024'], port);
    } else {
      listener = await startListener(process.execPath, ['--max-semi-space-size=1', '--max-old-space-size=256', ACCEPTOR, target, spool]);
    }
    const cpu0 = procCpuSeconds(listener.child.pid);
    const load = await drive(smtpSource, o, '127.0.0.1', listener.port, 'bench@bench.test');
    const cpu1 = procCpuSeconds(listener.child.pid);
    await stop(listener.child);
    return { ...load, cpuSeconds: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null };
  } finally {
    await fsp.rm(spool, { recursive: true, force: true });
  }
}

/** Letterbox as bench-smtp measures it (one run), read back from its JSON report. */
async function runLetterbox(o) {
  const args = [join(HERE, 'bench-smtp.mjs'), '--messages', String(o.messages), '--size', String(o.size), '--sessions', String(o.sessions), '--json'];
  const r = await run(process.execPath, args);
  const at = r.out.indexOf('\n{');
  if (r.code !== 0 || at < 0) throw new Error(`bench-smtp failed (${r.code}):\n${r.out}`);
  const report = JSON.parse(r.out.slice(at + 1));
  const lb = report.results[0];
  return { seconds: lb.seconds, code: lb.code, completed: lb.completed, problems: lb.problems, cpuSeconds: lb.cpuSeconds };
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const smtpSource = await findSmtpSource();
  if (!smtpSource) fail("smtp-source not found (Debian's postfix package: apt-get install postfix)");
  const smtpSinkPath = resolve(dirname(smtpSource), 'smtp-sink');
  const haveSink = await fsp.access(smtpSinkPath, 1).then(() => true, () => false);
  const targets = [...(haveSink ? ['smtp-sink'] : []), ...ACCEPTOR_MODES, ...(o.letterbox ? ['letterbox'] : []), ...(o.peer ? ['peer'] : [])];
  console.log(`bench-smtp-ceiling: ${o.runs} round(s) of ${o.messages} messages x ${o.size} bytes over ${o.sessions} sessions; targets: ${targets.join(', ')}`);
  const rows = new Map(targets.map((t) => [t, []]));
  for (let round = 1; round <= o.runs; round++) {
    for (const target of targets) {
      process.stderr.write(`round ${round}/${o.runs}: ${target}…\n`);
      const r = target === 'letterbox' ? await runLetterbox(o)
        : target === 'peer' ? await drive(smtpSource, o, o.peer.host, o.peer.port, o.peerRcpt)
          : await runListener(smtpSource, o, target, smtpSinkPath);
      if (r.code !== 0 || r.completed !== o.messages) throw new Error(`${target}: ${r.completed}/${o.messages} accepted (smtp-source exit ${r.code}) ${r.problems.slice(0, 3).join('; ')}`);
      rows.get(target).push({ rate: o.messages / r.seconds, cpuMsPerMsg: r.cpuSeconds == null ? null : (1000 * r.cpuSeconds) / o.messages });
    }
  }
  console.log('');
  const table = [['target', 'msg/s (median)', 'range', 'server CPU ms/msg (median)']];
  for (const [target, rs] of rows) {
    const rates = rs.map((r) => r.rate);
    table.push([target, fix(median(rates), 0), `${fix(Math.min(...rates), 0)}–${fix(Math.max(...rates), 0)}`, fix(median(rs.map((r) => r.cpuMsPerMsg)), 2)]);
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  const rate = (t) => (rows.has(t) ? median(rows.get(t).map((r) => r.rate)) : null);
  if (o.peer) {
    const goal = 2 * rate('peer');
    console.log(`\n2 × peer = ${fix(goal, 0)} msg/s, i.e. ${fix(1000 / goal, 2)} ms of wall time per message with ${o.sessions} sessions on this machine.`);
    for (const t of ACCEPTOR_MODES.concat(o.letterbox ? ['letterbox'] : [])) {
      console.log(`  ${t.padEnd(14)} ${fix(1000 / rate(t), 2)} ms per message = ${fix(rate(t) / goal, 2)} × the goal`);
    }
  }
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    for (const child of children) child.kill('SIGTERM');
    process.exit(130);
  });
}

main().catch((err) => {
  for (const child of children) child.kill('SIGTERM');
  process.stderr.write(`bench-smtp-ceiling: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
