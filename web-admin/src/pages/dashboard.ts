/**
 * Dashboard: services up/down with their ports, mail today, queue size and
 * the box's health, refreshed every few seconds while the page is open, with
 * sparklines of the last 24 hours from `/api/health`.
 */
import { get } from '../api.js';
import { formatBytes, formatDuration, h, replace } from '../dom.js';
import { sparkline, thin } from '../sparkline.js';
import type { Dashboard, SystemSample } from '../types.js';
import { badge, errorText, section } from '../ui.js';

const LIVE_MS = 5000;
const HISTORY_MS = 60000;

const pct = (used: number, total: number): number | null => (total > 0 ? (used / total) * 100 : null);

export async function dashboardPage(main: HTMLElement): Promise<() => void> {
  const services = h('div', { class: 'services' });
  const numbers = h('dl', { class: 'numbers', 'aria-live': 'off' });
  const charts = h('div', { class: 'charts' });
  const problem = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  main.append(problem, section('Services', services), section('Now', numbers), section('Last 24 hours', charts));

  let lastSample: number | null = null;
  const refresh = async (): Promise<void> => {
    try {
      const d = await get<Dashboard>('/api/dashboard');
      // A new health sample (one a minute): redraw the charts so their last point matches the numbers.
      if (d.system && lastSample !== null && d.system.time !== lastSample) void history();
      lastSample = d.system?.time ?? lastSample;
      drawServices(services, d);
      drawNumbers(numbers, d);
      problem.className = 'status';
      replace(problem, d.store.writable ? '' : 'The mail store is read-only (disk full or failing): incoming mail is being deferred.');
      if (!d.store.writable) problem.className = 'status error';
    } catch (err) {
      problem.className = 'status error';
      replace(problem, `Could not refresh: ${errorText(err)}`);
    }
  };
  const history = async (): Promise<void> => {
    try {
      const { samples } = await get<{ samples: SystemSample[] }>('/api/health?hours=24');
      drawCharts(charts, thin(samples, 240));
    } catch (err) {
      replace(charts, h('p', { class: 'status error' }, `No history: ${errorText(err)}`));
    }
  };
  await Promise.all([refresh(), history()]);
  const live = setInterval(() => void refresh(), LIVE_MS);
  const slow = setInterval(() => void history(), HISTORY_MS);
  return () => {
    clearInterval(live);
    clearInterval(slow);
  };
}

function drawServices(el: HTMLElement, d: Dashboard): void {
  replace(el, h('ul', { class: 'service-list' }, d.services.map((s) => h('li', { class: s.up ? 'up' : 'down' },
    h('span', { class: 'svc-name' }, s.name),
    badge(s.up ? 'up' : 'down', s.up ? 'ok' : 'fail'),
    h('span', { class: 'svc-port' }, s.port === null ? 'no port' : `port ${s.port}`)))));
}

function drawNumbers(el: HTMLElement, d: Dashboard): void {
  const s = d.system;
  const item = (label: string, value: string, id: string): HTMLElement => h('div', null, h('dt', null, label), h('dd', { 'data-metric': id }, value));
  replace(el,
    item('Received today', String(d.mail.receivedToday), 'received'),
    item('Sent today', String(d.mail.sentToday), 'sent'),
    item('Queue', d.queue.available ? String(d.queue.size) : 'not running', 'queue'),
    item('CPU', s && s.cpuPercent !== null ? `${s.cpuPercent.toFixed(0)} %` : '–', 'cpu'),
    item('Memory', s ? `${formatBytes(s.memUsedBytes)} of ${formatBytes(s.memTotalBytes)}` : '–', 'memory'),
    item('Disk', s ? `${formatBytes(s.diskUsedBytes)} of ${formatBytes(s.diskTotalBytes)}` : '–', 'disk'),
    item('Temperature', s && s.temperatureC !== null ? `${s.temperatureC.toFixed(1)} °C` : '–', 'temperature'),
    item('Up for', s ? formatDuration(s.uptimeSeconds) : '–', 'uptime'),
  );
}

function drawCharts(el: HTMLElement, samples: SystemSample[]): void {
  const chart = (title: string, points: [number, number | null][], opts: { min?: number; max?: number; unit?: string }): HTMLElement => {
    const last = points.length ? points[points.length - 1]![1] : null;
    return h('figure', { class: 'chart' }, h('figcaption', null, title, h('span', { class: 'now' }, last === null ? '' : `${Math.round(last)}${opts.unit ?? ''}`)), sparkline(points, title, opts));
  };
  replace(el,
    chart('CPU', samples.map((s) => [s.time, s.cpuPercent]), { min: 0, max: 100, unit: ' %' }),
    chart('Memory', samples.map((s) => [s.time, pct(s.memUsedBytes, s.memTotalBytes)]), { min: 0, max: 100, unit: ' %' }),
    chart('Disk', samples.map((s) => [s.time, pct(s.diskUsedBytes, s.diskTotalBytes)]), { min: 0, max: 100, unit: ' %' }),
    chart('Temperature', samples.map((s) => [s.time, s.temperatureC]), { unit: ' °C' }),
  );
}
