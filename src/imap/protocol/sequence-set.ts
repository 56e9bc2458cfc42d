/**
 * Sequence-set helpers (RFC 3501 §9 `sequence-set`, RFC 5182 `$`). Pure:
 * the session supplies the largest message number or UID in use.
 */
import type { SequenceSet, SeqNumber } from './types.js';

/** A closed interval [lo, hi] of message numbers or UIDs, lo ≤ hi. */
export type NumberRange = readonly [number, number];

/** Largest value a sequence number or UID may take (RFC 3501 nz-number). */
export const MAX_UINT32 = 4294967295;

/**
 * Resolves a set against the current mailbox: `*` becomes `max` (RFC 3501
 * §6.4.8: for UIDs, `n:*` with n > max still includes the largest UID, which
 * this gives because the range is reordered). Returns ranges sorted and
 * merged. `saved` resolves `$` (an empty list when nothing was saved).
 * Ranges are clipped to 1..max only when `clip` is true (message numbers);
 * for UID sets the caller matches existing UIDs against the ranges.
 * Never throws; cost is O(r log r) in the number of ranges, independent of
 * how many numbers they cover.
 */
export function resolveSequenceSet(
  set: SequenceSet,
  max: number,
  opts: { saved?: readonly NumberRange[]; clip?: boolean } = {},
): NumberRange[] {
  if (set.kind === 'saved') return [...(opts.saved ?? [])];
  const star = (n: SeqNumber): number => (n === '*' ? max : n);
  const ranges: [number, number][] = [];
  for (const r of set.ranges) {
    let lo = star(r.start);
    let hi = star(r.end);
    if (lo > hi) [lo, hi] = [hi, lo];
    if (opts.clip) {
      if (lo < 1) lo = 1;
      if (hi > max) hi = max;
      if (lo > hi) continue;
    }
    if (hi < 1) continue;
    ranges.push([lo, hi]);
  }
  return mergeRanges(ranges);
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges(ranges: readonly NumberRange[]): NumberRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** True when `n` lies in one of the sorted, merged ranges (binary search). */
export function rangesContain(ranges: readonly NumberRange[], n: number): boolean {
  let a = 0;
  let b = ranges.length - 1;
  while (a <= b) {
    const m = (a + b) >> 1;
    const r = ranges[m] as NumberRange;
    if (n < r[0]) b = m - 1;
    else if (n > r[1]) a = m + 1;
    else return true;
  }
  return false;
}

/**
 * Compact wire form of a list of numbers, e.g. [1,2,3,5] → "1:3,5" (used by
 * COPYUID/APPENDUID, ESEARCH ALL, VANISHED). Keeps the given order of runs
 * (COPYUID pairs source and destination sets by position), so callers that
 * want a sorted set should sort first. Returns '' for an empty list.
 */
export function formatSequenceSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i] as number;
    let end = start;
    while (i + 1 < numbers.length && numbers[i + 1] === end + 1) end = numbers[++i] as number;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}

/** Wire form of ranges: [[1,3],[5,5]] → "1:3,5". */
export function formatRanges(ranges: readonly NumberRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}:${hi}`)).join(',');
}
