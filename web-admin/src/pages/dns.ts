/**
 * DNS self-check: run it now (takes seconds: progress is shown), see the
 * results grouped by domain (host-wide checks first) with a fix for every
 * problem, when it last ran and what changed since the run before.
 */
import { get, post } from '../api.js';
import { formatTime, h, replace } from '../dom.js';
import type { CheckResult, CheckStatus, DnsCheckChange, StoredDnsCheck } from '../types.js';
import { badge, copyButton, errorText, say, section, statusLine, table, withProgress } from '../ui.js';

const RANK: Record<CheckStatus, number> = { FAIL: 0, UNKNOWN: 1, WARN: 2, OK: 3 };
const WORDS: Record<CheckStatus, string> = { OK: 'OK', WARN: 'warning', FAIL: 'problem', UNKNOWN: 'unknown' };

export async function dnsPage(main: HTMLElement): Promise<void> {
  const line = statusLine();
  const summary = h('div');
  const changes = h('div');
  const results = h('div');
  const run = h('button', { type: 'button', class: 'primary' }, 'Run the check now');
  const draw = (last: StoredDnsCheck | null): void => {
    if (!last) {
      replace(summary, h('p', null, 'The check has not run yet. It runs once a day by itself; run it now after changing DNS records.'));
      replace(changes);
      replace(results);
      return;
    }
    const r = last.report;
    const count = (s: CheckStatus, one: string, many: string): string => {
      const n = r.results.filter((x) => x.status === s).length;
      return `${n} ${n === 1 ? one : many}`;
    };
    replace(summary, h('dl', { class: 'kv' },
      h('dt', null, 'Last run'), h('dd', { 'data-testid': 'dns-last-run' }, formatTime(r.checkedAt)),
      h('dt', null, 'Overall'), h('dd', null, badge(WORDS[r.worst], r.worst)),
      h('dt', null, 'Results'), h('dd', null, [count('FAIL', 'problem', 'problems'), count('WARN', 'warning', 'warnings'), count('UNKNOWN', 'unknown', 'unknown'), count('OK', 'OK', 'OK')].join(', ')),
      h('dt', null, 'Public address'), h('dd', null, r.publicIps.length ? r.publicIps.join(', ') : 'not known')),
    last.publicIpChanged ? h('p', { class: 'status error' }, `The public address changed from ${last.publicIpChanged.before.join(', ') || 'none'} to ${last.publicIpChanged.after.join(', ') || 'none'}: the box may have a dynamic address, and records pointing at the old one are now wrong.`) : null);
    replace(changes, section('Changed since the run before', table<DnsCheckChange>([
      { head: 'Check', cell: (c) => `${c.title} (${c.subject})` },
      { head: 'Before', cell: (c) => (c.before ? badge(WORDS[c.before], c.before) : 'new') },
      { head: 'Now', cell: (c) => (c.after ? badge(WORDS[c.after], c.after) : 'gone') },
      { head: 'Found', cell: (c) => c.finding },
    ], last.changes, 'Nothing changed.')));
    const groups = new Map<string, CheckResult[]>();
    for (const x of r.results) {
      const k = x.domain ?? '';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(x);
    }
    const keys = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
    replace(results, keys.map((k) => group(k === '' ? `The box (${r.hostname})` : k, groups.get(k)!)));
  };
  run.addEventListener('click', () => {
    void withProgress(run, 'Checking DNS (this takes a few seconds)', async () => {
      draw(await post<StoredDnsCheck>('/api/dns/run', {}));
      say(line, 'Check finished.', 'ok');
    }, line);
  });
  main.append(section('Self-check', h('p', null, 'Looks up this box\'s records as the rest of the internet sees them and says what to fix and where.'), h('div', { class: 'actions' }, run), line, summary), changes, results);
  try {
    const state = await get<{ running: boolean; last: StoredDnsCheck | null }>('/api/dns');
    draw(state.last);
    if (state.running) say(line, 'A check is running right now; run it again in a moment to see the result.', 'info');
  } catch (err) {
    say(line, errorText(err), 'error');
  }
}

function group(title: string, items: CheckResult[]): HTMLElement {
  const sorted = [...items].sort((a, b) => RANK[a.status] - RANK[b.status]);
  const worst = sorted[0]?.status ?? 'OK';
  return h('section', { class: 'card check-group', 'aria-label': `Checks for ${title}` },
    h('h3', null, title, badge(WORDS[worst], worst)),
    sorted.map((x) => h('div', { class: `result ${x.status.toLowerCase()}` },
      h('div', null, h('span', { class: 'title' }, x.title), badge(WORDS[x.status], x.status), x.importance !== 'required' ? h('span', { class: 'badge muted' }, x.importance) : null),
      h('div', null, x.finding),
      x.fix ? h('p', { class: 'fix' }, h('strong', null, 'Fix: '), x.fix) : null,
      x.expected ? h('div', { class: 'actions' }, h('code', { class: 'wrap' }, x.expected), copyButton(() => x.expected ?? '', `expected value for ${x.title}`)) : null)));
}
