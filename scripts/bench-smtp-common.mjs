// Shared by the SMTP benchmarks (bench-smtp.mjs, bench-smtp-ceiling.mjs): finding and running
// Postfix's load generator smtp-source, reading a process's CPU time, and summary arithmetic.
import { spawn } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Finds smtp-source on PATH or in the sbin directories Debian installs it to. */
export async function findSmtpSource() {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    try {
      await fsp.access(join(dir, 'smtp-source'), 1 /* X_OK */);
      return join(dir, 'smtp-source');
    } catch { /* try the next directory */ }
  }
  return null;
}

/** Runs a command to completion, feeding `input` on stdin; resolves with its code and output. */
export const children = new Set();

export function run(cmd, args, { input = '', env = process.env } = {}) {
  return new Promise((done, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => done({ code, signal, out }));
    child.stdin.end(input);
  });
}

/** CPU seconds (user + system, all threads) the process has used; Linux reports clock ticks of 1/100 s. */
export function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch { return null; }
}

/**
 * Drives one server with smtp-source and times it. Without -A smtp-source exits non-zero
 * at the first reply that is not positive, so exit 0 plus a final counter equal to the
 * message count means every message got its 250.
 */
export async function drive(smtpSource, o, host, port, rcpt) {
  const args = ['-c', '-l', String(o.size), '-m', String(o.messages), '-s', String(o.sessions), '-f', 'sender@example.org', '-t', rcpt, `${host}:${port}`];
  const t0 = performance.now();
  const r = await run(smtpSource, args);
  const seconds = (performance.now() - t0) / 1000;
  const counters = r.out.match(/\d+(?=\r)/g) ?? [];
  const completed = counters.length ? Number(counters[counters.length - 1]) : 0;
  const problems = r.out.split(/[\r\n]+/).filter((l) => /\D/.test(l) && l.trim() !== '');
  return { seconds, code: r.code, completed, problems };
}

export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const fix = (x, d) => (x == null ? 'n/a' : x.toFixed(d));

/** A free TCP port on 127.0.0.1 (the servers under test listen on loopback only). */
export function freePort() {
  return new Promise((done, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}
