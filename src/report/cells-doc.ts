/**
 * @fileoverview Renders a cell-type sweep (./cells.ts): docs/cells.md (tables per scheme and the
 * claims checked), docs/cells.svg (energy per step against hidden size, one line per cell type)
 * and the compact terminal table.
 */
import { deviceProfiles } from '../targets.ts';
import { figuresFor, SWEEP_USAGE, type SweepResult, type SweepRow } from './cells.ts';
import { lineChart } from './svg.ts';

/** The chart: this scheme on this target. */
export const CHART_QUANT = 'int8x16';
export const CHART_TARGET = 'nrf52840/wasm3';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const us = (v: number) => (v >= 100 ? int(v) : v.toFixed(1));
export const uj = (v: number) => (v >= 100 ? int(v) : v.toPrecision(3));
const ratio = (a: number, b: number) => (a / b).toFixed(3);
/** ✗: module + runtime flash or RAM above the device's; †: fits, but a step outlasts the period at the sweep's rate. */
export function fitMark(t: { fits: boolean; why: string }): string {
  if (t.fits) return '';
  return /flash|RAM/.test(t.why) ? '✗' : '†';
}
const cellsOf = (r: SweepResult) => [...new Set(r.rows.map((x) => x.cell))];
const quantsOf = (r: SweepResult) => [...new Set(r.rows.map((x) => x.quant))];
const hiddenOf = (r: SweepResult) => [...new Set(r.rows.map((x) => x.hidden))].sort((a, b) => a - b);

export function find(r: SweepResult, cell: string, hidden: number, quant: string): SweepRow | undefined {
  return r.rows.find((x) => x.cell === cell && x.hidden === hidden && x.quant === quant);
}

/** Energy per step (log) against hidden size, one line per cell type. */
export function energyChart(r: SweepResult, quant = CHART_QUANT, spec = CHART_TARGET): string {
  const label = r.targets.find((t) => t.spec === spec)?.label ?? spec;
  return lineChart({
    title: `Energy per step, ${quant}, ${label} (${spec}), input size ${r.input_size}`,
    xLabel: 'hidden size H', yLabel: 'estimated energy per step (µJ, log scale)', xTicks: hiddenOf(r),
    series: cellsOf(r).map((cell) => ({
      name: cell,
      points: r.rows.filter((x) => x.cell === cell && x.quant === quant).map((x) => ({ x: x.hidden, y: figuresFor(x, spec).energy_uj_per_step })),
    })).filter((s) => s.points.length > 0),
  });
}

function mdTable(header: string[], rows: string[][], right: boolean[]): string {
  return [`| ${header.join(' | ')} |`, `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`, ...rows.map((x) => `| ${x.join(' | ')} |`)].join('\n');
}

/** Measured ratios at equal hidden size, and whether each claim holds. */
export function claimsTable(r: SweepResult, quant = CHART_QUANT, spec = CHART_TARGET): string {
  const hs = hiddenOf(r).filter((h) => ['RNN', 'GRU', 'LSTM'].every((c) => find(r, c, h, quant)));
  if (!hs.length) return '_needs RNN, GRU and LSTM rows at a common hidden size._';
  const get = (c: string, h: number) => find(r, c, h, quant)!;
  const span = (f: (h: number) => number) => {
    const v = hs.map(f);
    const [lo, hi] = [Math.min(...v), Math.max(...v)];
    return lo.toFixed(3) === hi.toFixed(3) ? lo.toFixed(3) : `${lo.toFixed(3)}–${hi.toFixed(3)}`;
  };
  const within = (f: (h: number) => number, want: number, tol: number) => hs.every((h) => Math.abs(f(h) - want) <= tol);
  const hasTarget = r.targets.some((t) => t.spec === spec);
  const e = (c: string, h: number) => (hasTarget ? figuresFor(get(c, h), spec).energy_uj_per_step : NaN);
  const claims: [string, (h: number) => number, number, number][] = [
    ['GRU has about a quarter fewer parameters than LSTM (GRU/LSTM params ≈ 0.75)', (h) => get('GRU', h).params / get('LSTM', h).params, 0.75, 0.03],
    ['GRU needs 3× the MACs of an RNN (GRU/RNN MACs = 3)', (h) => get('GRU', h).macs_per_step / get('RNN', h).macs_per_step, 3, 0.01],
    ['LSTM needs 4× the MACs of an RNN (LSTM/RNN MACs = 4)', (h) => get('LSTM', h).macs_per_step / get('RNN', h).macs_per_step, 4, 0.01],
    ['GRU costs about ¾ of an LSTM in executed wasm ops (≈ 0.75)', (h) => get('GRU', h).wasm_ops_per_step / get('LSTM', h).wasm_ops_per_step, 0.75, 0.05],
    [`GRU costs about ¾ of an LSTM in energy per step (${spec}, ≈ 0.75)`, (h) => e('GRU', h) / e('LSTM', h), 0.75, 0.05],
    ['GRU module is about ¾ of the LSTM module (flash, ≈ 0.75)', (h) => get('GRU', h).flash_bytes / get('LSTM', h).flash_bytes, 0.75, 0.05],
  ];
  const summary = mdTable(['claim', `measured (H = ${hs.join(', ')})`, 'verdict'],
    claims.filter((c) => hasTarget || !c[0].includes('energy')).map(([c, f, want, tol]) => [c, span(f), within(f, want, tol) ? `holds (within ±${tol})` : `**does not hold** (±${tol})`]), [false, true, false]);
  const detail = mdTable(['H', 'params RNN / GRU / LSTM', 'GRU/LSTM params', 'MACs RNN : GRU : LSTM', 'wasm ops RNN : GRU : LSTM', `µJ/step RNN : GRU : LSTM`, 'GRU/LSTM energy'],
    hs.map((h) => [String(h), ['RNN', 'GRU', 'LSTM'].map((c) => int(get(c, h).params)).join(' / '), ratio(get('GRU', h).params, get('LSTM', h).params),
      `1 : ${ratio(get('GRU', h).macs_per_step, get('RNN', h).macs_per_step)} : ${ratio(get('LSTM', h).macs_per_step, get('RNN', h).macs_per_step)}`,
      `1 : ${ratio(get('GRU', h).wasm_ops_per_step, get('RNN', h).wasm_ops_per_step)} : ${ratio(get('LSTM', h).wasm_ops_per_step, get('RNN', h).wasm_ops_per_step)}`,
      ['RNN', 'GRU', 'LSTM'].map((c) => uj(e(c, h))).join(' : '), ratio(e('GRU', h), e('LSTM', h))]),
    [true, true, true, true, true, true, true]);
  return `${summary}\n\nPer hidden size (${quant}; energy on ${spec}):\n\n${detail}`;
}

function quantTable(r: SweepResult, quant: string): string {
  const header = ['cell', 'H', 'params', 'MACs/step', 'flash B', 'RAM B', 'wasm ops/step', 'ops/MAC',
    ...r.targets.map((t) => `${t.label} µs / µJ`)];
  const rows = r.rows.filter((x) => x.quant === quant).map((x) => [
    x.cell, String(x.hidden), int(x.params), int(x.macs_per_step), int(x.flash_bytes), int(x.ram_bytes), int(x.wasm_ops_per_step),
    (x.wasm_ops_per_step / x.macs_per_step).toFixed(1),
    ...x.targets.map((t) => `${us(t.latency_us_per_step)} / ${uj(t.energy_uj_per_step)}${t.fits ? '' : ` ${fitMark(t)}`}`),
  ]);
  return mdTable(header, rows, header.map((_, i) => i > 0));
}

/** The scheme the chart and the claims use: int8x16 if swept, else the first one. */
export function chartQuant(r: SweepResult): string {
  const qs = quantsOf(r);
  return qs.includes(CHART_QUANT) ? CHART_QUANT : qs[0];
}

export function cellsMarkdown(r: SweepResult, svgName = 'cells.svg'): string {
  const cq = chartQuant(r);
  const devices = deviceProfiles();
  const targetRows = r.targets.map((t) => {
    const [dev, rt] = t.spec.split('/');
    const d = devices.find((x) => x.name === dev)!;
    return [t.label, `${dev} / ${rt}`, d.summary, d.core, `${d.clock_mhz} MHz`, `${d.sram_kb} KB`, `${d.flash_kb} KB`, `${d.active_mw} mW`];
  });
  const bands = r.rows.flatMap((x) => x.targets.map((t) => t.energy_band));
  return [
    '# Cell types compared: parameters, MACs, size and estimated cost per step',
    '',
    `Generated by \`rnnc bench cells\` (src/cli/bench.ts, src/report/) on ${r.date} with Node ${process.version}; ` +
      `${r.rows.length} compiles in ${r.seconds.toFixed(0)} s. Regenerate with \`rnnc bench cells --out docs\`.`,
    '',
    `**Models.** Synthetic single-layer ONNX models (src/report/synthetic-models.ts): one ${cellsOf(r).join('/')} node, ` +
      `**input size ${r.input_size}**, batch 1, symbolic sequence length (the module streams one step at a time), ` +
      'weights and biases uniform in (−1/√H, 1/√H) from a seeded PRNG. Sizes and op counts do not depend on the values.',
    '',
    `**Compile.** ${r.compile}. Every row is a real compiled module; op counts come from running its instrumented copy.`,
    '',
    '**Estimates, not measurements.** Latency and energy come from the estimator (src/estimate/estimate.ts): ' +
      'executed wasm opcodes × the runtime\'s per-opcode cost × the core\'s CPI × the device\'s memory factor, at its clock and active power. ' +
      `Their 1-σ bands here are ±${Math.round(100 * Math.min(...bands))}–${Math.round(100 * Math.max(...bands))} % (energy); ` +
      'the ratios between cells on one target are much firmer than the absolute figures. The runtime cost profiles do not ' +
      'distinguish cores with and without an FPU, so the f32 rows on the M0+ and ESP32 understate soft-float cost.',
    '',
    '## Reference targets',
    '',
    mdTable(['column', 'device / runtime', 'device', 'core', 'clock', 'SRAM', 'flash', 'active power'], targetRows, [false, false, false, false, true, true, true, true]),
    '',
    'The Cortex-M0+ is the RP2040 (the SAMD21 is one too, but its 32 KB SRAM holds few of these modules). ' +
      'wasm3 is an interpreter; wasm2c compiles the module ahead of time to C (the AOT column).',
    '',
    `## Energy per step (${cq}, ${CHART_TARGET})`,
    '',
    `![Energy per step against hidden size, one line per cell type](${svgName})`,
    '',
    '## Claims checked (equal hidden size)',
    '',
    'The parameter and MAC ratios follow from the gate counts (G = 1, 3, 4 with the same I and H) and are checked here on the ' +
      'imported models; the executed-ops, energy and flash ratios are measured on the compiled modules, where the per-cell ' +
      'overheads (activations, state updates, descriptors, tables) shift them away from the MAC ratio.',
    '',
    claimsTable(r, cq),
    '',
    '## Tables',
    '',
    '**params**: weights + both biases (ONNX keeps input and recurrent biases). **MACs/step**: G·H·(I+H) for G gate blocks. ' +
      '**flash B**: the whole .wasm module (interpreters keep it in flash; the runtime itself is not included). ' +
      '**RAM B**: the linear-memory high-water mark (the memory limit the firmware must give the module). ' +
      '**wasm ops/step**: executed wasm instructions per step() without block/loop/end/else/nop. ' +
      '**µs / µJ**: estimated latency and energy per step; ✗: does not fit the device (module + runtime flash or RAM above its capacity); ' +
      `†: fits, but a step takes longer than the ${(1000 / SWEEP_USAGE.rate).toFixed(0)} ms period at ${SWEEP_USAGE.rate} steps/s.`,
    '',
    ...quantsOf(r).flatMap((q) => [`### ${q}`, '', quantTable(r, q), '']),
  ].join('\n');
}

/** The compact table for the terminal. */
export function cellsTerminalRows(r: SweepResult): { header: string[]; rows: string[][]; right: boolean[] } {
  const header = ['cell', 'H', 'quant', 'params', 'MACs', 'flash B', 'RAM B', 'ops/step', ...r.targets.map((t) => `${t.label} µs`), `${r.targets.find((t) => t.spec === CHART_TARGET)?.label ?? CHART_TARGET} µJ`];
  const rows = r.rows.map((x) => [x.cell, String(x.hidden), x.quant, int(x.params), int(x.macs_per_step), int(x.flash_bytes), int(x.ram_bytes),
    int(x.wasm_ops_per_step), ...x.targets.map((t) => `${us(t.latency_us_per_step)}${fitMark(t)}`),
    x.targets.some((t) => t.spec === CHART_TARGET) ? uj(figuresFor(x, CHART_TARGET).energy_uj_per_step) : '-']);
  return { header, rows, right: header.map((_, i) => i > 2) };
}
