/**
 * What a SEARCH key tree needs before it can be evaluated: whether it reads
 * the stored records, the envelope header table or message text, and how
 * expensive it is. The search planner (search.ts) uses these to skip store
 * reads a search does not need, and the evaluator to test the cheap keys of
 * an AND first, so a `UNSEEN BODY x` search reads few bodies.
 */
import type { SearchKey } from './protocol/types.js';
import { envelopeColumn } from './search-headers.js';

/** Relative cost, to evaluate cheap keys of an AND first. */
export function cost(key: SearchKey): number {
  switch (key.op) {
    case 'body':
    case 'text':
      return 3;
    case 'header':
    case 'date':
      return key.op === 'date' && key.field === 'internal' ? 0 : 2;
    case 'not':
      return cost(key.key);
    case 'or':
      return Math.max(cost(key.a), cost(key.b));
    case 'and':
      return key.keys.reduce((n, k) => Math.max(n, cost(k)), 0);
    default:
      return 0;
  }
}

/** True when a key needs the stored record (size, internal date, modseq, content); `rows`: envelope fields are cached. */
export function needsRecord(key: SearchKey, rows: boolean): boolean {
  switch (key.op) {
    case 'header':
      return !(rows && envelopeColumn(key.field.toLowerCase()) >= 0);
    case 'size':
    case 'modseq':
    case 'date':
    case 'body':
    case 'text':
      return true;
    case 'not':
      return needsRecord(key.key, rows);
    case 'or':
      return needsRecord(key.a, rows) || needsRecord(key.b, rows);
    case 'and':
      return key.keys.some((k) => needsRecord(k, rows));
    default:
      return false;
  }
}

/** True when a key looks at an envelope header field (SUBJECT, FROM, HEADER To …). */
export function usesEnvelope(key: SearchKey): boolean {
  switch (key.op) {
    case 'header':
      return envelopeColumn(key.field.toLowerCase()) >= 0;
    case 'not':
      return usesEnvelope(key.key);
    case 'or':
      return usesEnvelope(key.a) || usesEnvelope(key.b);
    case 'and':
      return key.keys.some(usesEnvelope);
    default:
      return false;
  }
}

/** True when a key reads message text (BODY, TEXT). */
export function usesBody(key: SearchKey): boolean {
  switch (key.op) {
    case 'body':
    case 'text':
      return true;
    case 'not':
      return usesBody(key.key);
    case 'or':
      return usesBody(key.a) || usesBody(key.b);
    case 'and':
      return key.keys.some(usesBody);
    default:
      return false;
  }
}
