/**
 * @fileoverview Self-contained SVG charts for reports: a line chart (log axes, legend, gridlines)
 * and a horizontal bar chart (grouped series, error bars, a per-row capacity line, red bars that
 * exceed it). No scripts, no external fonts: text uses the generic sans-serif family, and every
 * bar carries a <title> (the browser's tooltip) with its exact value.
 */

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const OVER = '#d62728';
const FONT = 'font-family="sans-serif"';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Short numbers for axis labels: 0.5, 3, 20, 1.5k, 2M. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number) => String(Number(x.toPrecision(3)));
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

interface Axis {
  /** Value → pixel. */
  at(v: number): number;
  ticks: { v: number; major: boolean }[];
}

/** A log10 axis covering [lo, hi] (widened to whole decades) mapped onto [p0, p1]. */
export function logAxis(lo: number, hi: number, p0: number, p1: number): Axis {
  const d0 = Math.floor(Math.log10(lo));
  const d1 = Math.max(d0 + 1, Math.ceil(Math.log10(hi)));
  const at = (v: number) => p0 + ((Math.log10(Math.max(v, 10 ** d0)) - d0) / (d1 - d0)) * (p1 - p0);
  const ticks: { v: number; major: boolean }[] = [];
  const few = d1 - d0 <= 2;
  for (let d = d0; d <= d1; d++) {
    for (const m of d === d1 ? [1] : [1, 2, 3, 4, 5, 6, 7, 8, 9]) ticks.push({ v: m * 10 ** d, major: m === 1 || (few && (m === 2 || m === 5)) });
  }
  return { at, ticks };
}

/** A linear axis from 0 to a rounded-up max. */
export function linearAxis(hi: number, p0: number, p1: number): Axis {
  const raw = hi > 0 ? hi / 5 : 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const top = Math.max(step, Math.ceil(hi / step) * step);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => ({ v: i * step, major: true }));
  return { at: (v: number) => p0 + (v / top) * (p1 - p0), ticks };
}

const f = (x: number) => x.toFixed(1);

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f(x)}" y="${f(y)}" ${attrs}>${esc(s)}</text>`;
}

function legend(x: number, y: number, items: { name: string; color: string }[]): string {
  return items.map((it, i) => `<rect x="${f(x)}" y="${f(y + 18 * i - 9)}" width="12" height="12" fill="${it.color}"/>` +
    text(x + 18, y + 18 * i + 2, it.name, 'font-size="12"')).join('');
}

function frame(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} role="img">` +
    `<title>${esc(title)}</title><rect width="${width}" height="${height}" fill="#fff"/>` +
    text(width / 2, 22, title, 'font-size="15" font-weight="bold" text-anchor="middle"') + body + '</svg>';
}

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The x values to label (the chart uses a log2 x axis: doubling sizes are evenly spaced). */
  xTicks: number[];
  series: LineSeries[];
}

/** A line chart with a log2 x axis and a log10 y axis; one <polyline> per series, in series order. */
export function lineChart(spec: LineChartSpec): string {
  const W = 640, H = 400, L = 70, R = 130, T = 40, B = 55;
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const yAxis = logAxis(Math.min(...ys), Math.max(...ys), H - B, T);
  const x0 = Math.log2(Math.min(...spec.xTicks)), x1 = Math.log2(Math.max(...spec.xTicks));
  const xAt = (x: number) => L + ((Math.log2(x) - x0) / Math.max(x1 - x0, 1e-9)) * (W - L - R);
  let body = '';
  for (const t of yAxis.ticks) {
    const y = yAxis.at(t.v);
    body += `<line x1="${L}" x2="${W - R}" y1="${f(y)}" y2="${f(y)}" stroke="${t.major ? '#bbb' : '#eee'}"/>`;
    if (t.major) body += text(L - 6, y + 4, shortNumber(t.v), 'font-size="11" text-anchor="end"');
  }
  for (const x of spec.xTicks) {
    body += `<line x1="${f(xAt(x))}" x2="${f(xAt(x))}" y1="${T}" y2="${H - B}" stroke="#eee"/>`;
    body += text(xAt(x), H - B + 16, shortNumber(x), 'font-size="11" text-anchor="middle"');
  }
  body += `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - B - T}" fill="none" stroke="#333"/>`;
  body += text((L + W - R) / 2, H - 14, spec.xLabel, 'font-size="12" text-anchor="middle"');
  body += text(16, (T + H - B) / 2, spec.yLabel, `font-size="12" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})"`);
  const items = spec.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] }));
  spec.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x).map((p) => `${f(xAt(p.x))},${f(yAxis.at(p.y))}`);
    body += `<polyline data-series="${esc(s.name)}" points="${pts.join(' ')}" fill="none" stroke="${items[i].color}" stroke-width="2"/>`;
    for (const p of s.points) {
      body += `<circle cx="${f(xAt(p.x))}" cy="${f(yAxis.at(p.y))}" r="3" fill="${items[i].color}"><title>${esc(`${s.name} ${p.x}: ${p.y.toPrecision(4)}`)}</title></circle>`;
    }
  });
  body += legend(W - R + 14, T + 12, items);
  return frame(W, H, spec.title, body);
}

export interface BarRow {
  label: string;
  /** One value per series. */
  values: number[];
  /** Error bars per series: [low, high]. */
  bands?: ([number, number] | undefined)[];
  /** A capacity line for this row; bars beyond it are drawn red. */
  limit?: number;
}

export interface BarChartSpec {
  title: string;
  axisLabel: string;
  series: string[];
  rows: BarRow[];
  log?: boolean;
  /** Formats a value for the tooltip and the end-of-bar label. */
  format?: (v: number) => string;
}

/** Horizontal bars, one group per row, one bar per series. */
export function barChart(spec: BarChartSpec): string {
  const fmt = spec.format ?? shortNumber;
  const n = spec.series.length;
  const barH = 12, gap = 8, L = 190, R = 150, T = spec.series.length > 1 ? 56 : 40, W = 760;
  const rowH = n * barH + gap;
  const H = T + spec.rows.length * rowH + 48;
  const all = spec.rows.flatMap((r) => [...r.values, ...(r.bands ?? []).flatMap((b) => (b ? [b[1]] : [])), r.limit ?? 0]);
  const positive = all.filter((v) => v > 0);
  const axis = spec.log && positive.length
    ? logAxis(Math.min(...positive), Math.max(...positive), L, W - R)
    : linearAxis(Math.max(0, ...all), L, W - R);
  const bottom = H - 48;
  let body = '';
  for (const t of axis.ticks) {
    const x = axis.at(t.v);
    body += `<line x1="${f(x)}" x2="${f(x)}" y1="${T - 4}" y2="${bottom}" stroke="${t.major ? '#ccc' : '#f0f0f0'}"/>`;
    if (t.major) body += text(x, bottom + 14, shortNumber(t.v), 'font-size="11" text-anchor="middle"');
  }
  body += text((L + W - R) / 2, bottom + 34, spec.axisLabel, 'font-size="12" text-anchor="middle"');
  const colors = spec.series.map((_, i) => PALETTE[i % PALETTE.length]);
  spec.rows.forEach((r, ri) => {
    const y0 = T + ri * rowH;
    body += text(L - 6, y0 + (n * barH) / 2 + 4, r.label, 'font-size="11" text-anchor="end"');
    r.values.forEach((v, si) => {
      const y = y0 + si * barH;
      const over = r.limit !== undefined && v > r.limit;
      const x1 = axis.at(Math.max(v, 0));
      const label = `${r.label}${n > 1 ? ` ${spec.series[si]}` : ''}: ${fmt(v)}${r.limit !== undefined ? ` of ${fmt(r.limit)}` : ''}`;
      body += `<rect x="${L}" y="${f(y + 1)}" width="${f(Math.max(0, x1 - L))}" height="${barH - 2}" fill="${over ? OVER : colors[si]}"><title>${esc(label)}</title></rect>`;
      const band = r.bands?.[si];
      let end = x1;
      if (band) {
        const [a, b] = [axis.at(Math.max(band[0], 0)), axis.at(band[1])];
        const ym = y + barH / 2;
        body += `<path d="M${f(a)} ${f(ym)}H${f(b)}M${f(a)} ${f(ym - 4)}V${f(ym + 4)}M${f(b)} ${f(ym - 4)}V${f(ym + 4)}" stroke="#222" fill="none"/>`;
        end = Math.max(end, b);
      }
      // Keep the value label clear of a capacity line just right of the bar.
      if (r.limit !== undefined && axis.at(r.limit) >= end - 2 && axis.at(r.limit) < end + 60) end = axis.at(r.limit) + 2;
      body += text(end + 4, y + barH - 2, fmt(v), `font-size="10"${over ? ` fill="${OVER}"` : ''}`);
    });
    if (r.limit !== undefined) {
      const x = axis.at(r.limit);
      body += `<line x1="${f(x)}" x2="${f(x)}" y1="${f(y0 - 2)}" y2="${f(y0 + n * barH + 2)}" stroke="#000" stroke-width="2"><title>${esc(`${r.label} capacity ${fmt(r.limit)}`)}</title></line>`;
    }
  });
  body += `<line x1="${L}" x2="${L}" y1="${T - 4}" y2="${bottom}" stroke="#333"/>`;
  if (n > 1) body += spec.series.map((s, i) => `<rect x="${L + 140 * i}" y="30" width="12" height="12" fill="${colors[i]}"/>` + text(L + 140 * i + 18, 40, s, 'font-size="12"')).join('');
  return frame(W, H, spec.title, body);
}
