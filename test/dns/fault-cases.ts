import { generateKeyPairSync } from 'node:crypto';
import { buildExpectedRecords } from '../../src/dns/expected-records.js';
import { offeredClientServices, type CheckStatus, type DnsCheckConfig } from '../../src/dns/types.js';
import { DOMAIN, goodConfig, HOST, IP4, IP6 } from './fake-resolver.js';
import { DNSBL_V4 } from './good-zone.js';

/** One published record, zone-file syntax for the value. PTR records are named by their address. */
export interface ZoneRecord {
  name: string;
  type: 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'SRV' | 'CAA' | 'TLSA' | 'PTR';
  value: string;
}

/** What the owner publishes when following "records to create" (plus the ISP's PTRs and an empty DNSBL zone). */
export function goodRecords(config: DnsCheckConfig = goodConfig()): ZoneRecord[] {
  const out: ZoneRecord[] = buildExpectedRecords(config, DOMAIN, [IP4, IP6])
    .records.filter((r) => !r.disabled)
    .map((r) => ({ name: r.name, type: r.type, value: r.value }));
  out.push({ name: 'zen.dnsbl.test', type: 'TXT', value: '"test blocklist"' });
  // Apexes of the other operators' zones, so that names below them exist or are NXDOMAIN (not REFUSED).
  out.push({ name: 'relay.test', type: 'TXT', value: '"other operator"' });
  out.push({ name: 'isp.test', type: 'TXT', value: '"internet provider"' });
  return out;
}

/** A broken setup and what the check must say about it. */
export interface FaultCase {
  title: string;
  edit: (records: ZoneRecord[]) => ZoneRecord[];
  config?: (config: DnsCheckConfig) => DnsCheckConfig;
  expect: { id: string; subject?: string; status: CheckStatus; fix?: RegExp; finding?: RegExp };
}

const drop = (pred: (r: ZoneRecord) => boolean) => (records: ZoneRecord[]): ZoneRecord[] => records.filter((r) => !pred(r));
const is = (name: string, type: ZoneRecord['type']) => (r: ZoneRecord): boolean => r.name === name && r.type === type;
const replace = (name: string, type: ZoneRecord['type'], ...values: string[]) => (records: ZoneRecord[]): ZoneRecord[] => [...records.filter((r) => !is(name, type)(r)), ...values.map((value) => ({ name, type, value }))];
const plus = (...extra: ZoneRecord[]) => (records: ZoneRecord[]): ZoneRecord[] => [...records, ...extra];
const chain = (...edits: ((r: ZoneRecord[]) => ZoneRecord[])[]) => (records: ZoneRecord[]): ZoneRecord[] => edits.reduce((acc, e) => e(acc), records);

const otherKey = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DKIM_NAME = `lb1._domainkey.${DOMAIN}`;
const split = (v: string): string => (v.match(/.{1,255}/g) ?? []).map((p) => `"${p}"`).join(' ');

/**
 * The spec's fault list (tables A–L): one broken setup per case. Used both
 * with the fake resolver and with zones served by NSD, so the two layers
 * check the same rules.
 */
export const FAULTS: FaultCase[] = [
  { title: 'host has no A record', edit: drop((r) => r.name === HOST && (r.type === 'A' || r.type === 'AAAA')), expect: { id: 'host-address', status: 'FAIL', fix: /mail\.example\.test\. A 192\.0\.2\.10/ } },
  { title: 'host A points elsewhere', edit: replace(HOST, 'A', '198.51.100.99'), expect: { id: 'host-address', status: 'FAIL', finding: /198\.51\.100\.99/, fix: /A 192\.0\.2\.10/ } },
  { title: 'host A is a LAN address', edit: replace(HOST, 'A', '192.168.1.20'), expect: { id: 'host-address', status: 'FAIL', finding: /internet cannot reach/ } },
  { title: 'host AAAA points elsewhere', edit: replace(HOST, 'AAAA', '2001:db8::99'), expect: { id: 'host-address', status: 'FAIL', fix: /AAAA 2001:db8::10/ } },
  { title: 'host is a CNAME', edit: chain(drop((r) => r.name === HOST), plus({ name: HOST, type: 'CNAME', value: `box.${DOMAIN}.` }, { name: `box.${DOMAIN}`, type: 'A', value: IP4 })), expect: { id: 'host-cname', status: 'FAIL', fix: /Replace the CNAME/ } },
  { title: 'no PTR for IPv4', edit: drop(is(IP4, 'PTR')), expect: { id: 'ptr-v4', subject: IP4, status: 'FAIL', fix: /reverse DNS of 192\.0\.2\.10 set to mail\.example\.test.*smarthost/ } },
  { title: 'PTR is a generic ISP name', edit: replace(IP4, 'PTR', 'host-192-0-2-10.isp.test.'), expect: { id: 'ptr-v4', subject: IP4, status: 'FAIL', finding: /not to mail\.example\.test/ } },
  { title: 'PTR forward-confirms but is not the host name', edit: chain(replace(IP4, 'PTR', `other.${DOMAIN}.`), plus({ name: `other.${DOMAIN}`, type: 'A', value: IP4 })), expect: { id: 'ptr-v4', subject: IP4, status: 'WARN' } },
  { title: 'no PTR for IPv6', edit: drop(is(IP6, 'PTR')), expect: { id: 'ptr-v6', subject: IP6, status: 'FAIL', fix: /IPv4 only/ } },
  { title: 'no MX', edit: drop(is(DOMAIN, 'MX')), expect: { id: 'mx', status: 'FAIL', fix: /example\.test\. MX 10 mail\.example\.test\./ } },
  { title: 'null MX on the mail domain', edit: replace(DOMAIN, 'MX', '0 .'), expect: { id: 'mx', status: 'FAIL', finding: /null MX/, fix: /Remove/ } },
  { title: 'null MX beside a real MX', edit: plus({ name: DOMAIN, type: 'MX', value: '0 .' }), expect: { id: 'mx', status: 'FAIL', finding: /conflicting/ } },
  { title: 'MX target is a CNAME', edit: chain(replace(DOMAIN, 'MX', `10 mx.${DOMAIN}.`), plus({ name: `mx.${DOMAIN}`, type: 'CNAME', value: `${HOST}.` })), expect: { id: 'mx-cname', status: 'FAIL', fix: /directly to mail\.example\.test/ } },
  { title: 'MX target is an IP literal', edit: replace(DOMAIN, 'MX', '10 192.0.2.10.'), expect: { id: 'mx', status: 'FAIL', finding: /is an IP address/ } },
  { title: 'MX target has a private address', edit: chain(replace(DOMAIN, 'MX', `10 lan.${DOMAIN}.`), plus({ name: `lan.${DOMAIN}`, type: 'A', value: '10.0.0.5' })), expect: { id: 'mx', status: 'FAIL', finding: /cannot reach/ } },
  { title: 'MX points to another server', edit: chain(replace(DOMAIN, 'MX', '10 mx.relay.test.'), plus({ name: 'mx.relay.test', type: 'A', value: '198.51.100.7' })), expect: { id: 'mx', status: 'FAIL', fix: /MX 10 mail\.example\.test\./ } },
  { title: 'extra MX not ours', edit: plus({ name: DOMAIN, type: 'MX', value: '20 mx.relay.test.' }, { name: 'mx.relay.test', type: 'A', value: '198.51.100.7' }), expect: { id: 'mx', status: 'WARN' } },
  { title: 'no SPF', edit: drop((r) => r.name === DOMAIN && r.type === 'TXT'), expect: { id: 'spf', status: 'FAIL', fix: /v=spf1 mx ~all/ } },
  { title: 'two SPF records', edit: plus({ name: DOMAIN, type: 'TXT', value: '"v=spf1 a -all"' }), expect: { id: 'spf', status: 'FAIL', fix: /Merge them into one/ } },
  { title: 'SPF syntax error', edit: replace(DOMAIN, 'TXT', '"v=spf1 mx ip4:192.0.2.300 ~all"'), expect: { id: 'spf', status: 'FAIL', finding: /ip4:192\.0\.2\.300/ } },
  { title: 'SPF +all', edit: replace(DOMAIN, 'TXT', '"v=spf1 mx +all"'), expect: { id: 'spf-all', status: 'FAIL', fix: /~all/ } },
  { title: 'SPF without all', edit: replace(DOMAIN, 'TXT', '"v=spf1 mx"'), expect: { id: 'spf-all', status: 'FAIL' } },
  {
    title: 'SPF needs more than 10 lookups',
    edit: chain(
      replace(DOMAIN, 'TXT', `"v=spf1 mx include:s1.${DOMAIN} include:s2.${DOMAIN} ~all"`),
      plus(
        { name: `s1.${DOMAIN}`, type: 'TXT', value: `"v=spf1 a:x1.${DOMAIN} a:x2.${DOMAIN} a:x3.${DOMAIN} a:x4.${DOMAIN} a:x5.${DOMAIN} -all"` },
        { name: `s2.${DOMAIN}`, type: 'TXT', value: `"v=spf1 a:x6.${DOMAIN} a:x7.${DOMAIN} a:x8.${DOMAIN} a:x9.${DOMAIN} -all"` },
      ),
    ),
    expect: { id: 'spf-lookups', status: 'FAIL', finding: /12 DNS lookups/, fix: /ip4:/ },
  },
  { title: 'SPF does not authorise us', edit: replace(DOMAIN, 'TXT', '"v=spf1 ip4:198.51.100.0/24 -all"'), expect: { id: 'spf-authorizes', status: 'FAIL', fix: /add "mx"/ } },
  {
    title: 'smarthost missing from SPF',
    edit: plus({ name: 'smtp.relay.test', type: 'A', value: '198.51.100.25' }),
    config: (c) => ({ ...c, smarthost: { host: 'smtp.relay.test', port: 587 } }),
    expect: { id: 'spf-authorizes', status: 'FAIL', finding: /smarthost smtp\.relay\.test/, fix: /a:smtp\.relay\.test/ },
  },
  { title: 'HELO name without SPF', edit: drop((r) => r.name === HOST && r.type === 'TXT'), expect: { id: 'helo-spf', subject: HOST, status: 'WARN', fix: /v=spf1 a -all/ } },
  { title: 'no DKIM record', edit: drop(is(DKIM_NAME, 'TXT')), expect: { id: 'dkim', subject: DKIM_NAME, status: 'FAIL', fix: /lb1\._domainkey\.example\.test\. TXT "v=DKIM1; k=rsa; p=/ } },
  { title: 'DKIM record with another key', edit: (r) => replace(DKIM_NAME, 'TXT', split(`v=DKIM1; k=rsa; p=${otherKey()}`))(r), expect: { id: 'dkim', subject: DKIM_NAME, status: 'FAIL', finding: /different key/ } },
  { title: 'DKIM key revoked', edit: replace(DKIM_NAME, 'TXT', '"v=DKIM1; k=rsa; p="'), expect: { id: 'dkim', subject: DKIM_NAME, status: 'FAIL', finding: /revoked/ } },
  { title: 'no DMARC', edit: drop(is(`_dmarc.${DOMAIN}`, 'TXT')), expect: { id: 'dmarc', status: 'FAIL', fix: /_dmarc\.example\.test\. TXT "v=DMARC1; p=quarantine/ } },
  { title: 'two DMARC records', edit: plus({ name: `_dmarc.${DOMAIN}`, type: 'TXT', value: '"v=DMARC1; p=none"' }), expect: { id: 'dmarc', status: 'FAIL', finding: /2 DMARC records/ } },
  { title: 'DMARC p=none', edit: replace(`_dmarc.${DOMAIN}`, 'TXT', `"v=DMARC1; p=none; rua=mailto:postmaster@${DOMAIN}"`), expect: { id: 'dmarc-policy', status: 'WARN', fix: /p=quarantine/ } },
  { title: 'DMARC without p=', edit: replace(`_dmarc.${DOMAIN}`, 'TXT', `"v=DMARC1; rua=mailto:postmaster@${DOMAIN}"`), expect: { id: 'dmarc', status: 'FAIL', finding: /p= tag is missing/ } },
  { title: 'DMARC without reports', edit: replace(`_dmarc.${DOMAIN}`, 'TXT', '"v=DMARC1; p=reject"'), expect: { id: 'dmarc-reports', status: 'WARN', fix: /rua=mailto:postmaster@example\.test/ } },
  { title: 'DMARC reports to an unauthorised domain', edit: replace(`_dmarc.${DOMAIN}`, 'TXT', '"v=DMARC1; p=reject; rua=mailto:dmarc@relay.test"'), expect: { id: 'dmarc-reports', status: 'FAIL', fix: /example\.test\._report\._dmarc\.relay\.test/ } },
  { title: 'MTA-STS absent', edit: drop(is(`_mta-sts.${DOMAIN}`, 'TXT')), expect: { id: 'mta-sts', subject: `_mta-sts.${DOMAIN}`, status: 'WARN' } },
  { title: 'MTA-STS malformed id', edit: replace(`_mta-sts.${DOMAIN}`, 'TXT', '"v=STSv1; id=2025-01-01"'), expect: { id: 'mta-sts', subject: `_mta-sts.${DOMAIN}`, status: 'FAIL', finding: /malformed/ } },
  { title: 'MTA-STS without policy host', edit: drop(is(`mta-sts.${DOMAIN}`, 'CNAME')), expect: { id: 'mta-sts', subject: `_mta-sts.${DOMAIN}`, status: 'FAIL', fix: /mta-sts\.example\.test\. CNAME mail\.example\.test\./ } },
  { title: 'TLS-RPT absent', edit: drop(is(`_smtp._tls.${DOMAIN}`, 'TXT')), expect: { id: 'tls-rpt', subject: `_smtp._tls.${DOMAIN}`, status: 'WARN' } },
  { title: 'TLS-RPT malformed', edit: replace(`_smtp._tls.${DOMAIN}`, 'TXT', '"v=TLSRPTv1; rua=postmaster@example.test"'), expect: { id: 'tls-rpt', subject: `_smtp._tls.${DOMAIN}`, status: 'FAIL' } },
  { title: 'SRV with wrong port', edit: replace(`_imaps._tcp.${DOMAIN}`, 'SRV', `0 1 143 ${HOST}.`), expect: { id: 'srv', status: 'FAIL', fix: /_imaps\._tcp\.example\.test\. SRV 0 1 993 mail\.example\.test\./ } },
  { title: 'SRV missing', edit: drop(is(`_submissions._tcp.${DOMAIN}`, 'SRV')), expect: { id: 'srv', status: 'WARN', fix: /add "_submissions\._tcp/ } },
  // POP3 switched off in the boot file ("pop3": false): its SRV record must say "not offered".
  { title: 'SRV still points at a switched-off service', config: (c) => ({ ...c, services: offeredClientServices({ pop3: false }) }), edit: (records) => records, expect: { id: 'srv', status: 'FAIL', fix: /_pop3\._tcp\.example\.test\. SRV 0 0 0 \./ } },
  { title: 'autoconfig missing', edit: drop(is(`autoconfig.${DOMAIN}`, 'CNAME')), expect: { id: 'autoconfig', subject: `autoconfig.${DOMAIN}`, status: 'WARN' } },
  { title: 'CAA excludes our CA', edit: replace(DOMAIN, 'CAA', '0 issue "pki.goog"'), expect: { id: 'caa', status: 'FAIL', fix: /CAA 0 issue "letsencrypt\.org"/ } },
  { title: 'IP on the Spamhaus SBL', edit: plus({ name: DNSBL_V4, type: 'A', value: '127.0.0.2' }), expect: { id: 'dnsbl-v4', subject: IP4, status: 'FAIL', finding: /abuse/ } },
  { title: 'IP on the PBL', edit: plus({ name: DNSBL_V4, type: 'A', value: '127.0.0.10' }), expect: { id: 'dnsbl-v4', subject: IP4, status: 'FAIL', fix: /smarthost/ } },
  {
    title: 'IP on the PBL with a smarthost',
    edit: plus({ name: DNSBL_V4, type: 'A', value: '127.0.0.10' }, { name: 'smtp.relay.test', type: 'A', value: '198.51.100.25' }),
    config: (c) => ({ ...c, smarthost: { host: 'smtp.relay.test' } }),
    expect: { id: 'dnsbl-v4', subject: IP4, status: 'OK', finding: /no problem/ },
  },
  { title: 'DNSBL refuses the public resolver', edit: plus({ name: DNSBL_V4, type: 'A', value: '127.255.255.254' }), expect: { id: 'dnsbl-v4', subject: IP4, status: 'UNKNOWN', fix: /own recursive resolver/ } },
];
