/**
 * Logs: recent events from the box, filtered by service and level. The box
 * never logs message bodies or passwords; the page shows lines as text only.
 */
import { get } from '../api.js';
import { h, replace } from '../dom.js';
import { go } from '../router.js';
import type { LogEntry } from '../types.js';
import { checkbox, errorText, field, say, select, statusLine, table } from '../ui.js';

const SERVICES = ['smtp', 'submission', 'imap', 'pop3', 'queue', 'dns', 'admin', 'store', 'tls', 'system'];
const LEVELS: [string, string][] = [['debug', 'everything'], ['info', 'info and worse'], ['warn', 'warnings and errors'], ['error', 'errors only']];
const REFRESH_MS = 5000;

export async function logsPage(main: HTMLElement, params: URLSearchParams): Promise<() => void> {
  const service = select('service', [['', 'all services'], ...SERVICES.map((s): [string, string] => [s, s])], params.get('service') ?? '');
  const level = select('level', LEVELS, params.get('level') ?? 'info');
  const follow = checkbox('follow', 'Keep updating', false);
  const list = h('div', { class: 'logs' });
  const line = statusLine();
  const navigate = (): void => {
    const q = new URLSearchParams();
    if (service.value) q.set('service', service.value);
    q.set('level', level.value);
    go(`/logs?${q.toString()}`);
  };
  service.addEventListener('change', navigate);
  level.addEventListener('change', navigate);
  const load = async (): Promise<void> => {
    const q = new URLSearchParams({ level: level.value, limit: '300' });
    if (service.value) q.set('service', service.value);
    try {
      const { entries, services } = await get<{ entries: LogEntry[]; services?: string[] }>(`/api/logs?${q.toString()}`);
      // Offer every service the box has actually logged for, beyond the usual list.
      const known = new Set([...service.options].map((o) => o.value));
      for (const s of services ?? []) if (!known.has(s)) service.append(h('option', { value: s }, s));
      replace(list, table<LogEntry>([
        { head: 'Time', cell: (e) => new Date(e.time).toLocaleTimeString() },
        { head: 'Level', cell: (e) => h('span', { class: `level-${e.level}` }, e.level) },
        { head: 'Service', cell: (e) => e.service ?? '–' },
        { head: 'Event', cell: (e) => [e.msg, e.remote ? ` (from ${e.remote})` : '', e.cid ? ` [${e.cid}]` : ''] },
      ], [...entries].reverse(), 'No events match.', 'Recent events, newest first'));
    } catch (err) {
      say(line, errorText(err), 'error');
    }
  };
  const refresh = h('button', { type: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => void load());
  main.append(h('div', { class: 'toolbar' }, field('Service', service), field('Level', level), refresh, follow.el), line, list);
  await load();
  let timer: ReturnType<typeof setInterval> | null = null;
  follow.box.addEventListener('change', () => {
    if (timer) clearInterval(timer);
    timer = follow.box.checked ? setInterval(() => void load(), REFRESH_MS) : null;
  });
  return () => {
    if (timer) clearInterval(timer);
  };
}
