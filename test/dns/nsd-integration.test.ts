import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsResolver } from '../../src/dns/node-resolver.js';
import { runDnsCheck } from '../../src/dns/engine.js';
import type { DnsCheckConfig, DnsCheckReport } from '../../src/dns/types.js';
import { DOMAIN, goodConfig, HOST, IP4 } from './fake-resolver.js';
import { FAULTS, goodRecords, type ZoneRecord } from './fault-cases.js';
import { startNsd } from './nsd-harness.js';

// The real resolver adapter (c-ares + our raw client) against NSD serving
// fixture zones on 127.0.0.1: nothing leaves loopback.

async function checkAgainst(records: ZoneRecord[], config: DnsCheckConfig = goodConfig()): Promise<DnsCheckReport> {
  const nsd = await startNsd(records);
  try {
    const resolver = createDnsResolver({ servers: [nsd.server], timeoutMs: 3000, tries: 2 });
    return await runDnsCheck({ store: { listDomains: async () => [DOMAIN] }, config, resolver });
  } finally {
    await nsd.stop();
  }
}

test('a zone made from our own "records to create" passes every required and recommended check', async () => {
  const report = await checkAgainst(goodRecords());
  const notOk = report.results.filter((r) => r.status !== 'OK');
  // NSD serves the zone unsigned: DNSSEC is the only (optional) warning.
  assert.deepEqual(
    notOk.map((r) => `${r.id} ${r.status}`),
    ['dnssec WARN'],
    notOk.map((r) => `${r.status} ${r.subject}/${r.id}: ${r.finding}`).join('\n'),
  );
  for (const r of report.results.filter((x) => x.importance !== 'optional')) assert.equal(r.status, 'OK', r.id);
  // The long DKIM key came back split into strings and joined again.
  const dkim = report.results.find((r) => r.id === 'dkim');
  assert.match(dkim?.current ?? '', /^v=DKIM1; k=rsa; p=MII/);
  assert.ok((dkim?.current ?? '').length > 255);
});

test('TLSA (raw client, Node 20 has none) is read from NSD; unsigned, so DANE warns and DNSSEC is not authentic', async () => {
  const hash = '0123456789abcdef'.repeat(4);
  const records = [...goodRecords(), { name: `_25._tcp.${HOST}`, type: 'TLSA' as const, value: `3 1 1 ${hash}` }];
  const report = await checkAgainst(records, { ...goodConfig(), tlsaSpkiSha256: hash });
  const dane = report.results.find((r) => r.id === 'dane');
  assert.equal(dane?.status, 'WARN', dane?.finding);
  assert.equal(dane?.current, `3 1 1 ${hash}`);
  assert.equal(report.results.find((r) => r.id === 'dnssec')?.status, 'WARN');
});

test('names outside the served zones are REFUSED: the DNSBL check says UNKNOWN, never "listed" or "clean"', async () => {
  const records = goodRecords().filter((r) => !r.name.endsWith('dnsbl.test'));
  const report = await checkAgainst(records);
  const dnsbl = report.results.find((r) => r.id === 'dnsbl-v4');
  assert.equal(dnsbl?.status, 'UNKNOWN');
  assert.match(dnsbl?.finding ?? '', /REFUSED/);
});

// One NSD per fault zone, four at a time (each starts in well under a second).
test('nsd fault zones: each broken setup gives its FAIL/WARN and fix text', { concurrency: 4 }, async (t) => {
  await Promise.all(
    FAULTS.map((fault) =>
      t.test(fault.title, async () => {
        const config = fault.config ? fault.config(goodConfig()) : goodConfig();
        const report = await checkAgainst(fault.edit(goodRecords()), config);
        const r = report.results.find((x) => x.id === fault.expect.id && (fault.expect.subject === undefined || x.subject === fault.expect.subject));
        assert.ok(r, `no ${fault.expect.id} result`);
        assert.equal(r.status, fault.expect.status, r.finding);
        if (fault.expect.fix) assert.match(r.fix ?? '', fault.expect.fix);
        if (fault.expect.finding) assert.match(r.finding, fault.expect.finding);
      }),
    ),
  );
});

test('the checked IPv4 in these fixtures is a documentation address', () => {
  assert.match(IP4, /^192\.0\.2\./);
});
