import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsblQueryName } from '../../src/dns/ip-address.js';
import { RR_TYPES } from '../../src/dns/packet.js';
import { rawQuery } from '../../src/dns/raw-query.js';
import type { ZoneRecord } from './fault-cases.js';

const NSD = '/usr/sbin/nsd';
const REVERSE_ZONES = ['2.0.192.in-addr.arpa', '8.b.d.0.1.0.0.2.ip6.arpa'];

/** A running NSD serving fixture zones on 127.0.0.1:`port` (UDP and TCP). `stop()` kills it by PID and removes its directory. */
export interface NsdServer {
  port: number;
  server: string;
  zones: string[];
  stop(): Promise<void>;
}

/** The owner name of a record in DNS: PTRs go to the reverse tree. */
function ownerName(r: ZoneRecord): string {
  if (r.type !== 'PTR') return r.name;
  return r.name.includes(':') ? dnsblQueryName(r.name, 'ip6.arpa') : dnsblQueryName(r.name, 'in-addr.arpa');
}

/** The zone a name belongs to: the last two labels, a /24 for in-addr.arpa, a /32 for ip6.arpa. */
function zoneOf(owner: string): string {
  const labels = owner.split('.');
  if (owner.endsWith('.in-addr.arpa')) return labels.slice(-5).join('.');
  if (owner.endsWith('.ip6.arpa')) return labels.slice(-10).join('.');
  return labels.slice(-2).join('.');
}

function zoneText(zone: string, records: ZoneRecord[]): string {
  const lines = [`$ORIGIN ${zone}.`, '$TTL 300', `@ IN SOA ns1.${zone}. hostmaster.${zone}. ( 2025010101 3600 600 86400 300 )`, `@ IN NS ns1.${zone}.`];
  for (const r of records) lines.push(`${ownerName(r)}. 300 IN ${r.type} ${r.value}`);
  return `${lines.join('\n')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const udp = createSocket('udp4');
    udp.on('error', reject);
    udp.bind(0, '127.0.0.1', () => {
      const port = udp.address().port;
      // The same port must also be free for TCP (truncated answers are retried over TCP on it).
      const tcp = createServer();
      tcp.on('error', () => udp.close(() => resolve(freePort())));
      tcp.listen(port, '127.0.0.1', () => tcp.close(() => udp.close(() => resolve(port))));
    });
  });
}

/**
 * Starts NSD (Debian package `nsd`) in the foreground as the current user,
 * no chroot, everything in a temp directory, bound to 127.0.0.1 on a free
 * high port, serving `records` grouped into zones. Resolves once every zone
 * answers its SOA. Rejects with a clear message when NSD is not installed
 * or does not come up (its log is included).
 */
export async function startNsd(records: ZoneRecord[]): Promise<NsdServer> {
  if (!existsSync(NSD)) throw new Error(`${NSD} not found: the DNS integration tests need the Debian package "nsd" (apt-get install -y --no-install-recommends nsd)`);
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await startOnce(records);
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw new Error(`nsd could not be started: ${lastError?.message}`);
}

async function startOnce(records: ZoneRecord[]): Promise<NsdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-nsd-'));
  const byZone = new Map<string, ZoneRecord[]>();
  for (const r of records) {
    const zone = zoneOf(ownerName(r));
    byZone.set(zone, [...(byZone.get(zone) ?? []), r]);
  }
  // The ISP's reverse zones stay served even when a fault removes every PTR: a missing PTR must be
  // NXDOMAIN from an authoritative server, not REFUSED (which the check rightly reports as UNKNOWN).
  for (const zone of REVERSE_ZONES) if (!byZone.has(zone)) byZone.set(zone, []);
  const zones = [...byZone.keys()].sort();
  const port = await freePort();
  const conf = [
    'server:',
    '  ip-address: 127.0.0.1',
    `  port: ${port}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  xfrdir: "${dir}"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  logfile: "${dir}/nsd.log"`,
    '  server-count: 1',
    '  verbosity: 1',
    'remote-control:',
    '  control-enable: no',
  ];
  for (const zone of zones) {
    await writeFile(join(dir, `${zone}.zone`), zoneText(zone, byZone.get(zone) as ZoneRecord[]));
    conf.push('zone:', `  name: ${zone}`, `  zonefile: "${zone}.zone"`);
  }
  await writeFile(join(dir, 'nsd.conf'), `${conf.join('\n')}\n`);
  const child = spawn(NSD, ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => (output += String(err)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForZones(child, port, zones);
  } catch (err) {
    const log = await readFile(join(dir, 'nsd.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(err as Error).message}\n${output}${log}`);
  }
  return { port, server: `127.0.0.1:${port}`, zones, stop };
}

/** Polls each zone's SOA until NSD answers authoritatively (startup takes well under a second; allow 20 s on a loaded machine). */
async function waitForZones(child: ChildProcess, port: number, zones: string[]): Promise<void> {
  const deadline = Date.now() + 20000;
  for (const zone of zones) {
    while (true) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nsd exited (${child.exitCode ?? child.signalCode}) before serving ${zone}`);
      try {
        const msg = await rawQuery({ host: '127.0.0.1', port }, zone, RR_TYPES.SOA, 500);
        if (msg.flags.rcode === 0 && msg.flags.aa) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`nsd did not serve ${zone} on 127.0.0.1:${port} within 20 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
