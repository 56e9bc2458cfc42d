import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCertificates } from '../../src/tls/index.js';

/**
 * Pebble, the ACME test CA (Debian package `pebble`), on loopback, with
 * pebble-challtestsrv as its DNS server answering 127.0.0.1 for every name,
 * so Pebble's HTTP-01 validation reaches our challenge listener on
 * `httpPort`. Pebble's own HTTPS listener uses a certificate from a throwaway
 * CA of ours (the package ships none); `agent` trusts it.
 */
export interface Pebble {
  directoryUrl: string;
  /** The port Pebble validates HTTP-01 on: our plain-HTTP listener must bind it. */
  httpPort: number;
  agent: Agent;
  /** Pebble's issuing root (PEM), from its management interface. */
  root(): Promise<string>;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function fetchText(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** Starts Pebble and its DNS; rejects (after cleaning up) when Pebble does not come up within ~20 s. */
export async function startPebble(): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'lb-pebble-'));
  const certs = await openCertificates({ dir: join(dir, 'tls'), hostname: 'localhost', addresses: ['127.0.0.1'] });
  certs.close();
  const [listen, mgmt, httpPort, dns, dnsMgmt] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  await writeFile(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listen}`,
        managementListenAddress: `127.0.0.1:${mgmt}`,
        certificate: join(dir, 'tls', 'server.crt'),
        privateKey: join(dir, 'tls', 'server.key'),
        httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const keep = (c: ChildProcess): ChildProcess => {
    c.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    c.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    children.push(c);
    return c;
  };
  keep(spawn('pebble-challtestsrv', ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dns}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsMgmt}`], { stdio: ['ignore', 'pipe', 'pipe'] }));
  keep(spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dns}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' } }));
  const agent = new Agent({ ca: certs.caPem(), keepAlive: false });
  const stop = async (): Promise<void> => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  const directoryUrl = `https://127.0.0.1:${listen}/dir`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetchText(directoryUrl, agent)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 200 || children.some((c) => c.exitCode !== null)) {
      await stop();
      throw new Error(`pebble did not start: ${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    directoryUrl,
    httpPort,
    agent,
    root: async () => (await fetchText(`https://127.0.0.1:${mgmt}/roots/0`, agent)).body,
    stop,
  };
}
