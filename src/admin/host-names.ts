import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Who may talk to the admin pages, by address (client filter) and by name
 * (Host allowlist against DNS rebinding, T77). Pure except
 * `interfaceAddresses`, which reads the machine's interfaces.
 */

/** IPv4 dotted quad to a 32-bit number, or null. */
function v4(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

function inV4(ip: number, base: string, bits: number): boolean {
  const b = v4(base) as number;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ip & mask) === (b & mask);
}

/**
 * True for loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16,
 * fc00::/7) and link-local (169.254/16, fe80::/10) addresses, also when
 * IPv4-mapped (`::ffff:192.168.1.2`): the clients a LAN appliance serves.
 */
export function isLanAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').replace(/%.*$/, '').toLowerCase();
  const n = v4(ip);
  if (n !== null) {
    return inV4(n, '127.0.0.0', 8) || inV4(n, '10.0.0.0', 8) || inV4(n, '172.16.0.0', 12) || inV4(n, '192.168.0.0', 16) || inV4(n, '169.254.0.0', 16);
  }
  if (isIP(ip) !== 6) return false;
  if (ip === '::1') return true;
  const first = parseInt(ip.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/** The host name of a Host header value, lower-case, without port, brackets or trailing dot; null when malformed. */
export function hostOf(header: string | undefined): string | null {
  if (!header || header.length > 300) return null;
  const h = header.trim().toLowerCase();
  let name: string;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    name = h.slice(1, end);
    const rest = h.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
  } else {
    const m = /^([^:]+)(?::\d{1,5})?$/.exec(h);
    if (!m) return null;
    name = m[1] as string;
  }
  name = name.replace(/\.$/, '');
  return /^[a-z0-9.:_-]+$/.test(name) ? name : null;
}

/** Every address of this machine's interfaces (zones removed), loopbacks included. */
export function interfaceAddresses(): string[] {
  const out = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.push(a.address.replace(/%.*$/, '').toLowerCase());
  }
  return out;
}

/**
 * The names the admin page may be reached by: the hostname, its `.local`
 * forms (mDNS), `localhost`, the box's addresses and any extra names.
 */
export function allowedHosts(hostname: string, addresses: readonly string[], extra: readonly string[] = []): Set<string> {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  const first = h.split('.')[0] ?? h;
  const names = [h, `${first}.local`, h.endsWith('.local') ? h : `${h}.local`, 'localhost', '127.0.0.1', '::1', ...addresses, ...extra];
  return new Set(names.map((n) => n.toLowerCase().replace(/\.$/, '')));
}
