/**
 * The names and addresses the server certificate must cover.
 *
 * Clients reach the box by its configured hostname, by its mDNS name
 * (`<first label>.local`, as announced on the LAN), by `localhost` on the box
 * itself, and by bare LAN addresses typed into a phone's account settings.
 * Every one of them must be in the SAN, or the client shows a warning the user
 * will learn to click away.
 */
import { isIP, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { MailError } from '../errors.js';

/** The SAN content of a server certificate. */
export interface CertificateNames {
  hostname: string;
  dnsNames: string[];
  ipAddresses: string[];
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalises and checks a DNS hostname (lower case, no trailing dot, LDH
 * labels). Throws MailError('invalid') naming the bad value otherwise.
 */
export function normaliseHostname(hostname: string): string {
  const h = hostname.trim().toLowerCase().replace(/\.$/, '');
  if (h.length === 0 || h.length > 253 || !h.split('.').every((l) => LABEL.test(l))) {
    throw new MailError('invalid', `tls: hostname "${hostname}" is not a valid DNS name`);
  }
  return h;
}

/**
 * The machine's non-internal IPv4 and IPv6 addresses plus both loopbacks.
 * Link-local IPv6 addresses carry a zone that a certificate cannot express;
 * they are left out.
 */
export function defaultAddresses(): string[] {
  const out = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      out.push(a.address);
    }
  }
  return out;
}

/**
 * Every DNS name and IP address the certificate for `hostname` must carry,
 * deduplicated. Throws MailError('invalid') on a bad hostname or address.
 */
export function certificateNames(hostname: string, addresses: readonly string[]): CertificateNames {
  const h = normaliseHostname(hostname);
  const first = h.split('.')[0] ?? h;
  const dns = new Set<string>([h, `${first}.local`]);
  if (!h.endsWith('.local')) dns.add(`${h}.local`);
  dns.add('localhost');
  const ips = new Map<string, string>();
  for (const raw of addresses) {
    const ip = raw.trim();
    const bytes = ipToBytes(ip);
    if (!bytes) throw new MailError('invalid', `tls: address "${raw}" is not an IP address`);
    ips.set(bytes.toString('hex'), ip);
  }
  return { hostname: h, dnsNames: [...dns], ipAddresses: [...ips.values()] };
}

/**
 * The 4 or 16 network-order bytes of an IP address, or undefined when `ip`
 * is not a literal address (zone suffixes like `%eth0` are not accepted).
 */
export function ipToBytes(ip: string): Buffer | undefined {
  const kind = isIP(ip);
  if (kind === 4) return Buffer.from(ip.split('.').map((p) => Number(p)));
  // Node's isIP accepts zone suffixes (fe80::1%eth0); a certificate cannot hold one.
  if (kind !== 6 || ip.includes('%')) return undefined;
  let text = ip;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    const b = maybeV4.split('.').map((p) => Number(p));
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  if (rest === undefined) {
    groups = parse(head);
  } else {
    const left = parse(head);
    const right = parse(rest);
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  if (groups.length !== 8) return undefined;
  if (tail.length === 2) groups.splice(6, 2, ...tail);
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/**
 * Canonical keys (`dns:<name>` / `ip:<hex>`) for a set of names, so the SAN
 * of a stored certificate can be compared with what it should hold.
 */
export function sanKeys(names: Pick<CertificateNames, 'dnsNames' | 'ipAddresses'>): Set<string> {
  const keys = new Set<string>();
  for (const d of names.dnsNames) keys.add(`dns:${d.toLowerCase()}`);
  for (const ip of names.ipAddresses) {
    const b = ipToBytes(ip);
    keys.add(b ? `ip:${b.toString('hex')}` : `ip?:${ip}`);
  }
  return keys;
}

/**
 * Parses Node's `X509Certificate.subjectAltName` text (`DNS:a, IP Address:b`)
 * into the same canonical keys. Entries of other kinds are kept verbatim so
 * they make a comparison fail rather than vanish.
 */
export function sanKeysFromText(subjectAltName: string | undefined): Set<string> {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const other = new Set<string>();
  for (const entry of (subjectAltName ?? '').split(', ')) {
    if (entry === '') continue;
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ipAddresses.push(entry.slice(11));
    else other.add(`other:${entry}`);
  }
  const keys = sanKeys({ dnsNames, ipAddresses });
  for (const o of other) keys.add(o);
  return keys;
}

/** True when both sets hold exactly the same keys. */
export function sameKeys(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
