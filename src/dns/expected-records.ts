import { relativeName, canonicalName } from './check-context.js';
import { expectedDkim, expectedDmarc, expectedSpf, expectedTlsRpt, HELO_SPF, quoteTxt } from './record-values.js';
import { DEFAULT_CLIENT_SERVICES, type ClientServicePorts, type DnsCheckConfig, type DomainRecords, type ExpectedRecord, type Importance } from './types.js';

/** TTL of generated records: short while setting up, so mistakes are fixed quickly. */
export const SETUP_TTL = 300;

const SRV_ORDER: (keyof ClientServicePorts)[] = ['submissions', 'submission', 'imaps', 'imap', 'pop3s', 'pop3'];

/**
 * "Records to create" for one mail domain, from the configuration: the host
 * address records (when the host name lies inside this domain), MX, SPF for
 * the domain and the EHLO name, DKIM, DMARC, TLS-RPT, MTA-STS (commented
 * out until a policy id is configured), client SRV records, autoconfig, CAA
 * (when the certificate authority is known), TLSA (always commented out:
 * it needs DNSSEC) and the PTR the ISP must set. Pure; throws only when the
 * configured DKIM key is unreadable.
 */
export function buildExpectedRecords(config: DnsCheckConfig, domainName: string, publicIps: readonly string[]): DomainRecords {
  const domain = canonicalName(domainName);
  const h = canonicalName(config.hostname);
  const hostInZone = h === domain || h.endsWith(`.${domain}`);
  const ipv4 = publicIps.find((ip) => ip.includes('.'));
  const ipv6 = publicIps.find((ip) => ip.includes(':'));
  const records: ExpectedRecord[] = [];
  const add = (name: string, type: ExpectedRecord['type'], value: string, importance: Importance, comment: string, extra: Partial<ExpectedRecord> = {}): void => {
    records.push({ name, type, value, ttl: SETUP_TTL, importance, where: 'dns-host', comment, ...extra });
  };

  if (hostInZone) {
    add(h, 'A', ipv4 ?? '<your public IPv4>', 'required', 'the mail host\'s public IPv4 address');
    if (ipv6) add(h, 'AAAA', ipv6, 'required', 'the mail host\'s public IPv6 address (only if IPv6 reaches the box)');
  }
  add(domain, 'MX', `10 ${h}.`, 'required', 'where other servers deliver mail for this domain; the trailing dot matters');
  add(domain, 'TXT', quoteTxt(expectedSpf(config)), 'recommended', config.smarthost ? `SPF: this box and the smarthost ${config.smarthost.host} may send` : 'SPF: the MX host may send mail for this domain');
  if (hostInZone) add(h, 'TXT', quoteTxt(HELO_SPF), 'recommended', 'SPF of the name the box greets with (EHLO)');
  if (config.dkim) {
    add(`${config.dkim.selector}._domainkey.${domain}`, 'TXT', quoteTxt(expectedDkim(config.dkim)), 'recommended', 'DKIM public key; one value split into 255-character strings (a single-field DNS panel takes the parts joined)');
  }
  if (config.dkimPending) {
    add(`${config.dkimPending.selector}._domainkey.${domain}`, 'TXT', quoteTxt(expectedDkim(config.dkimPending)), 'recommended', 'the NEW DKIM key: publish it, run the DNS check, then let it sign (admin page or letterbox dkim activate); keep the old key\'s record a few days after the switch');
  }
  add(`_dmarc.${domain}`, 'TXT', quoteTxt(expectedDmarc(domain)), 'recommended', 'DMARC policy with aggregate reports (use p=none first if other services send as this domain)');
  add(`_smtp._tls.${domain}`, 'TXT', quoteTxt(expectedTlsRpt(domain)), 'optional', 'TLS-RPT: senders report failed secure deliveries');
  const stsId = config.mtaStsId;
  add(`_mta-sts.${domain}`, 'TXT', quoteTxt(`v=STSv1; id=${stsId ?? '<policy-id>'}`), 'optional', stsId ? 'MTA-STS announcement; change the id whenever the policy changes' : 'MTA-STS: publish only after the policy file is served at https://mta-sts.<domain>/.well-known/mta-sts.txt', stsId ? {} : { disabled: true });
  add(`mta-sts.${domain}`, 'CNAME', `${h}.`, 'optional', 'host that serves the MTA-STS policy file', stsId ? {} : { disabled: true });
  const services = { ...DEFAULT_CLIENT_SERVICES, ...config.services };
  for (const service of SRV_ORDER) {
    const port = services[service];
    add(`_${service}._tcp.${domain}`, 'SRV', port === false ? '0 0 0 .' : `0 1 ${port} ${h}.`, 'optional', port === false ? `${service}: not offered (RFC 6186)` : `${service} for mail programs (RFC 6186, RFC 8314)`);
  }
  add(`autoconfig.${domain}`, 'CNAME', `${h}.`, 'optional', 'lets mail programs find their settings');
  if (config.caaIssuer) add(domain, 'CAA', `0 issue "${config.caaIssuer}"`, 'optional', 'only this certificate authority may issue for the domain');
  if (config.tlsaSpkiSha256 && hostInZone) add(`_25._tcp.${h}`, 'TLSA', `3 1 1 ${config.tlsaSpkiSha256.toLowerCase()}`, 'optional', 'DANE: only after DNSSEC is enabled for the zone', { disabled: true });
  if (hostInZone) {
    for (const ip of [ipv4, ipv6]) if (ip) add(ip, 'PTR', `${h}.`, 'required', 'reverse DNS: set by your ISP or in your router, not in this zone', { where: 'isp' });
  }
  return { domain, records, zoneText: formatZone(domain, records, hostInZone ? null : h) };
}

const SECTIONS: [Importance, string][] = [
  ['required', 'Required'],
  ['recommended', 'Recommended'],
  ['optional', 'Optional'],
];

/**
 * The records as a zone-file snippet for `$ORIGIN domain.`, grouped
 * Required / Recommended / Optional, each record with its TTL and a comment.
 * Disabled records and PTRs (made at the ISP) are emitted as comments.
 */
export function formatZone(domain: string, records: readonly ExpectedRecord[], foreignHost: string | null = null): string {
  const out = [`; Records for ${domain}, made by letterbox. Names are relative to $ORIGIN.`, `$ORIGIN ${domain}.`, `$TTL ${SETUP_TTL}  ; short while setting up; raise to 3600 or more once every check is green`];
  if (foreignHost) out.push(`; ${foreignHost} lies outside this zone: create its A/AAAA records in the zone that holds it.`);
  const width = Math.max(...records.filter((r) => r.where === 'dns-host').map((r) => relativeName(r.name, domain).length), 1);
  for (const [importance, title] of SECTIONS) {
    const group = records.filter((r) => r.importance === importance && r.where === 'dns-host');
    if (group.length === 0) continue;
    out.push(`; --- ${title} ---`);
    for (const r of group) {
      const text = `${relativeName(r.name, domain).padEnd(width)}  ${r.ttl}  IN  ${r.type.padEnd(5)}  ${r.value}  ; ${r.comment}`;
      out.push(r.disabled ? `;; ${text}` : text);
    }
  }
  const isp = records.filter((r) => r.where === 'isp');
  if (isp.length > 0) {
    out.push('; --- Not in your zone: ask your ISP, or set it in your router ---');
    for (const r of isp) out.push(`; PTR ${r.name} -> ${r.value}`);
  }
  return `${out.join('\n')}\n`;
}
