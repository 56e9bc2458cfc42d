import { generateKeyPairSync } from 'node:crypto';
import { normalizeIp } from '../../src/dns/ip-address.js';
import type { AuthenticOutcome, CaaRecord, DnsCheckConfig, DnsFailure, DnsResolver, Lookup, MxRecord, SrvRecord, TlsaRecord } from '../../src/dns/types.js';

type RecordMap = {
  A: string;
  AAAA: string;
  CNAME: string;
  MX: MxRecord;
  TXT: string;
  PTR: string;
  SRV: SrvRecord;
  CAA: CaaRecord;
  TLSA: TlsaRecord;
};
export type FakeType = keyof RecordMap;

/**
 * An in-memory resolver with zone semantics close enough for the check rules:
 * a name with any record exists (NODATA for other types), others are
 * NXDOMAIN; `fail(name, type, failure)` injects SERVFAIL/TIMEOUT/REFUSED.
 * PTR records are keyed by the address.
 */
export class FakeResolver implements DnsResolver {
  private readonly data = new Map<string, unknown[]>();
  private readonly failures = new Map<string, DnsFailure>();
  readonly authenticNames = new Set<string>();
  /** Every question asked, as "name TYPE". */
  readonly asked: string[] = [];

  private static key(name: string, type: string): string {
    return `${type === 'PTR' ? normalizeIp(name) : name.toLowerCase().replace(/\.$/, '')} ${type}`;
  }

  set<T extends FakeType>(name: string, type: T, records: RecordMap[T][]): this {
    this.data.set(FakeResolver.key(name, type), records);
    return this;
  }

  add<T extends FakeType>(name: string, type: T, record: RecordMap[T]): this {
    const k = FakeResolver.key(name, type);
    this.data.set(k, [...(this.data.get(k) ?? []), record]);
    return this;
  }

  delete(name: string, type: FakeType): this {
    this.data.delete(FakeResolver.key(name, type));
    return this;
  }

  fail(name: string, type: FakeType | '*', failure: DnsFailure): this {
    this.failures.set(`${name.toLowerCase()} ${type}`, failure);
    return this;
  }

  private lookup<T>(name: string, type: FakeType): Promise<Lookup<T>> {
    const k = FakeResolver.key(name, type);
    this.asked.push(k);
    const failure = this.failures.get(k) ?? this.failures.get(`${name.toLowerCase()} *`);
    if (failure) return Promise.resolve({ kind: 'failed', failure, detail: `injected ${failure}` });
    const records = this.data.get(k) as T[] | undefined;
    if (records && records.length > 0) return Promise.resolve({ kind: 'found', records });
    const owner = k.slice(0, k.lastIndexOf(' '));
    const exists = [...this.data.keys()].some((key) => {
      const n = key.slice(0, key.lastIndexOf(' '));
      return n === owner || n.endsWith(`.${owner}`);
    });
    return Promise.resolve(exists ? { kind: 'nodata' } : { kind: 'nxdomain' });
  }

  a = (name: string): Promise<Lookup<string>> => this.lookup(name, 'A');
  aaaa = (name: string): Promise<Lookup<string>> => this.lookup(name, 'AAAA');
  cname = (name: string): Promise<Lookup<string>> => this.lookup(name, 'CNAME');
  mx = (name: string): Promise<Lookup<MxRecord>> => this.lookup(name, 'MX');
  txt = (name: string): Promise<Lookup<string>> => this.lookup(name, 'TXT');
  ptr = (ip: string): Promise<Lookup<string>> => this.lookup(ip, 'PTR');
  srv = (name: string): Promise<Lookup<SrvRecord>> => this.lookup(name, 'SRV');
  caa = (name: string): Promise<Lookup<CaaRecord>> => this.lookup(name, 'CAA');
  tlsa = (name: string): Promise<Lookup<TlsaRecord>> => this.lookup(name, 'TLSA');
  authentic = async (name: string, type: 'A' | 'MX' | 'TLSA'): Promise<AuthenticOutcome> => {
    const r = await this.lookup(name, type);
    if (r.kind === 'failed') return r;
    return { kind: 'answered', authentic: this.authenticNames.has(name.toLowerCase()), rcode: r.kind === 'nxdomain' ? 3 : 0 };
  };
}

export const DOMAIN = 'example.test';
export const HOST = 'mail.example.test';
export const IP4 = '192.0.2.10';
export const IP6 = '2001:db8::10';

let cachedKey: string | null = null;
/** A 2048-bit RSA public key (PEM), generated once per test process. */
export function dkimPublicKey(): string {
  cachedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return cachedKey;
}

/** The configuration every good-zone test uses. */
export function goodConfig(): DnsCheckConfig {
  return { hostname: HOST, publicIp: [IP4, IP6], dkim: { selector: 'lb1', publicKeyPem: dkimPublicKey() }, dnsblZone: 'zen.dnsbl.test', caaIssuer: 'letsencrypt.org', mtaStsId: '20250101' };
}
