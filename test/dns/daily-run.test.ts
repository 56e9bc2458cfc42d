import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DNS_CHECK_FILE, diffReports, readLastDnsCheck, runAndStore, startDailyDnsCheck, type StoredDnsCheck } from '../../src/dns/daily-run.js';
import type { CheckResult, CheckStatus, DnsCheckReport } from '../../src/dns/types.js';

function report(statuses: Record<string, CheckStatus>, ips = ['192.0.2.10']): DnsCheckReport {
  const results: CheckResult[] = Object.entries(statuses).map(([id, status]) => ({ id, subject: 'example.test', title: id, importance: 'required', status, finding: `${id} is ${status}` }));
  return { checkedAt: new Date(0).toISOString(), hostname: 'mail.example.test', domains: ['example.test'], publicIps: ips, publicIpSource: 'config', worst: 'OK', results, expected: [] };
}

function silentLog(lines: string[] = []): { info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void } {
  return { info: (_o, m) => lines.push(`info ${m}`), warn: (_o, m) => lines.push(`warn ${m}`), error: (_o, m) => lines.push(`error ${m}`) };
}

test('diffReports: first run lists non-OK lines; later runs list changed, new and vanished lines', () => {
  assert.deepEqual(diffReports(null, report({ mx: 'OK', spf: 'FAIL' })).map((c) => [c.id, c.before, c.after]), [['spf', null, 'FAIL']]);
  const changes = diffReports(report({ mx: 'OK', spf: 'FAIL', dkim: 'OK' }), report({ mx: 'OK', spf: 'OK', dmarc: 'WARN' }));
  assert.deepEqual(changes.map((c) => [c.id, c.before, c.after]), [['spf', 'FAIL', 'OK'], ['dmarc', null, 'WARN'], ['dkim', 'OK', null]]);
});

test('runAndStore writes DIR/dns-check.json atomically and records changes and a changed public address', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-dnsrun-'));
  try {
    assert.equal(await readLastDnsCheck(dir), null);
    const first = await runAndStore(dir, async () => report({ mx: 'OK', spf: 'FAIL' }));
    assert.equal(first.changes.length, 1);
    const second = await runAndStore(dir, async () => report({ mx: 'WARN', spf: 'FAIL' }, ['192.0.2.99']));
    assert.deepEqual(second.changes.map((c) => [c.id, c.before, c.after]), [['mx', 'OK', 'WARN']]);
    assert.deepEqual(second.publicIpChanged, { before: ['192.0.2.10'], after: ['192.0.2.99'] });
    const onDisk = JSON.parse(await readFile(join(dir, DNS_CHECK_FILE), 'utf8')) as StoredDnsCheck;
    assert.deepEqual(onDisk, second);
    assert.deepEqual(await readdir(dir), [DNS_CHECK_FILE], 'no temp file left behind');
    // A failing run leaves the stored result untouched.
    await assert.rejects(runAndStore(dir, async () => Promise.reject(new Error('store closed'))), /store closed/);
    assert.deepEqual(await readLastDnsCheck(dir), second);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('startDailyDnsCheck runs on schedule, logs changes, calls onChanges, and runNow joins a run in progress', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'letterbox-dnsrun-'));
  const lines: string[] = [];
  let runs = 0;
  let statuses: Record<string, CheckStatus> = { mx: 'OK', spf: 'FAIL' };
  let notified!: (s: StoredDnsCheck) => void;
  const firstChange = new Promise<StoredDnsCheck>((resolve) => (notified = resolve));
  // The schedule's timer is unref'd (it must not keep the appliance alive); keep this test process alive meanwhile.
  const keepAlive = setInterval(() => undefined, 60000);
  const daily = startDailyDnsCheck({
    dir,
    log: silentLog(lines),
    firstDelayMs: 0,
    intervalMs: 24 * 3600 * 1000,
    run: async () => {
      runs++;
      return report(statuses);
    },
    onChanges: (s) => notified(s),
  });
  try {
    const stored = await firstChange;
    assert.deepEqual(stored.changes.map((c) => c.id), ['spf']);
    assert.ok(lines.some((l) => l.startsWith('warn DNS self-check: spf new -> FAIL')), lines.join('\n'));
    statuses = { mx: 'OK', spf: 'OK' };
    const [a, b] = await Promise.all([daily.runNow(), daily.runNow()]);
    assert.equal(a, b, 'concurrent runNow calls share one run');
    assert.equal(runs, 2);
    assert.deepEqual(a.changes.map((c) => [c.id, c.after]), [['spf', 'OK']]);
    assert.ok(lines.some((l) => l.startsWith('info DNS self-check: spf FAIL -> OK')));
  } finally {
    daily.stop();
    clearInterval(keepAlive);
    await rm(dir, { recursive: true, force: true });
  }
});
