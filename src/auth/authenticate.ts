import type { MailStore } from '../store/types.js';
import { LoginCache } from './login-cache.js';
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from './password.js';
import { sleep, type AuthThrottle } from './throttle.js';

/** Optional context of `authenticate`: who is asking, and the shared throttle. */
export interface AuthenticateOptions {
  /** Client IP; with `throttle`, the attempt is delayed and counted. */
  ip?: string;
  throttle?: AuthThrottle;
  /** Waits the throttle's delay (default: a real timer; tests inject one). */
  wait?: (ms: number) => Promise<void>;
  /**
   * Remembers verified passwords (see `LoginCache`). Default: one cache per
   * store, shared by every protocol that logs in against that store; `false`
   * verifies every login with scrypt.
   */
  cache?: LoginCache | false;
}

/** One login cache per store: IMAP, POP3 and SMTP AUTH of one appliance share it. */
const cacheByStore = new WeakMap<MailStore, LoginCache>();

/** The login cache `authenticate` uses by default for this store (created on first use). */
export function loginCacheFor(store: MailStore): LoginCache {
  let cache = cacheByStore.get(store);
  if (!cache) {
    cache = new LoginCache();
    cacheByStore.set(store, cache);
  }
  return cache;
}

/**
 * Checks an address and password, for every protocol's login (IMAP LOGIN and
 * AUTHENTICATE, POP3 USER/PASS and AUTH, SMTP AUTH).
 *
 * Resolves with the canonical (lower-case) account address on success, null
 * on any failure — the caller answers every failure the same way, so clients
 * cannot tell an unknown user from a wrong password. Unknown users still cost
 * one scrypt verification (against a dummy hash) for the same reason.
 *
 * With `ip` and `throttle`, the answer is first delayed by the throttle's
 * penalty for that client, and the outcome is recorded. On success a hash
 * made with old parameters is replaced (best effort: a failed store write does
 * not fail the login). Rejects only when the store fails to read the account.
 *
 * A password verified recently against the account's current hash is accepted
 * without scrypt (`LoginCache`); a wrong one always gets the full check.
 */
export async function authenticate(store: MailStore, address: string, password: string, options: AuthenticateOptions = {}): Promise<string | null> {
  const { ip, throttle } = options;
  if (ip !== undefined && throttle) await (options.wait ?? sleep)(throttle.delayFor(ip));

  const canonical = address.trim().toLowerCase();
  const account = canonical.includes('@') && password.length > 0 ? await store.getAccount(canonical) : null;
  const cache = options.cache === false ? null : (options.cache ?? loginCacheFor(store));
  const cached = account !== null && cache !== null && cache.matches(account.address, account.passwordHash, password);
  const ok = cached || (account ? await verifyPassword(account.passwordHash, password) : await verifyDummyPassword(password));

  if (ip !== undefined && throttle) {
    if (ok) throttle.recordSuccess(ip);
    else throttle.recordFailure(ip);
  }
  if (!ok || !account) return null;

  let hash = account.passwordHash;
  if (!cached && needsRehash(hash)) {
    try {
      const upgraded = await hashPassword(password);
      // The password may have been changed (CLI, admin page) while we hashed: only replace
      // the hash we verified, never a newer one. (Read and write are not one atomic step; the
      // window is the store round trip, not the ~300 ms of hashing.)
      if ((await store.getAccount(account.address))?.passwordHash === hash) {
        await store.setPasswordHash(account.address, upgraded);
        hash = upgraded;
      }
    } catch {
      // The old hash still works; the upgrade is retried at the next login.
    }
  }
  if (!cached) cache?.remember(account.address, hash, password);
  return account.address;
}
