/**
 * Types of the DNS self-check: what the checks ask the resolver, what they are
 * configured with, and what they report. Nothing here does I/O.
 */

/** How a check came out. UNKNOWN means "could not determine" (timeout, SERVFAIL, refused, input missing), never "missing". */
export type CheckStatus = 'OK' | 'WARN' | 'FAIL' | 'UNKNOWN';

/** How much a record or check matters for mail to flow, as shown to the owner. */
export type Importance = 'required' | 'recommended' | 'optional';

/** Why a lookup produced no answer although the name may exist. All of these map to UNKNOWN. */
export type DnsFailure = 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'ERROR';

/**
 * The outcome of one DNS question. `nxdomain` (the name does not exist) and
 * `nodata` (the name exists without records of that type) are real answers;
 * `failed` is not, and checks must report it as UNKNOWN.
 */
export type Lookup<T> =
  | { kind: 'found'; records: T[] }
  | { kind: 'nxdomain' }
  | { kind: 'nodata' }
  | { kind: 'failed'; failure: DnsFailure; detail: string };

/** An MX record. A null MX (RFC 7505) has `exchange` `''`. */
export interface MxRecord {
  priority: number;
  exchange: string;
}

/** An SRV record (RFC 2782). "Service not offered" (RFC 6186 §4) has `target` `''`. */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A CAA record (RFC 8659): `tag` is issue, issuewild, iodef…, `value` its text. */
export interface CaaRecord {
  critical: number;
  tag: string;
  value: string;
}

/** A TLSA record (RFC 6698) with the certificate association data in lower-case hex. */
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
}

/** Whether a validating resolver set the AD bit on an answer (RFC 4035 §3.2.3). */
export type AuthenticOutcome =
  | { kind: 'answered'; authentic: boolean; rcode: number }
  | { kind: 'failed'; failure: DnsFailure; detail: string };

/**
 * The questions the self-check asks. Every method resolves (never rejects)
 * with a `Lookup`; names are absolute (a trailing dot is implied and never
 * resolved against a search list). Production uses `createDnsResolver` over
 * configured servers; tests inject a fake.
 */
export interface DnsResolver {
  a(name: string): Promise<Lookup<string>>;
  aaaa(name: string): Promise<Lookup<string>>;
  /** The CNAME target of `name` itself (not followed). */
  cname(name: string): Promise<Lookup<string>>;
  mx(name: string): Promise<Lookup<MxRecord>>;
  /** One string per TXT record, its character-strings joined without separator. */
  txt(name: string): Promise<Lookup<string>>;
  /** PTR names of an IPv4 or IPv6 address (the in-addr/ip6.arpa name is built by the resolver). */
  ptr(ip: string): Promise<Lookup<string>>;
  srv(name: string): Promise<Lookup<SrvRecord>>;
  caa(name: string): Promise<Lookup<CaaRecord>>;
  tlsa(name: string): Promise<Lookup<TlsaRecord>>;
  /** Asks for `type` at `name` and reports whether the answer came back authentic. */
  authentic(name: string, type: 'A' | 'MX' | 'TLSA'): Promise<AuthenticOutcome>;
}

/** An authenticated relay that carries all outgoing mail instead of direct delivery. */
export interface SmarthostInput {
  host: string;
  port?: number;
  /** The relay's published SPF name to include, e.g. `spf.relay.example` (from its documentation). */
  spfInclude?: string;
}

/** Our DKIM signing identity (the public half only). */
export interface DkimInput {
  selector: string;
  /** The public key as PEM (SubjectPublicKeyInfo), RSA or Ed25519. */
  publicKeyPem: string;
}

/** Ports of the client services; `false` = not offered (published as "0 0 0 ." per RFC 6186 §4). */
export interface ClientServicePorts {
  submissions: number | false;
  submission: number | false;
  imaps: number | false;
  imap: number | false;
  pop3s: number | false;
  pop3: number | false;
}

/** The standard ports (RFC 8314 §7.3, RFC 6409, RFC 3501, RFC 1939). */
export const DEFAULT_CLIENT_SERVICES: ClientServicePorts = {
  submissions: 465,
  submission: 587,
  imaps: 993,
  imap: 143,
  pop3s: 995,
  pop3: 110,
};

/** The Spamhaus zone that combines SBL, CSS, XBL and PBL. */
export const DEFAULT_DNSBL_ZONE = 'zen.spamhaus.org';

/**
 * What the self-check needs to know about the appliance. Only `hostname` is
 * required; every check whose input is missing reports UNKNOWN (or, for
 * DKIM/smarthost, checks the setup that is actually in use).
 */
export interface DnsCheckConfig {
  /** The mail host name H (EHLO name, MX target), e.g. `mail.example.org`. */
  hostname: string;
  /** Public addresses the box receives and sends on (IPv4 and/or IPv6), when the owner knows them. */
  publicIp?: string | readonly string[];
  /** Owner-configured URL answering the caller's public address as plain text; used when `publicIp` is absent. */
  echoUrl?: string;
  smarthost?: SmarthostInput;
  dkim?: DkimInput;
  /** A new key made by rotation that waits for its record before it signs (listed in "records to create"). */
  dkimPending?: DkimInput;
  /** DNSBL zone for the IP reputation check (tests point it at a local zone). */
  dnsblZone?: string;
  /** The CA that issues our public certificates, as CAA `issue` names it (e.g. `letsencrypt.org`). */
  caaIssuer?: string;
  /** Client service ports for the SRV checks; defaults to `DEFAULT_CLIENT_SERVICES`. */
  services?: Partial<ClientServicePorts>;
  /** False when the box sends over IPv4 only (then a missing IPv6 PTR is no problem). Default true. */
  ipv6Sending?: boolean;
  /** Hex SHA-256 of our certificate's SubjectPublicKeyInfo, for DANE `3 1 1` checks and records. */
  tlsaSpkiSha256?: string;
  /** `id` for the `_mta-sts` record in "records to create" (RFC 8461 §3.1: 1–32 alphanumerics). */
  mtaStsId?: string;
}

/** One line of the self-check's answer, shown to the owner. */
export interface CheckResult {
  /** Stable identifier of the check, e.g. `spf`, `mx`, `ptr-v4`. */
  id: string;
  /** The name or address checked (a domain, the host name, an IP); `subject` + `id` is unique in a report. */
  subject: string;
  /** The mail domain this line belongs to, absent for host-wide checks. */
  domain?: string;
  title: string;
  importance: Importance;
  status: CheckStatus;
  /** One line: what was found. */
  finding: string;
  /** One concrete action, saying where to make it (DNS host, router, ISP). Present for every non-OK status. */
  fix?: string;
  /** The value found in DNS, when there is one to show. */
  current?: string;
  /** The value that should be there. */
  expected?: string;
}

/** One record of "records to create". */
export interface ExpectedRecord {
  /** Absolute owner name without trailing dot. */
  name: string;
  type: 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'SRV' | 'CAA' | 'TLSA' | 'PTR';
  /** The RDATA in zone-file syntax (TXT values already quoted and split into ≤255-character strings). */
  value: string;
  ttl: number;
  importance: Importance;
  /** Where the owner makes this record: the DNS host, or the ISP (PTR). */
  where: 'dns-host' | 'isp';
  comment: string;
  /** True when the record must not be published yet (TLSA without DNSSEC): emitted commented out. */
  disabled?: boolean;
}

/** The records one domain should publish, as data and as a zone-file snippet. */
export interface DomainRecords {
  domain: string;
  records: ExpectedRecord[];
  zoneText: string;
}

/** Everything one self-check run found. Plain JSON: the daily run stores it and the admin API returns it. */
export interface DnsCheckReport {
  /** ISO time of the run. */
  checkedAt: string;
  hostname: string;
  domains: string[];
  publicIps: string[];
  publicIpSource: 'config' | 'echo' | 'none';
  /** Worst status over all results (FAIL > UNKNOWN > WARN > OK). */
  worst: CheckStatus;
  results: CheckResult[];
  expected: DomainRecords[];
}

/**
 * The client services this box offers, from the boot file's `listen` map: a
 * service switched off (`false`) is published as "not offered" (RFC 6186 §4);
 * one that listens is published on its standard port, because SRV records
 * name the port mail programs reach from outside (a checkout's unprivileged
 * ports sit behind the router's forwarding, not in DNS).
 */
export function offeredClientServices(listen: Partial<Record<keyof ClientServicePorts, unknown>>): ClientServicePorts {
  const offered = { ...DEFAULT_CLIENT_SERVICES };
  for (const name of Object.keys(offered) as (keyof ClientServicePorts)[]) {
    if (listen[name] === false) offered[name] = false;
  }
  return offered;
}
