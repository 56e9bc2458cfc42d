import { isIPv4, isIPv6 } from 'node:net';
import type { ListenAddress } from './types.js';

/** A DNS name as a bind host: letters, digits and hyphens in dot-separated labels (e.g. `localhost`). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Parses a listen value from the boot file: `"host:port"`, `"[v6]:port"` or `false`.
 *
 * The host is an IPv4 address, a bracketed IPv6 address or a host name; the
 * port is 0–65535 (0 asks the kernel for a free port, which tests use).
 * Returns the parsed address, or a string saying what is wrong (the caller
 * adds the key path); it never throws.
 */
export function parseListenAddress(value: unknown): ListenAddress | string {
  if (value === false) return false;
  if (typeof value !== 'string') {
    return `must be "host:port" or false (got ${describeValue(value)})`;
  }
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') {
      return `must be "[IPv6]:port" (got ${JSON.stringify(value)})`;
    }
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (!isIPv6(host)) return `has an invalid IPv6 address "${host}"`;
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) return `must be "host:port" (got ${JSON.stringify(value)}: no port)`;
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) {
      return `must write an IPv6 address in brackets, as "[::1]:25" (got ${JSON.stringify(value)})`;
    }
    if (!isIPv4(host) && !HOST_NAME.test(host)) {
      return `has an invalid host "${host}" (expected an IPv4 address, [IPv6] or a host name)`;
    }
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return `has an invalid port "${portText}" (expected 0-65535)`;
  }
  return { host, port: Number(portText) };
}

/**
 * Formats an address the way the boot file and the `start` output write it:
 * `127.0.0.1:2525`, `[::1]:25`, or `off` for a disabled service.
 */
export function formatListenAddress(address: ListenAddress): string {
  if (address === false) return 'off';
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Short description of a JSON value for error messages: its type, and the value when short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a long string';
  return `${typeof value} ${String(value)}`;
}
