import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DnsCheckReport } from '../../src/dns/types.js';
import { dkimPublicKey, DOMAIN, HOST, IP4, IP6 } from './fake-resolver.js';
import { goodRecords } from './fault-cases.js';
import { startNsd } from './nsd-harness.js';

const BIN = join(process.cwd(), 'bin', 'letterbox.js');

function letterbox(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.LETTERBOX_DATA;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('letterbox check-dns against NSD: exit code by worst status, --json report, text with fixes, local domains from the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-cli-dns-'));
  const good = await startNsd(goodRecords());
  const broken = await startNsd(goodRecords().filter((r) => !(r.name === DOMAIN && r.type === 'MX')));
  try {
    await writeFile(join(dir, 'letterbox.json'), JSON.stringify({ hostname: HOST }));
    await writeFile(join(dir, 'dkim.pem'), dkimPublicKey());
    const common = ['--data', dir, '--public-ip', IP4, '--public-ip', IP6, '--dnsbl-zone', 'zen.dnsbl.test', '--dkim-selector', 'lb1', '--dkim-key', join(dir, 'dkim.pem')];

    // Only the optional DNSSEC line warns on an unsigned zone: exit 1 (WARN).
    const json = await letterbox(['check-dns', '--json', '--domain', DOMAIN, '--server', good.server, ...common]);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout) as DnsCheckReport;
    assert.equal(report.worst, 'WARN');
    assert.deepEqual(report.results.filter((r) => r.status !== 'OK').map((r) => r.id), ['dnssec']);

    // A missing MX is a FAIL: exit 2, and the text says what to create.
    const text = await letterbox(['check-dns', '--domain', DOMAIN, '--server', broken.server, ...common]);
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stdout, /FAIL {4}Mail exchanger \(MX\): example\.test has no MX record/);
    assert.match(text.stdout, /fix: Create "example\.test\. MX 10 mail\.example\.test\."/);
    assert.match(text.stdout, /Records to create for example\.test:\n; Records for example\.test/);

    // Without --domain the local domains come from the store (no server running: opened directly).
    assert.equal((await letterbox(['domain', 'add', DOMAIN, '--data', dir])).code, 0);
    const all = await letterbox(['--data', dir, 'check-dns', '--json', '--server', good.server, ...common.slice(2)]);
    assert.equal(all.code, 1, all.stderr);
    assert.deepEqual((JSON.parse(all.stdout) as DnsCheckReport).domains, [DOMAIN]);

    // Without --dkim-key the box's own signing key is the one checked: once the
    // box has made its key (first "dkim show"), the zone's different key fails.
    assert.equal((await letterbox(['dkim', 'show', DOMAIN, '--data', dir])).code, 0);
    const ownKey = await letterbox(['--data', dir, 'check-dns', '--json', '--server', good.server, ...common.slice(2, 6)]);
    const ownReport = JSON.parse(ownKey.stdout) as DnsCheckReport;
    const dkimLine = ownReport.results.find((r) => r.id === 'dkim');
    assert.notEqual(dkimLine?.status, 'OK', JSON.stringify(dkimLine));
    assert.equal(ownKey.code, 2, ownKey.stderr);
    // With a relay for all outbound mail, the reverse DNS line concerns the relay.
    assert.equal((await letterbox(['relay', 'set', 'host=relay.example.net', 'port=587', '--data', dir])).code, 0);
    const relayed = JSON.parse((await letterbox(['--data', dir, 'check-dns', '--json', '--server', good.server, ...common.slice(2)])).stdout) as DnsCheckReport;
    assert.match(relayed.results.find((r) => r.id === 'ptr-v4')?.finding ?? '', /relay\.example\.net/);
    assert.equal((await letterbox(['relay', 'clear', '--data', dir])).code, 0);

    // Nothing answers at all (an unused server): UNKNOWN, exit 3 — never FAIL for "missing".
    await good.stop();
    const dead = await letterbox(['check-dns', '--json', '--domain', DOMAIN, '--server', good.server, ...common]);
    const deadReport = JSON.parse(dead.stdout) as DnsCheckReport;
    assert.equal(dead.code, 3, deadReport.results.map((r) => `${r.id} ${r.status} ${r.finding}`).join('\n'));
    assert.ok(deadReport.results.filter((r) => r.id !== 'public-ip' && r.id !== 'helo-name').every((r) => r.status === 'UNKNOWN'), deadReport.results.map((r) => `${r.id} ${r.status}`).join(', '));

    const usage = await letterbox(['check-dns', '--bogus']);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /unknown option --bogus/);
  } finally {
    await good.stop();
    await broken.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
