import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExpectedRecords } from '../../src/dns/expected-records.js';
import { quoteTxt } from '../../src/dns/record-values.js';
import { DOMAIN, goodConfig, IP4, IP6 } from './fake-resolver.js';
import { unquoteTxt } from './good-zone.js';

test('quoteTxt splits long values into 255-character strings that join back', () => {
  const value = 'x'.repeat(600);
  const quoted = quoteTxt(value);
  const parts = [...quoted.matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
  assert.deepEqual(parts.map((p) => p.length), [255, 255, 90]);
  assert.equal(unquoteTxt(quoted), value);
  assert.equal(quoteTxt('say "hi"'), '"say \\"hi\\""');
});

test('records to create: importance, TTL, DKIM split, MX with trailing dot, PTR for the ISP, disabled lines commented', () => {
  const config = { ...goodConfig(), tlsaSpkiSha256: 'AB'.repeat(32) };
  const { records, zoneText } = buildExpectedRecords(config, DOMAIN, [IP4, IP6]);
  const get = (name: string, type: string) => records.find((r) => r.name === name && r.type === type);
  assert.equal(get('mail.example.test', 'A')?.importance, 'required');
  assert.equal(get(DOMAIN, 'MX')?.value, '10 mail.example.test.');
  assert.equal(get(DOMAIN, 'TXT')?.value, '"v=spf1 mx ~all"');
  const dkim = get(`lb1._domainkey.${DOMAIN}`, 'TXT');
  assert.equal(dkim?.importance, 'recommended');
  assert.ok((dkim?.value.match(/"/g) ?? []).length >= 4, 'a 2048-bit key needs two strings');
  assert.equal(get(IP4, 'PTR')?.where, 'isp');
  assert.ok(get(`_25._tcp.mail.example.test`, 'TLSA')?.disabled);
  assert.ok(records.every((r) => r.ttl === 300));
  // Zone text: sections in order, TTL stated on each line, disabled and ISP lines only as comments.
  const required = zoneText.indexOf('; --- Required ---');
  const recommended = zoneText.indexOf('; --- Recommended ---');
  const optional = zoneText.indexOf('; --- Optional ---');
  assert.ok(required > 0 && required < recommended && recommended < optional, zoneText);
  assert.match(zoneText, /^\$ORIGIN example\.test\.$/m);
  assert.match(zoneText, /^mail\s+300\s+IN\s+A\s+192\.0\.2\.10/m);
  assert.match(zoneText, /^@\s+300\s+IN\s+MX\s+10 mail\.example\.test\./m);
  assert.match(zoneText, /^;; _25\._tcp\.mail\s+300\s+IN\s+TLSA\s+3 1 1 abab/m);
  assert.match(zoneText, /^; PTR 192\.0\.2\.10 -> mail\.example\.test\.$/m);
});

test('without an MTA-STS id the MTA-STS lines are commented out; a smarthost include enters SPF', () => {
  const { mtaStsId: _id, ...config } = goodConfig();
  const { zoneText } = buildExpectedRecords({ ...config, smarthost: { host: 'smtp.relay.test', spfInclude: 'spf.relay.test' } }, DOMAIN, [IP4]);
  assert.match(zoneText, /^;; _mta-sts\s/m);
  assert.match(zoneText, /"v=spf1 mx include:spf\.relay\.test ~all"/);
  assert.doesNotMatch(zoneText, /AAAA/);
});

test('the generated zone text is accepted by nsd-checkzone once SOA/NS are added', () => {
  const dir = mkdtempSync(join(tmpdir(), 'letterbox-zone-'));
  try {
    const { zoneText } = buildExpectedRecords({ ...goodConfig(), tlsaSpkiSha256: 'ab'.repeat(32) }, DOMAIN, [IP4, IP6]);
    const file = join(dir, 'zone');
    writeFileSync(file, `${zoneText}@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n`);
    const out = execFileSync('/usr/sbin/nsd-checkzone', [DOMAIN, file], { encoding: 'utf8' });
    assert.match(out, /is ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
