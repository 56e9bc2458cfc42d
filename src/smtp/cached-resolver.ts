/**
 * A small answer cache in front of the resolver used by the SPF/DKIM/DMARC
 * checks. Mail comes in bursts from the same few domains (a mailing list, a
 * newsletter, a busy correspondent): without it every message asks the
 * upstream resolver the same SPF, DMARC and DKIM-key questions again, which
 * costs the board CPU and the user's resolver traffic. Node's resolver does not
 * report TTLs for TXT records, so answers are kept for a short fixed time (well
 * under the usual TTLs of these records), and concurrent identical questions
 * share one query.
 */

/** mailauth's resolver shape: records for a name and type, or an error with a DNS code. */
export type TxtResolver = (name: string, rrtype: string) => Promise<unknown>;

export interface CacheTimes {
  /** How long an answer is reused. Default 60 s. */
  answerMs?: number;
  /** How long "no such name / no such record" is reused (RFC 2308 negative caching). Default 60 s. */
  negativeMs?: number;
  /** How long any other failure (timeout, refused, server failure) is reused. Default 5 s. */
  failureMs?: number;
  /** Most questions remembered; the oldest are forgotten first. Default 1000. */
  maxEntries?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Answers that say the record does not exist: as good as an answer for the checks. */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

interface Entry {
  /** Until when the settled result may be reused; Infinity while the query runs. */
  until: number;
  result: Promise<unknown>;
}

/** Wraps `resolve` with the cache described above. */
export function cachedResolver(resolve: TxtResolver, times: CacheTimes = {}): TxtResolver {
  const answerMs = times.answerMs ?? 60_000;
  const negativeMs = times.negativeMs ?? 60_000;
  const failureMs = times.failureMs ?? 5_000;
  const maxEntries = times.maxEntries ?? 1000;
  const now = times.now ?? Date.now;
  const entries = new Map<string, Entry>();

  // Each caller gets its own copy of the records: a caller that sorts or edits them must not change them for the next.
  const copy = (records: unknown): unknown => (Array.isArray(records) ? records.map((r: unknown) => (Array.isArray(r) ? [...(r as unknown[])] : r)) : records);

  return (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.result.then(copy);
    if (hit) entries.delete(key);
    const entry: Entry = { until: Infinity, result: resolve(name, rrtype) };
    entry.result.then(
      () => {
        entry.until = now() + answerMs;
      },
      (err: unknown) => {
        const code = (err as { code?: unknown } | null)?.code;
        entry.until = now() + (typeof code === 'string' && NEGATIVE.has(code) ? negativeMs : failureMs);
      },
    );
    entries.set(key, entry);
    // Map keeps insertion order: the first key is the oldest question.
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return entry.result.then(copy);
  };
}
