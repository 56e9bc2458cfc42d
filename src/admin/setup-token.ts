import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../system/atomic-file.js';

/**
 * The one-time setup token (T71). There is no default password: on first
 * start the box makes 130 random bits, prints them on the console and writes
 * them to `DIR/setup-token` (mode 0600, fsynced; the firmware copies it to the
 * boot partition). Whoever creates the admin account must present it, so the
 * first person to reach the page on the LAN cannot simply claim the box.
 * The token is not derived from anything (MAC, serial): it is pure randomness.
 */

/** File name of the token in the data directory. */
export const SETUP_TOKEN_FILE = 'setup-token';

/** RFC 4648 base32 alphabet: no 0/1/8/9, so the printed token has no look-alike digits. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh token: 26 base32 characters (130 bits) in groups of four for reading aloud. */
export function newSetupToken(): string {
  const bytes = randomBytes(26);
  let out = '';
  for (let i = 0; i < 26; i++) out += ALPHABET[(bytes[i] as number) & 31];
  return (out.match(/.{1,4}/g) as string[]).join('-');
}

/** The token as compared: upper case, without dashes or spaces. Pure. */
export function normaliseToken(token: string): string {
  return token.replace(/[\s-]/g, '').toUpperCase();
}

/** Constant-time comparison of a presented token with the stored one. */
export function tokenMatches(stored: string, presented: string): boolean {
  const a = createHash('sha256').update(normaliseToken(stored)).digest();
  const b = createHash('sha256').update(normaliseToken(presented)).digest();
  return normaliseToken(presented).length > 0 && timingSafeEqual(a, b);
}

/** Reads the stored token; null when there is none (claimed, or never made). Rejects on other I/O errors. */
export async function readSetupToken(dataDir: string): Promise<string | null> {
  try {
    const text = (await readFile(join(dataDir, SETUP_TOKEN_FILE), 'utf8')).trim();
    return text.length > 0 ? text : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Returns the setup token, creating `DIR/setup-token` when it does not exist
 * (`created: true`: the caller prints it on the console). The file is written
 * to a temporary name with mode 0600, fsynced, renamed into place, and the
 * directory fsynced, so a power cut leaves either no token or a whole one.
 * Call it only while the box is unclaimed (`isAdminClaimed`). Rejects on I/O errors.
 */
export async function ensureSetupToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const existing = await readSetupToken(dataDir);
  if (existing) return { token: existing, created: false };
  const token = newSetupToken();
  await writeFileAtomic(join(dataDir, SETUP_TOKEN_FILE), `${token}\n`, 0o600);
  return { token, created: true };
}

/** Makes a new token, replacing any old one (`letterbox admin reset-claim`). */
export async function replaceSetupToken(dataDir: string): Promise<string> {
  const token = newSetupToken();
  await writeFileAtomic(join(dataDir, SETUP_TOKEN_FILE), `${token}\n`, 0o600);
  return token;
}

/** Deletes the token once the box is claimed, so it cannot be reused or found on the card. */
export async function removeSetupToken(dataDir: string): Promise<void> {
  await unlink(join(dataDir, SETUP_TOKEN_FILE)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
