import { existsSync } from 'node:fs';
import { collectDnsCheckInputs, type DnsCheckInputs } from '../control/dns-inputs.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, resolveDataDir } from '../config/load.js';
import { callControl, isServerAbsent } from '../control/client.js';
import { CONTROL_SOCKET_NAME } from '../control/server.js';
import { createDnsResolver, offeredClientServices, runDnsCheck, type CheckStatus, type DnsCheckConfig, type DnsCheckReport } from '../dns/index.js';
import { MailError } from '../errors.js';

/** Streams the command writes to. */
export interface CheckDnsIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Exit codes of `letterbox check-dns`, the monitoring-plugin convention
 * (Nagios/Icinga), so the command can be used as a health check directly:
 * the worst status decides. A usage mistake exits 64 (EX_USAGE: 2 is taken
 * by FAIL); a check that could not run at all (store unreadable, bad boot
 * file) exits 3, UNKNOWN.
 */
export const CHECK_DNS_EXIT: Record<CheckStatus, number> = { OK: 0, WARN: 1, FAIL: 2, UNKNOWN: 3 };
export const CHECK_DNS_USAGE_EXIT = 64;

export const CHECK_DNS_HELP = `Usage: letterbox check-dns [--json] [--domain D] [--data DIR]
                           [--server HOST[:PORT]]... [--public-ip IP]... [--echo-url URL]
                           [--dnsbl-zone ZONE] [--dkim-selector S --dkim-key FILE.pem]

Checks the DNS of every local domain (or only D) and prints each finding with
how to fix it, then the records to create. --json prints the whole report.
--server asks these DNS servers instead of the system's resolvers.
Exit status: 0 all OK, 1 worst is WARN, 2 some FAIL, 3 UNKNOWN (could not
determine), 64 mistyped command.
`;

interface CheckDnsArgs {
  json: boolean;
  help: boolean;
  domain?: string;
  data?: string;
  servers: string[];
  publicIps: string[];
  echoUrl?: string;
  dnsblZone?: string;
  dkimSelector?: string;
  dkimKey?: string;
}

class CheckDnsUsage extends Error {}

const VALUE_OPTIONS = new Set(['--domain', '--data', '--server', '--public-ip', '--echo-url', '--dnsbl-zone', '--dkim-selector', '--dkim-key']);

/** True when argv's command word is `check-dns` (options before it, like `--data DIR`, are skipped). */
export function isCheckDnsCommand(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--data') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg === 'check-dns';
  }
  return false;
}

function parse(argv: readonly string[]): CheckDnsArgs {
  const out: CheckDnsArgs = { json: false, help: false, servers: [], publicIps: [] };
  let sawCommand = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') out.json = true;
    else if (arg === '--help' || arg === '-h') out.help = true;
    else if (!arg.startsWith('-')) {
      if (arg === 'check-dns' && !sawCommand) sawCommand = true;
      else throw new CheckDnsUsage(`unexpected argument "${arg}"`);
    } else {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (!VALUE_OPTIONS.has(name)) throw new CheckDnsUsage(`unknown option ${name}`);
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new CheckDnsUsage(`${name} needs a value`);
      if (name === '--domain') out.domain = value;
      else if (name === '--data') out.data = value;
      else if (name === '--server') out.servers.push(value);
      else if (name === '--public-ip') out.publicIps.push(value);
      else if (name === '--echo-url') out.echoUrl = value;
      else if (name === '--dnsbl-zone') out.dnsblZone = value;
      else if (name === '--dkim-selector') out.dkimSelector = value;
      else out.dkimKey = value;
    }
  }
  if ((out.dkimSelector === undefined) !== (out.dkimKey === undefined)) throw new CheckDnsUsage('--dkim-selector and --dkim-key go together');
  return out;
}

/**
 * Runs `letterbox check-dns …` and resolves with the exit code (see
 * `CHECK_DNS_EXIT`). The host name comes from the boot file; domains from
 * the running server (control socket) or, when none runs, from the store
 * opened briefly. Never rejects.
 */
export async function runCheckDnsCommand(argv: readonly string[], io: CheckDnsIo): Promise<number> {
  let args: CheckDnsArgs;
  try {
    args = parse(argv);
  } catch (err) {
    io.stderr.write(`letterbox: ${(err as Error).message}\n${CHECK_DNS_HELP}`);
    return CHECK_DNS_USAGE_EXIT;
  }
  if (args.help) {
    io.stdout.write(CHECK_DNS_HELP);
    return 0;
  }
  try {
    const dataDir = resolveDataDir({ flag: args.data });
    const boot = await loadConfig(dataDir);
    const config: DnsCheckConfig = { hostname: boot.hostname, services: offeredClientServices(boot.listen) };
    // Options win; otherwise the boot file's dns section (the same inputs the daily run uses).
    if (args.publicIps.length > 0) config.publicIp = args.publicIps;
    else if (boot.dns.publicIp) config.publicIp = boot.dns.publicIp;
    if (args.echoUrl) config.echoUrl = args.echoUrl;
    else if (boot.dns.echoUrl) config.echoUrl = boot.dns.echoUrl;
    if (args.dnsblZone) config.dnsblZone = args.dnsblZone;
    if (args.dkimSelector && args.dkimKey) config.dkim = { selector: args.dkimSelector, publicKeyPem: await readFile(args.dkimKey, 'utf8') };
    const servers = args.servers.length > 0 ? args.servers : boot.dns.servers;
    const resolver = createDnsResolver(servers.length > 0 ? { servers } : {});
    // The same inputs the daily run uses: each domain's DKIM signing key (unless
    // --dkim-key names one) and the relay all outbound mail goes through.
    const inputs = await loadDnsInputs(dataDir, args.domain);
    if (inputs.relay) config.smarthost = inputs.relay;
    const store = { listDomains: () => Promise.resolve(inputs.domains) };
    const dkimFor = config.dkim ? undefined : (d: string) => Promise.resolve(inputs.dkim[d]);
    const dkimPendingFor = config.dkim ? undefined : (d: string) => Promise.resolve(inputs.dkimPending?.[d]);
    const report = await runDnsCheck({ store, config, resolver, ...(args.domain !== undefined ? { domain: args.domain } : {}), ...(dkimFor ? { dkimFor } : {}), ...(dkimPendingFor ? { dkimPendingFor } : {}) });
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return CHECK_DNS_EXIT[report.worst];
  } catch (err) {
    io.stderr.write(`letterbox: check-dns could not run: ${err instanceof Error ? err.message : String(err)}\n`);
    return CHECK_DNS_EXIT.UNKNOWN;
  }
}

/** DNS check inputs from the running server (control socket) or, when none runs, from the store opened briefly. */
async function loadDnsInputs(dataDir: string, domain: string | undefined): Promise<DnsCheckInputs> {
  const request = domain !== undefined ? { op: 'dns.inputs' as const, domain } : { op: 'dns.inputs' as const };
  try {
    const response = await callControl(join(dataDir, CONTROL_SOCKET_NAME), request);
    if (!response.ok) throw new MailError(response.kind, response.message);
    return response.result as DnsCheckInputs;
  } catch (err) {
    if (!isServerAbsent(err)) throw err;
  }
  // An owner may check a domain before the box ever started: create nothing then.
  if (!existsSync(join(dataDir, 'index'))) return { domains: domain !== undefined ? [domain] : [], dkim: {} };
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ dir: dataDir });
  try {
    return await collectDnsCheckInputs(store, domain);
  } finally {
    await store.close();
  }
}

/** The human-readable report: one line per check, fixes indented under non-OK lines, then records to create. */
export function formatReport(report: DnsCheckReport): string {
  const out: string[] = [];
  const ips = report.publicIps.length > 0 ? `${report.publicIps.join(', ')} (${report.publicIpSource})` : 'unknown';
  out.push(`DNS self-check of ${report.hostname}, public address ${ips}, at ${report.checkedAt}`);
  if (report.domains.length === 0) out.push('No local domains yet: add one with "letterbox domain add NAME", or use --domain.');
  let group = '';
  for (const r of report.results) {
    const g = r.domain ?? 'host';
    if (g !== group) {
      group = g;
      out.push('', r.domain ? `Domain ${r.domain}` : 'Host');
    }
    out.push(`  ${r.status.padEnd(7)} ${r.title}: ${r.finding}`);
    if (r.status !== 'OK' && r.fix) out.push(`          fix: ${r.fix}`);
  }
  const counts = (['OK', 'WARN', 'FAIL', 'UNKNOWN'] as const).map((s) => `${report.results.filter((r) => r.status === s).length} ${s}`);
  out.push('', `Summary: ${counts.join(', ')}; worst ${report.worst}`);
  for (const d of report.expected) out.push('', `Records to create for ${d.domain}:`, d.zoneText.trimEnd());
  return `${out.join('\n')}\n`;
}
