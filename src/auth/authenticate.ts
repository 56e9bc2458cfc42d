import type { MailStore } from '../store/types.js';
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from './password.js';
import { sleep, type AuthThrottle } from './throttle.js';

/** Optional context of `authenticate`: who is asking, and the shared throttle. */
export interface AuthenticateOptions {
  /** Client IP; with `throttle`, the attempt is delayed and counted. */
  ip?: string;
  throttle?: AuthThrottle;
  /** Waits the throttle's delay (default: a real timer; tests inject one). */
  wait?: (ms: number) => Promise<void>;
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
 */
export async function authenticate(store: MailStore, address: string, password: string, options: AuthenticateOptions = {}): Promise<string | null> {
  const { ip, throttle } = options;
  if (ip !== undefined && throttle) await (options.wait ?? sleep)(throttle.delayFor(ip));

  const canonical = address.trim().toLowerCase();
  const account = canonical.includes('@') && password.length > 0 ? await store.getAccount(canonical) : null;
  const ok = account ? await verifyPassword(account.passwordHash, password) : await verifyDummyPassword(password);

  if (ip !== undefined && throttle) {
    if (ok) throttle.recordSuccess(ip);
    else throttle.recordFailure(ip);
  }
  if (!ok || !account) return null;

  if (needsRehash(account.passwordHash)) {
    try {
      await store.setPasswordHash(account.address, await hashPassword(password));
    } catch {
      // The old hash still works; the upgrade is retried at the next login.
    }
  }
  return account.address;
}
