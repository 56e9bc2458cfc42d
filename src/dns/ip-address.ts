import { isIP, isIPv4, isIPv6 } from 'node:net';

/** Expands an IPv6 address to its eight groups of numbers; null when not IPv6. */
function ipv6Groups(ip: string): number[] | null {
  if (!isIPv6(ip)) return null;
  let text = ip.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = (v4[1] as string).split('.').map(Number);
    text = text.slice(0, v4.index) + `${(((o[0] as number) << 8) | (o[1] as number)).toString(16)}:${(((o[2] as number) << 8) | (o[3] as number)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
}

/** Canonical text of an address for comparisons (IPv6 expanded to 8 groups without leading zeros); non-addresses unchanged. */
export function normalizeIp(ip: string): string {
  const groups = ipv6Groups(ip);
  return groups ? groups.map((g) => g.toString(16)).join(':') : ip.trim();
}

/** True when both texts are the same address. */
export function sameIp(a: string, b: string): boolean {
  return normalizeIp(a) === normalizeIp(b);
}

/** 4 or 6 for an address, 0 otherwise. */
export function ipFamily(ip: string): 0 | 4 | 6 {
  return isIP(ip) as 0 | 4 | 6;
}

/**
 * True for addresses that cannot receive mail from the internet: private
 * (RFC 1918), CGNAT shared space (RFC 6598), loopback, link-local, unique
 * local (RFC 4193), unspecified, and documentation ranges are NOT included
 * (tests use them as "public").
 */
export function isNonPublicIp(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  const g = ipv6Groups(ip);
  if (!g) return false;
  const first = g[0] as number;
  const allZeroPrefix = g.slice(0, 7).every((x) => x === 0);
  if (allZeroPrefix && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return isNonPublicIp(`${(g[6] as number) >> 8}.${(g[6] as number) & 255}.${(g[7] as number) >> 8}.${(g[7] as number) & 255}`);
  return false;
}

/**
 * The DNSBL query name of an address (RFC 5782 §2.1 for IPv4, §2.4 for
 * IPv6 nibbles), e.g. `10.2.0.192.zen.spamhaus.org`.
 */
export function dnsblQueryName(ip: string, zone: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.${zone}`;
  const groups = ipv6Groups(ip);
  if (!groups) throw new Error(`not an IP address: ${ip}`);
  const nibbles = groups.map((g) => g.toString(16).padStart(4, '0')).join('').split('');
  return `${nibbles.reverse().join('.')}.${zone}`;
}

/** True when `value` is an IP address written as a host name (MX targets like `192.0.2.1` or `[192.0.2.1]`). */
export function looksLikeIpLiteral(value: string): boolean {
  const v = value.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return isIP(v) !== 0;
}

/** True when `ip` lies in `network/prefix` (same family only). */
export function ipInNetwork(ip: string, network: string, prefix: number): boolean {
  if (isIPv4(ip) && isIPv4(network)) {
    if (prefix === 0) return true;
    const toInt = (x: string): number => x.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    const mask = prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
    return ((toInt(ip) & mask) >>> 0) === ((toInt(network) & mask) >>> 0);
  }
  const a = ipv6Groups(ip);
  const b = ipv6Groups(network);
  if (!a || !b || isIPv4(ip) || isIPv4(network)) return false;
  let remaining = prefix;
  for (let i = 0; i < 8 && remaining > 0; i++) {
    const bits = Math.min(16, remaining);
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if (((a[i] as number) & mask) !== ((b[i] as number) & mask)) return false;
    remaining -= bits;
  }
  return true;
}
