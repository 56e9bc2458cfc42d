import { isIP } from 'node:net';
import { MailError } from '../errors.js';

/** Fetches the caller's public address from an echo URL; injectable for tests. */
export type PublicIpFetcher = (url: string) => Promise<string>;

/**
 * Asks an owner-configured echo service (e.g. an HTTPS URL that answers the
 * caller's address as plain text, like icanhazip) for this box's public
 * address. Resolves with the address (IPv4 or IPv6). Fails with
 * `MailError('invalid')` for a non-http(s) URL or an answer that is not an
 * address, and `MailError('temporary')` for network errors, non-2xx answers
 * and the timeout. Reads at most 1 KiB of the answer.
 */
export async function fetchPublicIp(url: string, timeoutMs = 5000): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MailError('invalid', `echo URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new MailError('invalid', `echo URL "${url}" must be http or https`);
  let text: string;
  try {
    const response = await fetch(parsed, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow', headers: { accept: 'text/plain' } });
    if (!response.ok) throw new MailError('temporary', `echo URL answered HTTP ${response.status}`);
    text = (await response.text()).slice(0, 1024);
  } catch (err) {
    if (err instanceof MailError) throw err;
    throw new MailError('temporary', `echo URL did not answer: ${(err as Error).message}`, err);
  }
  const ip = text.trim();
  if (isIP(ip) === 0) throw new MailError('invalid', 'echo URL did not answer with an IP address');
  return ip;
}
