import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { runDnsCheck } from '../../src/dns/engine.js';
import type { CheckResult, DnsCheckConfig, DnsCheckReport, DnsResolver } from '../../src/dns/types.js';
import { DOMAIN, FakeResolver, goodConfig, HOST, IP4, IP6 } from './fake-resolver.js';
import { FAULTS, goodRecords } from './fault-cases.js';
import { DNSBL_V4, fakeFrom } from './good-zone.js';

const store = { listDomains: async (): Promise<string[]> => [DOMAIN] };
const NOW = new Date('2025-03-01T12:00:00Z');

function run(resolver: DnsResolver, config: DnsCheckConfig = goodConfig()): Promise<DnsCheckReport> {
  return runDnsCheck({ store, config, resolver, now: NOW });
}

function find(report: DnsCheckReport, id: string, subject?: string): CheckResult {
  const found = report.results.find((r) => r.id === id && (subject === undefined || r.subject === subject));
  assert.ok(found, `no result ${id}${subject ? ` for ${subject}` : ''}; have ${report.results.map((r) => `${r.subject}/${r.id}`).join(', ')}`);
  return found;
}

function show(report: DnsCheckReport): string {
  return report.results.filter((r) => r.status !== 'OK').map((r) => `${r.status} ${r.subject}/${r.id}: ${r.finding}`).join('\n');
}

test('the records we tell the owner to create pass every check (DNSSEC aside)', async () => {
  const report = await run(fakeFrom(goodRecords()));
  assert.equal(report.checkedAt, NOW.toISOString());
  assert.deepEqual(report.domains, [DOMAIN]);
  assert.deepEqual(report.publicIps, [IP4, IP6]);
  const notOk = report.results.filter((r) => r.status !== 'OK');
  assert.deepEqual(notOk.map((r) => r.id), ['dnssec'], show(report));
  assert.equal(notOk[0]?.importance, 'optional');
  for (const id of ['public-ip', 'host-address', 'host-cname', 'helo-name', 'helo-spf', 'ptr-v4', 'ptr-v6', 'dnsbl-v4', 'dnsbl-v6', 'dane', 'mx', 'mx-cname', 'spf', 'spf-all', 'spf-lookups', 'spf-authorizes', 'dkim', 'dmarc', 'dmarc-policy', 'dmarc-reports', 'mta-sts', 'tls-rpt', 'srv', 'autoconfig', 'caa']) {
    assert.equal(find(report, id).status, 'OK', id);
  }
  for (const r of report.results) if (r.status !== 'OK') assert.ok(r.fix, `${r.id} has a fix text`);
  assert.equal(report.worst, 'WARN');
});

for (const fault of FAULTS) {
  test(`fault: ${fault.title}`, async () => {
    const config = fault.config ? fault.config(goodConfig()) : goodConfig();
    const report = await run(fakeFrom(fault.edit(goodRecords())), config);
    const r = find(report, fault.expect.id, fault.expect.subject);
    assert.equal(r.status, fault.expect.status, `${r.finding}\n${show(report)}`);
    if (fault.expect.fix) assert.match(r.fix ?? '', fault.expect.fix);
    if (fault.expect.finding) assert.match(r.finding, fault.expect.finding);
    if (r.status !== 'OK') assert.ok(r.fix && r.fix.length > 10, 'every non-OK line says what to do');
  });
}

test('SERVFAIL, timeouts and refusals are UNKNOWN, never "missing"', async () => {
  const fake = fakeFrom(goodRecords())
    .fail(DOMAIN, 'MX', 'SERVFAIL')
    .fail(DOMAIN, 'TXT', 'TIMEOUT')
    .fail(HOST, 'A', 'TIMEOUT')
    .fail(IP4, 'PTR', 'SERVFAIL')
    .fail(DNSBL_V4, 'A', 'REFUSED')
    .fail(`lb1._domainkey.${DOMAIN}`, 'TXT', 'SERVFAIL')
    .fail(`_dmarc.${DOMAIN}`, 'TXT', 'TIMEOUT')
    .fail(`_imaps._tcp.${DOMAIN}`, 'SRV', 'SERVFAIL')
    .fail(DOMAIN, 'CAA', 'SERVFAIL')
    .fail(`_mta-sts.${DOMAIN}`, 'TXT', 'REFUSED');
  const report = await run(fake);
  for (const [id, subject] of [['mx'], ['spf'], ['host-address'], ['ptr-v4', IP4], ['dnsbl-v4', IP4], ['dkim'], ['dmarc'], ['srv'], ['caa'], ['mta-sts']] as [string, string?][]) {
    const r = find(report, id, subject);
    assert.equal(r.status, 'UNKNOWN', `${id}: ${r.finding}`);
    assert.doesNotMatch(r.finding, /\bno \w+ record|missing|does not exist/i, `${id} must not claim absence`);
    assert.ok(r.fix);
  }
  // A timeout in an SPF include is a temperror, not "not authorised".
  const inc = fakeFrom(goodRecords()).set(DOMAIN, 'TXT', ['v=spf1 include:spf.relay.test ~all']).fail('spf.relay.test', 'TXT', 'TIMEOUT');
  assert.equal(find(await run(inc), 'spf-authorizes').status, 'UNKNOWN');
  assert.equal(find(await run(inc), 'spf-lookups').status, 'UNKNOWN');
});

test('checks that need the public address say UNKNOWN when it is unknown', async () => {
  const { publicIp: _ip, ...config } = goodConfig();
  const report = await run(fakeFrom(goodRecords()), config);
  for (const id of ['public-ip', 'host-address', 'ptr-v4', 'dnsbl', 'spf-authorizes', 'helo-spf']) assert.equal(find(report, id).status, 'UNKNOWN', id);
  // MX pointing at our own host name is still recognised.
  assert.equal(find(report, 'mx').status, 'OK');
});

test('a LAN or CGNAT address configured as public is a FAIL with the CGNAT advice', async () => {
  const report = await run(fakeFrom(goodRecords()), { ...goodConfig(), publicIp: '100.70.1.2' });
  const r = find(report, 'public-ip');
  assert.equal(r.status, 'FAIL');
  assert.match(r.fix ?? '', /ISP for a public IPv4/);
});

test('the echo URL supplies the public address; a failing echo is UNKNOWN', async () => {
  const { publicIp: _ip, ...config } = goodConfig();
  const withEcho = { ...config, echoUrl: 'https://echo.test/' };
  const asked: string[] = [];
  const ok = await runDnsCheck({ store, config: withEcho, resolver: fakeFrom(goodRecords()), fetchPublicIp: async (url) => (asked.push(url), IP4) });
  assert.deepEqual(asked, ['https://echo.test/']);
  assert.equal(ok.publicIpSource, 'echo');
  assert.equal(find(ok, 'ptr-v4').status, 'OK');
  // The zone still publishes an AAAA the echo did not report.
  assert.equal(find(ok, 'host-address').status, 'WARN');
  assert.match(find(ok, 'host-address').finding, /no known public IPv6/);
  const bad = await runDnsCheck({ store, config: withEcho, resolver: fakeFrom(goodRecords()), fetchPublicIp: async () => Promise.reject(new Error('network down')) });
  assert.equal(find(bad, 'public-ip').status, 'UNKNOWN');
  assert.match(find(bad, 'public-ip').finding, /network down/);
});

test('DKIM: 1024-bit key warns, testing flag warns, missing configuration warns', async () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const config = { ...goodConfig(), dkim: { selector: 'lb1', publicKeyPem: small } };
  const r1 = find(await run(fakeFrom(goodRecords(config)), config), 'dkim');
  assert.equal(r1.status, 'WARN');
  assert.match(r1.finding, /1024 bits/);
  const records = goodRecords().map((r) => (r.name === `lb1._domainkey.${DOMAIN}` ? { ...r, value: r.value.replace('"v=DKIM1;', '"v=DKIM1; t=y;') } : r));
  const r2 = find(await run(fakeFrom(records)), 'dkim');
  assert.equal(r2.status, 'WARN');
  assert.match(r2.fix ?? '', /Remove "t=y"/);
  const { dkim: _d, ...noDkim } = goodConfig();
  assert.equal(find(await run(fakeFrom(goodRecords()), noDkim), 'dkim').status, 'WARN');
  const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const edConfig = { ...goodConfig(), dkim: { selector: 'lb1', publicKeyPem: ed } };
  const r3 = find(await run(fakeFrom(goodRecords(edConfig)), edConfig), 'dkim');
  assert.equal(r3.status, 'OK', r3.finding);
  assert.match(r3.current ?? '', /k=ed25519/);
});

test('DMARC: an authorised external report receiver is OK; a parent domain policy is inherited with a warning', async () => {
  const records = goodRecords().map((r) => (r.name === `_dmarc.${DOMAIN}` ? { ...r, value: '"v=DMARC1; p=reject; rua=mailto:d@relay.test"' } : r));
  records.push({ name: `${DOMAIN}._report._dmarc.relay.test`, type: 'TXT', value: '"v=DMARC1;"' });
  assert.equal(find(await run(fakeFrom(records)), 'dmarc-reports').status, 'OK');
  const sub = fakeFrom(goodRecords());
  const report = await runDnsCheck({ store, config: goodConfig(), resolver: sub, domain: `shop.${DOMAIN}` });
  assert.equal(find(report, 'dmarc').status, 'WARN');
  assert.match(find(report, 'dmarc').finding, /inherits/);
});

test('no MX but the domain itself points to the box: implicit MX is a warning', async () => {
  const fake = fakeFrom(goodRecords().filter((r) => !(r.name === DOMAIN && r.type === 'MX'))).add(DOMAIN, 'A', IP4);
  assert.equal(find(await run(fake), 'mx').status, 'WARN');
});

test('DANE: TLSA without DNSSEC warns, wrong key fails, matching signed record is OK; DNSSEC OK when authentic', async () => {
  const hash = 'ab'.repeat(32);
  const config = { ...goodConfig(), tlsaSpkiSha256: hash };
  const fake = fakeFrom(goodRecords()).add(`_25._tcp.${HOST}`, 'TLSA', { usage: 3, selector: 1, matchingType: 1, data: 'cd'.repeat(32) });
  assert.equal(find(await run(fake, config), 'dane').status, 'WARN');
  fake.authenticNames.add(`_25._tcp.${HOST}`);
  const wrong = find(await run(fake, config), 'dane');
  assert.equal(wrong.status, 'FAIL');
  assert.match(wrong.fix ?? '', new RegExp(`TLSA 3 1 1 ${hash}`));
  fake.add(`_25._tcp.${HOST}`, 'TLSA', { usage: 3, selector: 1, matchingType: 1, data: hash });
  fake.authenticNames.add(DOMAIN);
  const report = await run(fake, config);
  assert.equal(find(report, 'dane').status, 'OK');
  assert.equal(find(report, 'dnssec').status, 'OK');
});

test('with a smarthost, SPF that includes the relay passes and PTR/HELO SPF no longer concern the home address', async () => {
  const config = { ...goodConfig(), smarthost: { host: 'smtp.relay.test', spfInclude: 'spf.relay.test' } };
  const records = goodRecords(config).filter((r) => r.type !== 'PTR');
  records.push({ name: 'smtp.relay.test', type: 'A', value: '198.51.100.25' }, { name: 'spf.relay.test', type: 'TXT', value: '"v=spf1 ip4:198.51.100.0/24 -all"' });
  const report = await run(fakeFrom(records), config);
  assert.match(find(report, 'spf').current ?? '', /include:spf\.relay\.test/);
  assert.equal(find(report, 'spf-authorizes').status, 'OK', find(report, 'spf-authorizes').finding);
  assert.equal(find(report, 'ptr-v4').status, 'OK');
  assert.match(find(report, 'ptr-v4').finding, /smarthost|smtp\.relay\.test/);
  assert.equal(find(report, 'helo-spf').status, 'OK');
});

test('the report covers every local domain, and --domain style runs check only one', async () => {
  const two = { listDomains: async (): Promise<string[]> => ['b.test', DOMAIN] };
  const report = await runDnsCheck({ store: two, config: goodConfig(), resolver: new FakeResolver() });
  assert.deepEqual(report.domains, ['b.test', DOMAIN]);
  assert.deepEqual([...new Set(report.results.filter((r) => r.domain).map((r) => r.domain))], ['b.test', DOMAIN]);
  assert.equal(report.expected.length, 2);
  assert.equal(report.worst, 'FAIL');
  const one = await runDnsCheck({ store: two, config: goodConfig(), resolver: new FakeResolver(), domain: 'C.Test.' });
  assert.deepEqual(one.domains, ['c.test']);
});

test('DKIM per domain: the key the box signs with (dkimFor) is what DNS is compared with and what the records show', async () => {
  const { dkim, ...noDkim } = goodConfig();
  assert.ok(dkim);
  const zone = goodRecords();
  const report = await runDnsCheck({ store, config: noDkim, resolver: fakeFrom(zone), now: NOW, dkimFor: async (d) => (d === DOMAIN ? dkim : undefined) });
  assert.equal(find(report, 'dkim').status, 'OK', find(report, 'dkim').finding);
  const txt = report.expected[0]?.records.find((r) => r.name === `${dkim.selector}._domainkey.${DOMAIN}`);
  assert.ok(txt, 'the DKIM record is among the records to create');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const mismatch = await runDnsCheck({ store, config: noDkim, resolver: fakeFrom(zone), now: NOW, dkimFor: async () => ({ selector: dkim.selector, publicKeyPem: other }) });
  assert.equal(find(mismatch, 'dkim').status, 'FAIL', 'a key in DNS that is not the signing key fails');
});

test('DKIM rotation: a new key waiting to sign is checked on its own line, so the owner knows when to switch', async () => {
  const { dkim, ...noDkim } = goodConfig();
  assert.ok(dkim);
  const pending = { selector: 'sel2', publicKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  const options = { store, config: noDkim, now: NOW, dkimFor: async () => dkim, dkimPendingFor: async (d: string) => (d === DOMAIN ? pending : undefined) };
  const before = await runDnsCheck({ ...options, resolver: fakeFrom(goodRecords()) });
  assert.equal(find(before, 'dkim').status, 'OK', 'the signing key is fine');
  const waiting = find(before, 'dkim-pending', `sel2._domainkey.${DOMAIN}`);
  assert.equal(waiting.status, 'FAIL', 'not published yet');
  assert.equal(waiting.importance, 'recommended');
  assert.match(waiting.fix ?? '', /sel2\._domainkey/);
  assert.ok(before.expected[0]?.records.some((r) => r.name === `sel2._domainkey.${DOMAIN}`), 'and it is among the records to create');
  const published = await runDnsCheck({ ...options, resolver: fakeFrom(goodRecords({ ...goodConfig(), dkimPending: pending })) });
  assert.equal(find(published, 'dkim-pending').status, 'OK', find(published, 'dkim-pending').finding);
  const none = await runDnsCheck({ ...options, dkimPendingFor: async () => undefined, resolver: fakeFrom(goodRecords()) });
  assert.ok(!none.results.some((r) => r.id === 'dkim-pending'), 'no line when no key waits');
});
