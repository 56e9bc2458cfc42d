/**
 * SEARCH / UID SEARCH (RFC 3501 §6.4.4) with ESEARCH return options (RFC
 * 4731), SAVE and `$` (RFC 5182) and CONDSTORE's MODSEQ (RFC 7162 §3.1.5).
 * Evaluation is in search.ts; a search that runs out of its time budget
 * answers `NO [LIMIT]` (security-cases T44).
 */
import { esearchResponse, searchResponse } from '../protocol/response-builders.js';
import { mergeRanges, type NumberRange } from '../protocol/sequence-set.js';
import type { SearchKey } from '../protocol/types.js';
import { runSearch } from '../search.js';
import { defineCommand, no, ok, selectedState } from '../session.js';

function usesModseq(key: SearchKey): boolean {
  switch (key.op) {
    case 'modseq':
      return true;
    case 'not':
      return usesModseq(key.key);
    case 'or':
      return usesModseq(key.a) || usesModseq(key.b);
    case 'and':
      return key.keys.some(usesModseq);
    default:
      return false;
  }
}

export const searchCommand = defineCommand({
  names: ['SEARCH'],
  states: ['selected'],
  allowsExpunge: (cmd) => cmd.uid,
  async run(ctx, cmd) {
    const s = selectedState(ctx);
    const outcome = await runSearch(
      { store: ctx.services.store, account: s.account, view: s.view, savedUids: ctx.savedUids, deadline: Date.now() + ctx.services.limits.searchBudgetMs, headers: ctx.services.headerCache },
      cmd.key,
    );
    if (outcome.kind === 'limit') return no('Search took too long; narrow it down', 'LIMIT');
    const matches = outcome.matches;
    const modseqKey = usesModseq(cmd.key);
    if (modseqKey) ctx.enabled.add('CONDSTORE');
    const highest = modseqKey && matches.length > 0 ? BigInt(matches.reduce((n, m) => Math.max(n, m.modseq), 0)) : null;
    const numbers = matches.map((m) => (cmd.uid ? m.entry.uid : m.entry.seq));
    const options = cmd.returnOptions;
    if (options === null) {
      await ctx.write(searchResponse(numbers, highest));
      return ok('SEARCH completed');
    }
    if (options.includes('SAVE')) ctx.savedUids = matches.map((m) => m.entry.uid);
    const wanted = options.filter((o) => o !== 'SAVE');
    // RFC 5182 §2.1: RETURN (SAVE) alone sends no ESEARCH response.
    if (wanted.length > 0 || options.length === 0) {
      const all = mergeRanges(numbers.map((n): NumberRange => [n, n]));
      await ctx.write(esearchResponse(cmd.tag, cmd.uid, wanted, { min: numbers.length > 0 ? numbers[0] : null, max: numbers.length > 0 ? numbers[numbers.length - 1] : null, count: numbers.length, all, modseq: highest }));
    }
    return ok('SEARCH completed');
  },
});
