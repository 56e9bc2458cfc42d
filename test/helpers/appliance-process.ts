import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'letterbox.js');

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, LETTERBOX_SCRYPT_LN: '10' };
  delete e.LETTERBOX_DATA;
  return e;
}

/** Runs one `letterbox` CLI command against `dir` and returns its exit code and output. */
export function cli(dir: string, args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', dir], { env: env(), input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Writes a boot file that runs the given services on 127.0.0.1:0 and disables
 * the rest. DNS goes to a closed loopback port, so SPF/DKIM/DMARC lookups fail
 * at once and no test sends a query off the machine; the daily self-check is off.
 */
export async function writeLoopbackConfig(dir: string, services: string[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const all = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'admin'];
  const listen = Object.fromEntries(all.map((s) => [s, services.includes(s) ? '127.0.0.1:0' : false]));
  const dns = { servers: ['127.0.0.1:9'], dailyCheck: false };
  await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ hostname: 'mail.example.com', listen, dns }, null, 2));
}

/** A running `letterbox start` child process. */
export interface ApplianceProcess {
  child: ChildProcessWithoutNullStreams;
  /** Service name → port, from the "listening on" lines. */
  ports: Record<string, number>;
  stdout(): string;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGKILLs the process if it still runs (for `finally` blocks). */
  kill(): Promise<void>;
}

/** Starts `letterbox start --data dir` and waits for its `ready` line. */
export async function startAppliance(dir: string): Promise<ApplianceProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--data', dir], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: { text: string; resolve: () => void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of watchers.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else watchers.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.includes(text)) return resolve();
      watchers.push({ text, resolve });
      void exited.then((code) => reject(new Error(`letterbox exited ${code} before printing "${text}": ${err.slice(-2000)}`)));
    });
  await waitFor('ready');
  const ports: Record<string, number> = {};
  for (const m of out.matchAll(/^(\w+) listening on .*:(\d+)$/gm)) ports[m[1] as string] = Number(m[2]);
  return {
    child,
    ports,
    stdout: () => out,
    waitFor,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
