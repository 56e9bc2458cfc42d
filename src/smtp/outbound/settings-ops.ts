import { MailError } from '../../errors.js';
import type { MailStore } from '../../store/types.js';
import { activateDkimKeys, dkimTxtValue, ensureDkimKeys, listDkimKeys, removeDkimKey, rotateDkimKeys, splitTxt } from './dkim-keys.js';
import { OUTBOUND_SETTINGS_NAME, readOutboundSettings, validateSmarthost, type SmarthostConfig, type StoredOutboundSettings } from './settings.js';

/**
 * The management operations of sending mail, shared by the control socket,
 * the CLI (offline) and the admin API: smarthost configuration and DKIM keys.
 * Each change is one synced store write. Passwords are never returned.
 */

/** A smarthost as shown to the owner (no password). */
export interface RelaySummary {
  /** '*' for all destinations, else the destination domain. */
  domain: string;
  host: string;
  port: number;
  tls: string;
  username?: string;
}

async function stored(store: MailStore): Promise<StoredOutboundSettings> {
  return ((await store.getSetting(OUTBOUND_SETTINGS_NAME)) as StoredOutboundSettings | null) ?? {};
}

function summary(domain: string, r: SmarthostConfig): RelaySummary {
  return { domain, host: r.host, port: r.port, tls: r.tls, ...(r.username !== undefined ? { username: r.username } : {}) };
}

/** Sets the smarthost for all mail, or for one destination `domain`. Fails `invalid`. */
export async function setRelay(
  store: MailStore,
  input: { host: string; port?: number; tls?: string; username?: string; password?: string; domain?: string },
): Promise<RelaySummary> {
  const relay = validateSmarthost(input);
  const doc = await stored(store);
  if (input.domain) {
    const domain = input.domain.trim().toLowerCase();
    if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain)) throw new MailError('invalid', `invalid domain "${input.domain}"`);
    doc.relayDomains = { ...doc.relayDomains, [domain]: relay };
    await store.putSetting(OUTBOUND_SETTINGS_NAME, doc);
    return summary(domain, relay);
  }
  doc.relay = relay;
  await store.putSetting(OUTBOUND_SETTINGS_NAME, doc);
  return summary('*', relay);
}

/** Every configured smarthost ('*' first). */
export async function showRelays(store: MailStore): Promise<RelaySummary[]> {
  const s = await readOutboundSettings(store);
  const out = s.relay ? [summary('*', s.relay)] : [];
  for (const [domain, r] of Object.entries(s.relayDomains).sort()) out.push(summary(domain, r));
  return out;
}

/** Removes the smarthost for all mail (no domain) or for one domain. Fails `notFound`. */
export async function clearRelay(store: MailStore, domain?: string): Promise<{ domain: string }> {
  const doc = await stored(store);
  if (domain) {
    const d = domain.trim().toLowerCase();
    if (!doc.relayDomains?.[d]) throw new MailError('notFound', `no relay set for ${d}`);
    const rest = { ...doc.relayDomains };
    delete rest[d];
    doc.relayDomains = rest;
    await store.putSetting(OUTBOUND_SETTINGS_NAME, doc);
    return { domain: d };
  }
  if (!doc.relay) throw new MailError('notFound', 'no relay set for all mail');
  doc.relay = null;
  await store.putSetting(OUTBOUND_SETTINGS_NAME, doc);
  return { domain: '*' };
}

/** One DKIM key as the owner publishes it. */
export interface DkimRecord {
  domain: string;
  selector: string;
  algorithm: string;
  /** True for the key that signs (same as `state === 'active'`; kept for API clients). */
  active: boolean;
  /** `active` signs; `pending` waits for its record to be published; `retired` signed before and may be removed. */
  state: 'active' | 'pending' | 'retired';
  /** DNS name of the TXT record. */
  name: string;
  /** The TXT value in ≤ 255-character strings. */
  txt: string[];
}

/** DKIM records of one domain or of every local domain; missing keys are generated first. Fails `notFound` for a domain that is not ours. */
export async function showDkim(store: MailStore, domain?: string): Promise<DkimRecord[]> {
  const domains = domain ? [domain.trim().toLowerCase()] : await store.listDomains();
  const settings = await readOutboundSettings(store);
  const out: DkimRecord[] = [];
  for (const d of domains) {
    if (!store.isLocalDomain(d)) throw new MailError('notFound', `${d} is not a local domain`);
    await ensureDkimKeys(store, d, settings.dkim);
    for (const k of await listDkimKeys(store, d)) {
      const state = k.active ? 'active' : k.pending ? 'pending' : 'retired';
      out.push({ domain: d, selector: k.selector, algorithm: k.algorithm, active: k.active, state, name: `${k.selector}._domainkey.${d}`, txt: splitTxt(dkimTxtValue(k)) });
    }
  }
  return out;
}

function localDomain(store: MailStore, domain: string): string {
  const d = domain.trim().toLowerCase();
  if (!store.isLocalDomain(d)) throw new MailError('notFound', `${d} is not a local domain`);
  return d;
}

/**
 * New key(s) for `domain`, waiting (`pending`) while the owner publishes their
 * records; the current keys keep signing. Fails `notFound`, `exists`, `invalid`.
 */
export async function rotateDkim(store: MailStore, domain: string, selector?: string): Promise<DkimRecord[]> {
  const d = localDomain(store, domain);
  const settings = await readOutboundSettings(store);
  // A domain without keys gets its first (signing) ones, so there is something to rotate from.
  if ((await listDkimKeys(store, d)).length === 0) await ensureDkimKeys(store, d, settings.dkim);
  await rotateDkimKeys(store, d, settings.dkim, selector);
  return showDkim(store, d);
}

/** The waiting key(s) start signing; the ones they replace are retired. Fails `notFound` (domain, or no key waiting). */
export async function activateDkim(store: MailStore, domain: string): Promise<DkimRecord[]> {
  const d = localDomain(store, domain);
  await activateDkimKeys(store, d);
  return showDkim(store, d);
}

/** Removes a retired or waiting key. Fails `notFound`, or `inUse` for the key that signs. */
export async function removeDkim(store: MailStore, domain: string, selector: string): Promise<DkimRecord[]> {
  const d = localDomain(store, domain);
  await removeDkimKey(store, d, selector);
  return showDkim(store, d);
}
