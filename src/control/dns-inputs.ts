import type { DnsCheckConfig } from '../dns/types.js';
import type { MailStore } from '../store/types.js';

/**
 * What the DNS self-check needs from the store, gathered in one place so the
 * daily run, the admin page and `letterbox check-dns` judge the same setup:
 * the local domains, each domain's active DKIM signing key (and the new one
 * waiting to replace it, if any), and the relay
 * (smarthost) all outbound mail goes through, if one is set.
 */
export interface DnsCheckInputs {
  /** Local domains, or only the one asked for. */
  domains: string[];
  /** Active RSA DKIM key per domain (domains without a key yet are absent). */
  dkim: Record<string, NonNullable<DnsCheckConfig['dkim']>>;
  /** A new RSA key per domain that waits for its record before it signs (absent when none waits). */
  dkimPending?: Record<string, NonNullable<DnsCheckConfig['dkim']>>;
  /** The box-wide relay; then SPF, PTR and blocklists concern the relay, not the box. */
  relay?: { host: string; port: number };
}

/**
 * Reads the inputs for `domain` (or every local domain). Read-only; creates no
 * DKIM key (a domain that has sent no mail yet has none). Rejects only when
 * the store cannot be read.
 */
export async function collectDnsCheckInputs(store: MailStore, domain?: string): Promise<DnsCheckInputs> {
  const { dkimPublicKeys } = await import('../smtp/outbound/dkim-keys.js');
  const { readOutboundSettings } = await import('../smtp/outbound/settings.js');
  const domains = domain !== undefined ? [domain.trim().toLowerCase()] : await store.listDomains();
  const dkim: DnsCheckInputs['dkim'] = {};
  const dkimPending: NonNullable<DnsCheckInputs['dkimPending']> = {};
  for (const d of domains) {
    const { active, pending } = await dkimPublicKeys(store, d);
    if (active) dkim[d] = active;
    if (pending) dkimPending[d] = pending;
  }
  const relay = (await readOutboundSettings(store)).relay;
  const out: DnsCheckInputs = { domains, dkim, ...(Object.keys(dkimPending).length > 0 ? { dkimPending } : {}) };
  return relay ? { ...out, relay: { host: relay.host, port: relay.port } } : out;
}
