/**
 * Hand-drawn SVG sparkline for the dashboard's 24-hour history. A few
 * hundred points at most (the page thins the samples first), drawn as one
 * polyline; the label states the range in words for screen readers.
 */
import { svg } from './dom.js';

const W = 240;
const H = 48;

/** Points as [time, value]; nulls are gaps. `max` fixes the top (100 for percentages). */
export function sparkline(points: [number, number | null][], label: string, opts: { min?: number; max?: number; unit?: string } = {}): SVGElement {
  const values = points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v));
  const unit = opts.unit ?? '';
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'spark', role: 'img' });
  if (values.length < 2) {
    chart.setAttribute('aria-label', `${label}: not enough data yet`);
    chart.append(svg('text', { x: 4, y: H / 2 + 4, class: 'spark-empty' }, 'collecting…'));
    return chart;
  }
  const lo = Math.min(opts.min ?? Infinity, ...values);
  const hi = Math.max(opts.max ?? -Infinity, ...values);
  const span = hi - lo;
  const t0 = points[0]![0];
  const t1 = points[points.length - 1]![0];
  const tspan = t1 - t0 || 1;
  const segments: string[][] = [[]];
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      if (segments[segments.length - 1]!.length) segments.push([]);
      continue;
    }
    const x = ((t - t0) / tspan) * W;
    // A flat series (no range) is drawn through the middle rather than along the floor.
    const y = span === 0 ? H / 2 : H - 2 - ((v - lo) / span) * (H - 4);
    segments[segments.length - 1]!.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  const fmt = (v: number): string => `${Math.round(v * 10) / 10}${unit}`;
  chart.setAttribute('aria-label', `${label} over the last ${Math.round(tspan / 3600000) || 1} h: lowest ${fmt(Math.min(...values))}, highest ${fmt(Math.max(...values))}, now ${fmt(values[values.length - 1]!)}`);
  chart.append(svg('title', null, chart.getAttribute('aria-label')!));
  for (const s of segments) if (s.length > 1) chart.append(svg('polyline', { points: s.join(' '), class: 'spark-line', fill: 'none', 'vector-effect': 'non-scaling-stroke' }));
  return chart;
}

/** Keeps at most `n` points by taking evenly spaced samples (always keeps the last). */
export function thin<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out: T[] = [];
  const step = items.length / n;
  for (let i = 0; i < n - 1; i++) out.push(items[Math.floor(i * step)]!);
  out.push(items[items.length - 1]!);
  return out;
}
