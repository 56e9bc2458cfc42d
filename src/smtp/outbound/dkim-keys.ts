import { createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { MailError } from '../../errors.js';
import type { MailStore } from '../../store/types.js';

/**
 * DKIM keys per domain (RFC 6376, Ed25519 per RFC 8463), generated on the box
 * and kept in the store as the settings document `dkim`. Each domain has one
 * active key per algorithm (used for signing) and any number of retired keys.
 * Rotation is two steps, so that no mail is signed with a key receivers cannot
 * find yet: `rotateDkimKeys` makes a new key under a new selector that only
 * waits (pending) while the owner publishes its record; `activateDkimKeys`
 * then makes it sign and retires the old one. A retired key stays listed (and
 * must stay published in DNS for a few days, so mail signed just before the
 * switch still verifies) until the owner removes it with `removeDkimKey`.
 */

export type DkimAlgorithm = 'rsa' | 'ed25519';

export interface DkimKey {
  selector: string;
  algorithm: DkimAlgorithm;
  /** PKCS#8 PEM. Never leaves the box except through the owner's own store. */
  privateKey: string;
  /** The `p=` value of the DNS record. */
  publicKey: string;
  createdAt: number;
  active: boolean;
  /** Made by rotation and waiting for its DNS record; never signs until `activateDkimKeys`. */
  pending?: boolean;
}

export interface DkimDocument {
  domains: Record<string, DkimKey[]>;
}

export const DKIM_SETTINGS_NAME = 'dkim';

const generate = promisify(generateKeyPair);

async function loadDoc(store: MailStore): Promise<DkimDocument> {
  const doc = (await store.getSetting(DKIM_SETTINGS_NAME)) as DkimDocument | null;
  return doc && typeof doc.domains === 'object' ? doc : { domains: {} };
}

/** A new key pair of `algorithm` (RSA-2048 by default strength). */
export async function newDkimKey(selector: string, algorithm: DkimAlgorithm, now = Date.now()): Promise<DkimKey> {
  if (algorithm === 'rsa') {
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    return { selector, algorithm, privateKey, publicKey: publicKey.toString('base64'), createdAt: now, active: true };
  }
  const { privateKey } = await generate('ed25519', { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  // RFC 8463 §4.2: p= is the raw 32-byte public key, not the SPKI structure.
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x?: string };
  return { selector, algorithm, privateKey, publicKey: Buffer.from(jwk.x ?? '', 'base64url').toString('base64'), createdAt: now, active: true };
}

/** The TXT record value for a key (RFC 6376 §3.6.1). */
export function dkimTxtValue(key: Pick<DkimKey, 'algorithm' | 'publicKey'>): string {
  return `v=DKIM1; k=${key.algorithm}; p=${key.publicKey}`;
}

/**
 * A TXT value as DNS character-strings of at most 255 bytes each (RFC 1035
 * §3.3.14; RFC 6376 §3.6.2.2: a verifier concatenates them), each quoted, as
 * zone files and most DNS panels take them.
 */
export function splitTxt(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out;
}

let serial: Promise<unknown> = Promise.resolve();
/** Read-modify-write of the `dkim` document, one at a time within this process. */
function update<T>(fn: () => Promise<T>): Promise<T> {
  const run = serial.then(fn);
  serial = run.catch(() => undefined);
  return run;
}

/**
 * The domain's active keys (the ones that sign), generating keys as needed:
 * RSA always, Ed25519 too when `ed25519` is set (a second signature, RFC 8463
 * §1). On first use, when the domain has no active key at all, the new keys
 * sign at once (nothing was signed before, so nothing can break). Later, a key
 * for an algorithm the domain lacks (Ed25519 switched on) is made pending, like
 * a rotation: it waits for its record and `activateDkimKeys`.
 */
export function ensureDkimKeys(store: MailStore, domain: string, settings: { selector: string; ed25519: boolean }): Promise<DkimKey[]> {
  const d = domain.toLowerCase();
  return update(async () => {
    const doc = await loadDoc(store);
    const keys = doc.domains[d] ?? [];
    const wanted: DkimAlgorithm[] = settings.ed25519 ? ['rsa', 'ed25519'] : ['rsa'];
    const firstUse = !keys.some((k) => k.active);
    let changed = false;
    for (const algorithm of wanted) {
      if (keys.some((k) => (k.active || k.pending) && k.algorithm === algorithm)) continue;
      const selector = algorithm === 'rsa' ? settings.selector : `${settings.selector}-ed`;
      const key = await newDkimKey(uniqueSelector(keys, selector.toLowerCase()), algorithm);
      keys.push(firstUse ? key : { ...key, active: false, pending: true });
      changed = true;
    }
    if (changed) {
      doc.domains[d] = keys;
      await store.putSetting(DKIM_SETTINGS_NAME, doc);
    }
    return keys.filter((k) => k.active && wanted.includes(k.algorithm));
  });
}

function uniqueSelector(keys: DkimKey[], base: string): string {
  if (!keys.some((k) => k.selector === base)) return base;
  for (let n = 2; ; n++) if (!keys.some((k) => k.selector === `${base}${n}`)) return `${base}${n}`;
}

/** Every key of a domain (active, pending and retired), oldest first. */
export async function listDkimKeys(store: MailStore, domain: string): Promise<DkimKey[]> {
  return (await loadDoc(store)).domains[domain.toLowerCase()] ?? [];
}

/** A DKIM public key as the DNS self-check takes it: selector and PEM. */
export interface DkimPublicKey {
  selector: string;
  publicKeyPem: string;
}

/**
 * The selector and public key (PEM) of the domain's active RSA signing key and
 * of the RSA key waiting to replace it, read in one go, as the DNS self-check
 * compares them with DNS; each absent when there is no such key.
 */
export async function dkimPublicKeys(store: MailStore, domain: string): Promise<{ active?: DkimPublicKey; pending?: DkimPublicKey }> {
  const rsa = (await listDkimKeys(store, domain)).filter((k) => k.algorithm === 'rsa');
  const pem = (k: DkimKey | undefined): DkimPublicKey | undefined =>
    k && { selector: k.selector, publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${(k.publicKey.match(/.{1,64}/g) ?? []).join('\n')}\n-----END PUBLIC KEY-----\n` };
  const active = pem(rsa.find((k) => k.active));
  const pending = pem(rsa.find((k) => k.pending === true));
  return { ...(active ? { active } : {}), ...(pending ? { pending } : {}) };
}

/**
 * Makes a new pending key for each algorithm in use under `selector` (default:
 * the base selector with today's date). The active keys keep signing until
 * `activateDkimKeys`. Fails `exists` when the selector is taken or a new key
 * is already waiting, `invalid` for a selector that is not a DNS label.
 */
export function rotateDkimKeys(store: MailStore, domain: string, settings: { selector: string; ed25519: boolean }, selector?: string, now = Date.now()): Promise<DkimKey[]> {
  const d = domain.toLowerCase();
  return update(async () => {
    const doc = await loadDoc(store);
    const keys = doc.domains[d] ?? [];
    const waiting = keys.find((k) => k.pending);
    if (waiting) throw new MailError('exists', `a new DKIM key (${waiting.selector}) is already waiting for ${d}: start signing with it, or remove it first`);
    // Lower case: DNS names are case-insensitive, so "MAIL" and "mail" would be one record.
    const base = (selector ?? `${settings.selector}-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}`).toLowerCase();
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(base)) throw new MailError('invalid', `selector "${base}" must be a DNS label`);
    const algorithms = new Set<DkimAlgorithm>(['rsa', ...(settings.ed25519 || keys.some((k) => k.active && k.algorithm === 'ed25519') ? (['ed25519'] as const) : [])]);
    const fresh: DkimKey[] = [];
    for (const algorithm of algorithms) {
      const name = algorithm === 'rsa' ? base : `${base}-ed`;
      if (keys.some((k) => k.selector === name)) throw new MailError('exists', `selector ${name} is already used for ${d}`);
      fresh.push({ ...(await newDkimKey(name, algorithm, now)), active: false, pending: true });
    }
    doc.domains[d] = [...keys, ...fresh];
    await store.putSetting(DKIM_SETTINGS_NAME, doc);
    return fresh;
  });
}

/**
 * Makes the pending keys sign and retires the keys they replace (same
 * algorithm); the retired ones stay listed. The caller has made sure the new
 * records are published. Fails `notFound` when no new key is waiting.
 */
export function activateDkimKeys(store: MailStore, domain: string): Promise<DkimKey[]> {
  const d = domain.toLowerCase();
  return update(async () => {
    const doc = await loadDoc(store);
    const keys = doc.domains[d] ?? [];
    const fresh = keys.filter((k) => k.pending);
    if (fresh.length === 0) throw new MailError('notFound', `no new DKIM key is waiting for ${d}; make one first`);
    const algorithms = new Set(fresh.map((k) => k.algorithm));
    for (const k of keys) if (k.active && algorithms.has(k.algorithm)) k.active = false;
    for (const k of fresh) {
      k.active = true;
      delete k.pending;
    }
    await store.putSetting(DKIM_SETTINGS_NAME, doc);
    return fresh;
  });
}

/** Deletes a retired or pending key (after its DNS record was removed). Fails `notFound`, or `inUse` for an active key. */
export function removeDkimKey(store: MailStore, domain: string, selector: string): Promise<void> {
  const d = domain.toLowerCase();
  return update(async () => {
    const doc = await loadDoc(store);
    const keys = doc.domains[d] ?? [];
    const key = keys.find((k) => k.selector === selector);
    if (!key) throw new MailError('notFound', `no DKIM key ${selector} for ${d}`);
    if (key.active) throw new MailError('inUse', `DKIM key ${selector} is in use; rotate first`);
    doc.domains[d] = keys.filter((k) => k !== key);
    await store.putSetting(DKIM_SETTINGS_NAME, doc);
  });
}
