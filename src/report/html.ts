/**
 * @fileoverview `rnnc analyze MODEL --html FILE`: one self-contained HTML page (inline CSS and
 * SVG; no scripts, no external resources) with the model summary, the per-layer table and cost
 * chart, per-target latency and energy (1-σ bands as error bars) and flash/RAM against each
 * device's capacity (red where it does not fit).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../compiler/paths.ts';
import type { Analysis } from '../analyze.ts';
import type { UsageOptions } from '../estimate/estimate.ts';
import type { ModelEstimates } from '../estimate/index.ts';
import { totalInstructions } from '../../compiler/build/instrument.ts';
import type { DeviceProfile } from '../targets.ts';
import { barChart, esc, type BarRow } from './svg.ts';

export interface HtmlReportInput {
  analysis: Analysis;
  est: ModelEstimates;
  use: UsageOptions;
  /** The --target spec the estimates were made for. */
  spec: string;
  devices: DeviceProfile[];
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const bytes = (v: number) => (v >= 1024 * 1024 ? `${(v / 1048576).toFixed(2)} MB` : v >= 1024 ? `${(v / 1024).toFixed(1)} KB` : `${Math.round(v)} B`);

/** How each figure of the estimates table is printed (the tests read these back). */
export const FORMAT = {
  latency: (e: { latency_us_per_step: number }) => e.latency_us_per_step.toFixed(1),
  energy: (e: { energy_uj_per_step: number }) => e.energy_uj_per_step.toFixed(3),
  power: (e: { average_power_mw: number }) => e.average_power_mw.toFixed(3),
  battery: (e: { battery_life_days: number }) => e.battery_life_days.toFixed(0),
  flash: (e: { flash_bytes: number }) => int(e.flash_bytes),
  ram: (e: { ram_bytes: number }) => int(e.ram_bytes),
};

const CSS = `
body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 8px}th{background:#f4f4f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.no td{background:#fdecea}
.kv th{width:220px}
.note{color:#555;font-size:13px}
figure{margin:12px 0}
`;

function tableHtml(header: string[], rows: { cells: string[]; attrs?: string }[], numeric: boolean[]): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr${r.attrs ?? ''}>${r.cells.map((c, i) => `<td${numeric[i] ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function spread(values: number[]): boolean {
  const p = values.filter((v) => v > 0);
  return p.length > 1 && Math.max(...p) / Math.min(...p) > 30;
}

function layerChart(a: Analysis): string {
  const rows: BarRow[] = a.layers.map((l) => ({ label: `${l.name} (${l.op})`, values: [l.macs, l.params] }));
  return barChart({
    title: 'Cost per layer', axisLabel: 'MACs (per step or row) and parameters', series: ['MACs', 'parameters'], rows,
    log: spread(rows.flatMap((r) => r.values)), format: (v) => int(v),
  });
}

function estimateCharts(est: ModelEstimates, devices: DeviceProfile[]): string[] {
  const label = (e: { target: string; runtime: string }) => `${e.target}/${e.runtime}`;
  const band = (v: number, s: number): [number, number] => [v * Math.max(0, 1 - s), v * (1 + s)];
  const cap = (name: string) => devices.find((d) => d.name === name);
  const lat = barChart({
    title: 'Latency per step (±1σ)', axisLabel: 'µs per step (log scale)', series: ['latency'], log: true,
    rows: est.estimates.map((e) => ({ label: label(e), values: [e.latency_us_per_step], bands: [band(e.latency_us_per_step, e.confidence.latency)] })),
    format: (v) => `${v >= 100 ? int(v) : v.toPrecision(3)} µs`,
  });
  const energy = barChart({
    title: 'Energy per step (±1σ)', axisLabel: 'µJ per step (log scale)', series: ['energy'], log: true,
    rows: est.estimates.map((e) => ({ label: label(e), values: [e.energy_uj_per_step], bands: [band(e.energy_uj_per_step, e.confidence.energy)] })),
    format: (v) => `${v >= 100 ? int(v) : v.toPrecision(3)} µJ`,
  });
  const flash = barChart({
    title: 'Flash: module + runtime against the device (line: capacity; red: does not fit)', axisLabel: 'bytes (log scale)', series: ['flash'], log: true,
    rows: est.estimates.map((e) => ({ label: label(e), values: [e.flash_bytes], limit: (cap(e.target)?.flash_kb ?? 0) * 1024 || undefined })), format: bytes,
  });
  const ram = barChart({
    title: 'RAM: linear memory + runtime against the device (line: capacity; red: does not fit)', axisLabel: 'bytes (log scale)', series: ['RAM'], log: true,
    rows: est.estimates.map((e) => ({ label: label(e), values: [e.ram_bytes], limit: (cap(e.target)?.sram_kb ?? 0) * 1024 || undefined })), format: bytes,
  });
  return [lat, energy, flash, ram];
}

export function analyzeHtml(r: HtmlReportInput): string {
  const { analysis: a, est, use } = r;
  const io = (xs: { name: string; shape: string }[]) => xs.map((x) => `${x.name} ${x.shape}`).join(', ');
  const t = a.totals;
  const summary: [string, string][] = [
    ['model', a.model],
    ...Object.entries(a.meta).map(([k, v]) => [k, String(v)] as [string, string]),
    ['inputs', io(a.inputs)], ['outputs', io(a.outputs)],
    ['parameters', int(t.params)], ['MACs', `${int(t.macs_per_step)} per step + ${int(t.macs_per_row)} per row`],
    ['weight bytes f32 / int16 / int8', `${int(t.bytes.f32)} / ${int(t.bytes.int16)} / ${int(t.bytes.int8)}`],
    ['scheme (estimates)', est.quant],
    ['module', `${int(est.module.module_bytes)} B (code ${int(est.module.code_bytes)} B, data ${int(est.module.data_bytes)} B)`],
    ['linear memory high-water', `${int(est.module.memory_high_water)} B`],
    ['executed wasm ops per step', `${int(totalInstructions(est.counts.classes))} (${est.counts.method})`],
    ['usage', `${use.rate} steps/s, battery ${use.batteryMah} mAh at ${use.batteryVolts} V`],
    ['targets', `${r.spec} (${est.estimates.length})`],
  ];
  const kv = `<table class="kv"><tbody>\n${summary.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}\n</tbody></table>`;
  const layerRows = a.layers.map((l) => ({
    cells: [l.name, l.op, `${l.input_shapes.join(' ')} → ${l.output_shapes.join(' ')}`, int(l.params), int(l.macs), l.macs_per, int(l.bytes.f32), int(l.bytes.int16), int(l.bytes.int8)],
  }));
  const layers = tableHtml(['layer', 'op', 'shapes', 'params', 'MACs', 'per', 'f32 B', 'int16 B', 'int8 B'], layerRows, [false, false, false, true, true, false, true, true, true]);
  const pct = (x: number) => `±${Math.round(100 * x)}%`;
  const estRows = est.estimates.map((e) => ({
    attrs: ` data-target="${esc(`${e.target}/${e.runtime}`)}"${e.fits ? '' : ' class="no"'}`,
    cells: [e.target, e.runtime, FORMAT.latency(e), pct(e.confidence.latency), FORMAT.energy(e), pct(e.confidence.energy), FORMAT.power(e),
      FORMAT.battery(e), FORMAT.flash(e), FORMAT.ram(e), e.fits ? 'yes' : `no: ${e.why}`, e.confidence.grade],
  }));
  const estTable = tableHtml(['device', 'runtime', 'µs/step', '±', 'µJ/step', '±', 'avg mW', 'battery days', 'flash B', 'RAM B', 'fits', 'confidence'],
    estRows, [false, false, true, true, true, true, true, true, true, true, false, false]);
  const [lat, energy, flash, ram] = estimateCharts(est, r.devices);
  const fig = (svg: string) => `<figure>${svg}</figure>`;
  const notes = est.notes.map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"/><title>${esc(`rnnc analyze: ${a.model}`)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(a.model)}</h1>
<p class="note">Generated by rnnc ${esc(version())} (<code>rnnc analyze --html</code>). Latency, energy, flash and RAM are estimates from
executed wasm opcodes of the compiled module and the device and runtime profiles in targets/; bands are 1-σ relative uncertainties built from
how each profile number was sourced.</p>
<h2>Summary</h2>
${kv}
<h2>Layers</h2>
${layers}
<p class="note">MACs are per time step for recurrent layers (per batch element, all directions) and per output row for other layers.</p>
${fig(layerChart(a))}
<h2>Latency and energy per step</h2>
${estTable}
${fig(lat)}
${fig(energy)}
<h2>Flash and RAM</h2>
${fig(flash)}
${fig(ram)}
${notes ? `<h2>Notes</h2><ul>${notes}</ul>` : ''}
</body>
</html>
`;
}
