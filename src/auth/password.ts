import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (RFC 7914), stored as a PHC-style string:
 * `$scrypt$ln=16,r=8,p=1$<salt base64>$<key base64>` (base64 without padding).
 *
 * Parameters and why: N = 2^16, r = 8, p = 1 makes each hash touch
 * 128·N·r = 64 MiB and take a few hundred milliseconds on a Raspberry Pi 4 —
 * the OWASP-recommended scrypt strength, as costly for a thief of the data
 * directory as we can afford at login time. A 16-byte random salt and a
 * 32-byte key. Because each hash takes 64 MiB, at most two run at once
 * (`MAX_CONCURRENT_HASHES`): a burst of logins queues instead of pushing a
 * 1 GiB board into swap. scrypt runs on libuv's thread pool, so the event loop
 * stays free while hashing.
 *
 * Tests create many users: `LETTERBOX_SCRYPT_LN` (honoured only for values
 * 10–20, so it can make hashing cheaper for tests but never trivially weak) or
 * the `ln` option choose another cost. It is meant for tests only; hashes made
 * at a lower cost are upgraded by `needsRehash` at the next login once the
 * variable is gone.
 */
export const DEFAULT_SCRYPT_LN = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds accepted when parsing a stored hash, so a corrupt record cannot make us allocate gigabytes. */
const MIN_LN = 10;
const MAX_LN = 20;

/** Concurrent scrypt computations allowed (memory budget: 2 × 64 MiB). */
export const MAX_CONCURRENT_HASHES = 2;

/** The cost exponent used for new hashes: `LETTERBOX_SCRYPT_LN` when it is 10–20, else 16. */
export function currentScryptLn(environ: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(environ.LETTERBOX_SCRYPT_LN);
  return Number.isInteger(fromEnv) && fromEnv >= MIN_LN && fromEnv <= MAX_LN ? fromEnv : DEFAULT_SCRYPT_LN;
}

/** A counting semaphore: `run` waits for a free slot, runs `task`, frees the slot. FIFO. */
class Semaphore {
  private active = 0;
  /** Highest number of tasks seen running at once (status and tests). */
  peak = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const hashSlots = new Semaphore(MAX_CONCURRENT_HASHES);

/** The most scrypt computations that have run at once in this process (never above `MAX_CONCURRENT_HASHES`). */
export function peakConcurrentHashes(): number {
  return hashSlots.peak;
}

interface ParsedHash {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, ln: number, r: number, p: number, keyBytes: number): Promise<Buffer> {
  const N = 2 ** ln;
  // Node refuses more than 32 MiB by default; allow the working set plus slack.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  // NFC so the same password typed on different systems hashes the same (RFC 8265 OpaqueString).
  const input = Buffer.from(password.normalize('NFC'), 'utf8');
  return hashSlots.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(input, salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/**
 * Hashes a password into a PHC string for `MailStore.addAccount` /
 * `setPasswordHash`. Does not check the password policy (see
 * `password-policy.ts`). Waits for a hashing slot; fails only on an internal
 * crypto error.
 */
export async function hashPassword(password: string, options: { ln?: number } = {}): Promise<string> {
  const ln = options.ln ?? currentScryptLn();
  if (!Number.isInteger(ln) || ln < MIN_LN || ln > MAX_LN) throw new RangeError(`scrypt ln must be ${MIN_LN}-${MAX_LN}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, ln, BLOCK_SIZE, PARALLELISM, KEY_BYTES);
  return `$scrypt$ln=${ln},r=${BLOCK_SIZE},p=${PARALLELISM}$${b64(salt)}$${b64(key)}`;
}

/**
 * True when `password` matches `hash`, compared in constant time. A malformed
 * or out-of-bounds hash string yields false (never throws for bad input).
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.ln, parsed.r, parsed.p, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/**
 * True when `hash` was made with other parameters than new hashes would use
 * (cost changed, or unparsable): the caller should rehash the password it just
 * verified and store the new hash.
 */
export function needsRehash(hash: string, options: { ln?: number } = {}): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return true;
  const ln = options.ln ?? currentScryptLn();
  return parsed.ln !== ln || parsed.r !== BLOCK_SIZE || parsed.p !== PARALLELISM || parsed.key.length !== KEY_BYTES || parsed.salt.length < SALT_BYTES;
}

let dummyHash: Promise<string> | null = null;
let dummyLn = 0;

/**
 * Spends the same time as verifying a real password, for logins naming an
 * unknown user, so response time does not tell which addresses exist. Always
 * resolves false.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  const ln = currentScryptLn();
  if (!dummyHash || dummyLn !== ln) {
    dummyLn = ln;
    dummyHash = hashPassword(randomBytes(16).toString('hex'), { ln });
  }
  await verifyPassword(await dummyHash, password);
  return false;
}

function parseHash(hash: string): ParsedHash | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(hash);
  if (!m) return null;
  const ln = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  const salt = Buffer.from(m[4] as string, 'base64');
  const key = Buffer.from(m[5] as string, 'base64');
  if (ln < MIN_LN || ln > MAX_LN || r < 1 || r > 32 || p < 1 || p > 4) return null;
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { ln, r, p, salt, key };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
