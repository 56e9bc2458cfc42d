import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../system/atomic-file.js';
import { DEVICE_MARKER } from '../config/environment.js';

/**
 * Remote login (SSH) on the appliance. Letterbox runs unprivileged and
 * sandboxed, so it never touches sshd: it writes the owner's wish to
 * `DATA/system/ssh-request` and the firmware (letterbox-ssh-request, root)
 * applies it and reports back in `DATA/system/ssh-state`. Both files use the
 * line format of letterbox.txt on the boot partition (`ssh=on|off`,
 * `ssh_authorized_key=KEY`). Keys only: the box has no password anywhere.
 */

/** The request file, relative to the data directory (the firmware's path unit watches it). */
export const SSH_REQUEST_FILE = join('system', 'ssh-request');
/** The state file the firmware writes back, relative to the data directory. */
export const SSH_STATE_FILE = join('system', 'ssh-state');

/** Key types the firmware accepts: the same list as `ssh-keys.sh` (SSH_KEY_TYPES). */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** Most keys the page may hand in at once. */
export const MAX_SSH_KEYS = 32;

const BLOB = /^[A-Za-z0-9+/]{16,16384}={0,2}$/;
/** Comment characters the firmware keeps (it drops the rest); we refuse the rest instead. */
const COMMENT = /^[A-Za-z0-9@._+: -]{0,100}$/;

/** What the firmware last applied, from `ssh-state`. */
export interface AppliedSsh {
  /** The `enabled` flag on the data partition. */
  enabled: boolean;
  /** `systemctl is-active ssh` when the firmware wrote the report (`active`, `inactive`, `failed`…). */
  active: string;
  /** `applied`, `boot` (report written at start-up), or `refused: …` / `failed: …`. */
  result: string;
  /** When the firmware wrote the report (ISO 8601), or null. */
  at: string | null;
  /** SHA256 fingerprint of the box's SSH host key, or null before SSH was ever on. */
  hostKey: string | null;
  authorizedKeys: string[];
}

/**
 * Checks one public key as the owner pasted it and returns it normalised
 * (`TYPE BLOB [COMMENT]`, single spaces), or a reason it is refused. Refuses
 * options in front of the key (`command=`, `from=`…), unknown types, blobs
 * that are not base64 of a key of the named type, and comments with
 * characters other than letters, digits, spaces and `@ . _ + : -`. Pure.
 */
export function checkPublicKey(raw: string): { key: string } | { problem: string } {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { problem: 'a key must be one line of text (no line breaks or control characters)' };
  const [type = '', blob = '', ...rest] = raw.trim().split(/ +/);
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return { problem: `"${type.slice(0, 40)}" is not an accepted key type; paste an OpenSSH public key (${SSH_KEY_TYPES.join(', ')}) without options in front` };
  }
  if (!BLOB.test(blob)) return { problem: `the ${type} key's data is not base64` };
  // The blob starts with the type name (RFC 4253 §6.6 string): catches keys pasted under the wrong type.
  const bytes = Buffer.from(blob, 'base64');
  const len = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  if (len !== type.length || bytes.subarray(4, 4 + len).toString('latin1') !== type) return { problem: `the ${type} key's data is not a ${type} key` };
  const comment = rest.join(' ');
  if (!COMMENT.test(comment)) return { problem: 'a key comment may hold only letters, digits, spaces and @ . _ + : - (at most 100)' };
  return { key: comment ? `${type} ${blob} ${comment}` : `${type} ${blob}` };
}

/** The request file's text for a setting (what the firmware parses). Pure. */
export function requestText(enabled: boolean, keys: readonly string[]): string {
  const lines = ['# Written by the Letterbox admin page; applied by letterbox-ssh-request.', `ssh=${enabled ? 'on' : 'off'}`, ...keys.map((k) => `ssh_authorized_key=${k}`)];
  return `${lines.join('\n')}\n`;
}

/** Parses the firmware's `ssh-state` report. Unknown lines are ignored. Pure. */
export function parseState(text: string): AppliedSsh {
  const out: AppliedSsh = { enabled: false, active: 'unknown', result: '', at: null, hostKey: null, authorizedKeys: [] };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (line.startsWith('#') || eq < 0) continue;
    const k = line.slice(0, eq).trim();
    const v = line.slice(eq + 1).trim();
    if (k === 'ssh') out.enabled = v === 'on';
    else if (k === 'active') out.active = v || 'unknown';
    else if (k === 'result') out.result = v;
    else if (k === 'at') out.at = v || null;
    else if (k === 'host_key') out.hostKey = v || null;
    else if (k === 'ssh_authorized_key') {
      const c = checkPublicKey(v);
      if ('key' in c) out.authorizedKeys.push(c.key);
    }
  }
  return out;
}

/** True on the appliance image, where the firmware applies requests (the build writes the marker). */
export function firmwareAppliesSsh(): boolean {
  return existsSync(DEVICE_MARKER);
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The pending request (not yet taken by the firmware), or null. */
export async function readRequest(dataDir: string): Promise<{ enabled: boolean; authorizedKeys: string[] } | null> {
  const text = await readOptional(join(dataDir, SSH_REQUEST_FILE));
  if (text === null) return null;
  const s = parseState(text);
  return { enabled: s.enabled, authorizedKeys: s.authorizedKeys };
}

/** What the firmware last reported, or null when it never did. */
export async function readApplied(dataDir: string): Promise<AppliedSsh | null> {
  const text = await readOptional(join(dataDir, SSH_STATE_FILE));
  return text === null ? null : parseState(text);
}

/**
 * Writes the request for the firmware: temp file (0600) in the same
 * directory, fsync, rename, directory fsync — the firmware never sees half a
 * request, and a power cut leaves the old one or the new one. Keys must have
 * passed `checkPublicKey`. Rejects on I/O errors (nothing is left behind).
 */
export async function writeRequest(dataDir: string, enabled: boolean, keys: readonly string[]): Promise<void> {
  const dir = join(dataDir, 'system');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dataDir, SSH_REQUEST_FILE), requestText(enabled, keys), 0o600);
}
