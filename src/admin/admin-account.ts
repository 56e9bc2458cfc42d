import { MailError } from '../errors.js';
import type { MailStore } from '../store/types.js';

/**
 * The admin account, kept in the store as the settings document
 * `admin.account` (one synced write per change). Its presence is what
 * "claimed" means. The password is a scrypt PHC string from
 * `src/auth/password.ts`; the TOTP secret is stored in base32 because the
 * box must compute codes from it (it is not a password).
 */

export const ADMIN_ACCOUNT_SETTING = 'admin.account';

export interface AdminAccount {
  username: string;
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  /** Base32 TOTP secret once TOTP is enabled. */
  totpSecret?: string;
  /** Secret offered by `/api/totp/setup`, enabled after one correct code. */
  totpPending?: string;
  /** Last TOTP time step accepted, so a code works only once (RFC 6238 §5.2). */
  totpLastStep?: number;
}

/** User names: short, printable, no spaces. */
export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';

/** The admin account, or null while the box is unclaimed. Fails `temporary` when the store cannot be read. */
export async function readAdminAccount(store: MailStore): Promise<AdminAccount | null> {
  const doc = (await store.getSetting(ADMIN_ACCOUNT_SETTING)) as AdminAccount | null;
  return doc && typeof doc.username === 'string' && typeof doc.passwordHash === 'string' ? doc : null;
}

/** True once an admin account exists. */
export async function isAdminClaimed(store: MailStore): Promise<boolean> {
  return (await readAdminAccount(store)) !== null;
}

/** Stores the whole account document (one synced batch). */
export async function writeAdminAccount(store: MailStore, account: AdminAccount): Promise<void> {
  if (!new RegExp(USERNAME_PATTERN).test(account.username)) throw new MailError('invalid', 'invalid admin user name');
  await store.putSetting(ADMIN_ACCOUNT_SETTING, { ...account });
}

/** Removes the admin account: the box is unclaimed again (`letterbox admin reset-claim`). */
export async function deleteAdminAccount(store: MailStore): Promise<void> {
  await store.putSetting(ADMIN_ACCOUNT_SETTING, null);
}
