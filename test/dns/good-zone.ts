import { dnsblQueryName } from '../../src/dns/ip-address.js';
import { FakeResolver, IP4, IP6 } from './fake-resolver.js';
import type { ZoneRecord } from './fault-cases.js';

/** Joins zone-file TXT strings (`"a" "b"`) back into one value. */
export function unquoteTxt(value: string): string {
  return [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1')).join('');
}

/** A fake resolver serving exactly `records`, as a DNS host would publish them. */
export function fakeFrom(records: readonly ZoneRecord[]): FakeResolver {
  const fake = new FakeResolver();
  for (const r of records) {
    const parts = r.value.split(/\s+/);
    switch (r.type) {
      case 'A':
      case 'AAAA':
        fake.add(r.name, r.type, r.value);
        break;
      case 'CNAME':
        fake.add(r.name, 'CNAME', r.value.replace(/\.$/, ''));
        break;
      case 'MX':
        fake.add(r.name, 'MX', { priority: Number(parts[0]), exchange: (parts[1] as string).replace(/\.$/, '') });
        break;
      case 'TXT':
        fake.add(r.name, 'TXT', unquoteTxt(r.value));
        break;
      case 'SRV':
        fake.add(r.name, 'SRV', { priority: Number(parts[0]), weight: Number(parts[1]), port: Number(parts[2]), target: (parts[3] as string).replace(/\.$/, '') });
        break;
      case 'CAA':
        fake.add(r.name, 'CAA', { critical: Number(parts[0]), tag: parts[1] as string, value: unquoteTxt(parts.slice(2).join(' ')) });
        break;
      case 'PTR':
        fake.add(r.name, 'PTR', r.value.replace(/\.$/, ''));
        break;
      case 'TLSA':
        fake.add(r.name, 'TLSA', { usage: Number(parts[0]), selector: Number(parts[1]), matchingType: Number(parts[2]), data: (parts[3] as string).toLowerCase() });
        break;
    }
  }
  return fake;
}


/** The DNSBL name of our IPv4 address in the test zone. */
export const DNSBL_V4 = dnsblQueryName(IP4, 'zen.dnsbl.test');
export const DNSBL_V6 = dnsblQueryName(IP6, 'zen.dnsbl.test');
