import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSpfLookups, evaluateSpf } from '../../src/dns/spf-evaluate.js';
import { allQualifier, parseSpf } from '../../src/dns/spf-parse.js';
import { dnsblQueryName, ipInNetwork, isNonPublicIp, normalizeIp, sameIp } from '../../src/dns/ip-address.js';
import { FakeResolver } from './fake-resolver.js';

test('parseSpf accepts valid records (RFC 7208 §12 grammar)', () => {
  for (const record of [
    'v=spf1 -all',
    'v=spf1 mx ~all',
    'v=spf1 a:mail.example.test/24//64 mx:example.test ip4:192.0.2.0/24 ip6:2001:db8::/32 include:spf.relay.test ?all',
    'v=spf1 exists:%{i}.spf.test -all',
    'v=spf1 redirect=_spf.example.test',
    'V=SPF1 ptr unknown-mod=x -all',
  ]) {
    const r = parseSpf(record);
    assert.ok(r.ok, `${record}: ${JSON.stringify(r)}`);
  }
  const macro = parseSpf('v=spf1 exists:%{i}.spf.test -all');
  assert.ok(macro.ok && macro.hasMacros);
});

test('parseSpf names the bad term', () => {
  const cases: [string, string][] = [
    ['v=spf1 ip4:192.0.2.300 -all', 'ip4:192.0.2.300'],
    ['v=spf1 ip4:192.0.2.0/33 -all', 'ip4:192.0.2.0/33'],
    ['v=spf1 ip6:192.0.2.1 -all', 'ip6:192.0.2.1'],
    ['v=spf1 include -all', 'include'],
    ['v=spf1 mxx -all', 'mxx'],
    ['v=spf1 redirect=a.test redirect=b.test', 'redirect=b.test'],
    ['v=spf1 all:x', 'all:x'],
    ['spf1 mx', 'spf1'],
  ];
  for (const [record, term] of cases) {
    const r = parseSpf(record);
    assert.ok(!r.ok, record);
    assert.equal(r.term, term, record);
  }
});

test('allQualifier finds the final all', () => {
  const r = parseSpf('v=spf1 mx ~all');
  assert.ok(r.ok);
  assert.equal(allQualifier(r.terms), '~');
});

test('evaluateSpf: mx, ip4 ranges, include, redirect, softfail, void-lookup and 10-lookup limits', async () => {
  const dns = new FakeResolver()
    .set('d.test', 'TXT', ['v=spf1 mx include:i.test ~all'])
    .set('d.test', 'MX', [{ priority: 10, exchange: 'mx.d.test' }])
    .set('mx.d.test', 'A', ['192.0.2.10'])
    .set('i.test', 'TXT', ['v=spf1 ip4:198.51.100.0/24 -all'])
    .set('r.test', 'TXT', ['v=spf1 redirect=d.test'])
    .set('void.test', 'TXT', ['v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all']);
  assert.equal((await evaluateSpf(dns, 'd.test', '192.0.2.10')).result, 'pass');
  assert.equal((await evaluateSpf(dns, 'd.test', '198.51.100.77')).result, 'pass');
  assert.equal((await evaluateSpf(dns, 'd.test', '203.0.113.1')).result, 'softfail');
  assert.equal((await evaluateSpf(dns, 'r.test', '192.0.2.10')).result, 'pass');
  assert.equal((await evaluateSpf(dns, 'none.test', '192.0.2.10')).result, 'none');
  assert.equal((await evaluateSpf(dns, 'void.test', '192.0.2.10')).result, 'permerror');
  const many = new FakeResolver().set('m.test', 'TXT', [`v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.m.test`).join(' ')} -all`]);
  for (let i = 0; i < 11; i++) many.set(`h${i}.m.test`, 'A', ['203.0.113.1']);
  const r = await evaluateSpf(many, 'm.test', '192.0.2.10');
  assert.equal(r.result, 'permerror');
  assert.match(r.reason, /more than 10 DNS lookups/);
  assert.equal((await countSpfLookups(many, 'm.test')).count, 11);
  dns.fail('i.test', 'TXT', 'TIMEOUT');
  assert.equal((await evaluateSpf(dns, 'd.test', '203.0.113.1')).result, 'temperror');
});

test('IP helpers: normalisation, networks, non-public ranges, DNSBL names', () => {
  assert.equal(normalizeIp('2001:DB8:0::10'), '2001:db8:0:0:0:0:0:10');
  assert.ok(sameIp('2001:db8::10', '2001:0db8:0000::0010'));
  assert.ok(ipInNetwork('198.51.100.77', '198.51.100.0', 24));
  assert.ok(!ipInNetwork('198.51.101.1', '198.51.100.0', 24));
  assert.ok(ipInNetwork('2001:db8:1::5', '2001:db8::', 32));
  for (const ip of ['10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', '127.0.0.1', '::1', 'fd00::1', 'fe80::1']) assert.ok(isNonPublicIp(ip), ip);
  for (const ip of ['192.0.2.10', '8.8.8.8', '2001:db8::10', '172.32.0.1']) assert.ok(!isNonPublicIp(ip), ip);
  assert.equal(dnsblQueryName('192.0.2.10', 'zen.spamhaus.org'), '10.2.0.192.zen.spamhaus.org');
  assert.equal(dnsblQueryName('2001:db8::10', 'ip6.arpa'), `0.1.0.0.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.ip6.arpa`);
});
