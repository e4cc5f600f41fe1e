/**
 * Reports: `rnnc analyze --html` (well-formed, self-contained, one SVG per chart, the numbers
 * equal to estimateModel's for the same options, red bars exactly where the device's capacity is
 * exceeded) and the cell sweep behind `rnnc bench cells` on a reduced grid (parameters and MACs
 * against the hand formulas G·H·(I+H) + 2·G·H and G·H·(I+H), SRU's k·H·I + 4·H, QRNN's
 * w·G·H·I + G·H and w·G·H·I + (G−1)·H; the chart's polylines ordered as the energies are; SRU and
 * QRNN under f32 shown as n/a; estimateGraph equal to estimateModel on the same model).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../src/analyze.ts';
import { DEFAULT_COMPILE } from '../src/compile.ts';
import { estimateModel, type ModelEstimates } from '../src/estimate/index.ts';
import { runCellSweep, type SweepResult } from '../src/report/cells.ts';
import { cellsMarkdown, energyChart } from '../src/report/cells-doc.ts';
import { estimateGraph } from '../src/report/estimate-graph.ts';
import { analyzeHtml } from '../src/report/html.ts';
import { sruGraph } from '../src/report/synthetic-ir.ts';
import { cellType, onnxRecurrentModel, seededRandom, type CellType } from '../src/report/synthetic-models.ts';
import { loadModel } from '../src/model.ts';
import { deviceProfiles } from '../src/targets.ts';
import { FIXTURES, rnnc } from './helpers/cli.ts';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col', 'area', 'base', 'source']);

/** Every opened tag closed in order; returns the problems (empty when balanced). */
function tagProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/<!DOCTYPE[^>]*>/i, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g)) {
    const [, close, name, rest] = m;
    const tag = name.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open}> at ${m.index}`);
    } else if (!rest.trimEnd().endsWith('/') && !VOID.has(tag)) stack.push(tag);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  if (/<(?![!/a-zA-Z])/.test(body)) problems.push('a bare < in text');
  return problems;
}

describe('rnnc analyze --html', () => {
  const model = `${FIXTURES}/conformance/tfjs/lstm_seattle_temp_max/onnx_equivalent`;
  const out = mkdtempSync(join(tmpdir(), 'rnnc-report-'));
  const file = join(out, 'sub', 'report.html');
  let html = '';
  let est: ModelEstimates;

  beforeAll(async () => {
    const r = rnnc('analyze', model, '--html', file, '--rate', '5');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    html = readFileSync(file, 'utf8');
    // The same options, through the library: default scheme, every target, 5 steps/s.
    est = await estimateModel(model, 'all', { ...DEFAULT_COMPILE }, { rate: 5, batteryMah: 220, batteryVolts: 3.0 });
  });

  it('is well-formed, self-contained, and written atomically', () => {
    expect(tagProblems(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    expect(readdirSync(join(out, 'sub'))).toEqual(['report.html']);
  });

  it('has one <svg> per chart: layers, latency, energy, flash, RAM', () => {
    expect(html.match(/<svg\b/g)?.length).toBe(5);
    expect(html.match(/<\/svg>/g)?.length).toBe(5);
    for (const title of ['Cost per layer', 'Latency per step', 'Energy per step', 'Flash:', 'RAM:']) expect(html).toContain(`<title>${title}`);
  });

  it('names every layer, and every target with estimateModel\'s numbers', () => {
    // The fixture: LSTM (I=1, H=16) then a 16→1 MatMul and an Add (analyze.test.ts checks their counts).
    const layers = analyzeGraph(loadModel(model)).layers;
    expect(layers.map((l) => l.op)).toEqual(['LSTM', 'MatMul', 'Add']);
    for (const l of layers) expect(html).toContain(`<tr><td>${l.name}</td><td>${l.op}</td>`);
    expect(est.estimates.length).toBe(deviceProfiles().length * 5);
    const int = (n: number) => Math.round(n).toLocaleString('en-US');
    for (const e of est.estimates) {
      const row = new RegExp(`<tr data-target="${e.target}/${e.runtime}"[^>]*>(.*?)</tr>`).exec(html);
      expect(row, `${e.target}/${e.runtime}`).not.toBeNull();
      const cells = [...row![1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
      expect(cells.slice(0, 11)).toEqual([
        e.target, e.runtime, e.latency_us_per_step.toFixed(1), `±${Math.round(100 * e.confidence.latency)}%`,
        e.energy_uj_per_step.toFixed(3), `±${Math.round(100 * e.confidence.energy)}%`, e.average_power_mw.toFixed(3),
        e.battery_life_days.toFixed(0), int(e.flash_bytes), int(e.ram_bytes), e.fits ? 'yes' : `no: ${e.why}`.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      ]);
    }
  });

  it('draws an error bar and a capacity line for every target', () => {
    const [, lat, energy, flash, ram] = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    for (const chart of [lat, energy]) expect(chart.match(/<path d="M/g)?.length).toBe(est.estimates.length);
    for (const chart of [flash, ram]) expect(chart.match(/ capacity /g)?.length).toBe(est.estimates.length);
  });

  it('draws red bars exactly where flash or RAM exceed the device (a large f32 model)', async () => {
    const big = `${FIXTURES}/bench/lstm_i32_h128_s100`;
    const use = { rate: 10, batteryMah: 220, batteryVolts: 3.0 };
    const e = await estimateModel(big, 'all', { ...DEFAULT_COMPILE, quant: 'f32' }, use);
    const page = analyzeHtml({ analysis: analyzeGraph(loadModel(big)), est: e, use, spec: 'all', devices: deviceProfiles() });
    expect(tagProblems(page)).toEqual([]);
    const [, , , flash, ram] = page.match(/<svg[\s\S]*?<\/svg>/g)!;
    const devices = new Map(deviceProfiles().map((d) => [d.name, d]));
    const overFlash = e.estimates.filter((x) => x.flash_bytes > devices.get(x.target)!.flash_kb * 1024).length;
    const overRam = e.estimates.filter((x) => x.ram_bytes > devices.get(x.target)!.sram_kb * 1024).length;
    expect(overRam).toBeGreaterThan(0); // ~330 KB of f32 weights in linear memory: above several devices' SRAM
    const red = (svg: string) => (svg.match(/<rect [^>]*fill="#d62728"/g) ?? []).length;
    expect([red(flash), red(ram)]).toEqual([overFlash, overRam]);
    expect(page.match(/<tr data-target="[^"]*" class="no">/g)?.length).toBe(e.estimates.filter((x) => !x.fits).length);
  });
});

describe('cell sweep (reduced grid)', () => {
  const I = 32;
  const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };
  const [K, WINDOW, G] = [4, 2, 3]; // SRU k; QRNN window and fo-pooling's gates z, f, o
  const CELLS = ['RNN', 'GRU', 'LSTM', 'SRU', 'QRNN'];
  let sweep: SweepResult;

  beforeAll(async () => {
    sweep = await runCellSweep({
      cells: CELLS.map(cellType), hidden: [16, 32], quants: ['int8x16'],
      targets: [{ label: 'M4F', spec: 'nrf52840/wasm3' }], inputSize: I,
    });
  });

  it('parameters and MACs equal the hand formulas; sizes and ops grow with H', () => {
    expect(sweep.rows.map((r) => `${r.cell}${r.hidden}`)).toEqual(CELLS.flatMap((c) => [`${c}16`, `${c}32`]));
    expect(sweep.skipped).toEqual([]);
    for (const r of sweep.rows) {
      const H = r.hidden;
      // [params, input-projection MACs, state-dependent MACs] per the op table's cost hooks (docs/sru-qrnn.md).
      const want: Record<string, [number, number, number]> = {
        SRU: [K * H * I + 4 * H, K * H * I, 4 * H], // W [1, k·H, I]; Wc and B [1, 2·H]; v_f⊙c, v_r⊙c, f⊙(c − x̃), r⊙(g − x')
        QRNN: [WINDOW * G * H * I + G * H, WINDOW * G * H * I, (G - 1) * H], // W [G·H, w·I], B [G·H]; f⊙(c − z), o⊙c
      };
      const [params, input, state] = want[r.cell] ?? [GATES[r.cell] * H * (I + H) + 2 * GATES[r.cell] * H, GATES[r.cell] * H * I, GATES[r.cell] * H * H];
      expect([r.params, r.input_macs_per_step, r.state_macs_per_step], `${r.cell} ${H}`).toEqual([params, input, state]);
      expect(r.macs_per_step).toBe(input + state);
      // The loop kernels execute more than one wasm instruction per MAC; the int8 weights alone fill most of the module.
      expect(r.wasm_ops_per_step).toBeGreaterThan(r.macs_per_step);
      expect(r.flash_bytes).toBeGreaterThan(input + state);
      const t = r.targets[0];
      expect(t.energy_uj_per_step).toBeCloseTo((t.latency_us_per_step * deviceProfiles().find((d) => d.name === 'nrf52840')!.active_mw) / 1000, 9);
    }
    for (const cell of CELLS) {
      const [a, b] = sweep.rows.filter((r) => r.cell === cell);
      expect(b.ram_bytes).toBeGreaterThan(a.ram_bytes);
      expect(b.wasm_ops_per_step).toBeGreaterThan(a.wasm_ops_per_step);
    }
  });

  it('the chart\'s polylines are ordered as the energies are', () => {
    const svg = energyChart(sweep, 'int8x16', 'nrf52840/wasm3');
    expect(tagProblems(svg)).toEqual([]);
    const lines = [...svg.matchAll(/<polyline data-series="(\w+)" points="([^"]+)"/g)];
    expect(lines.map((m) => m[1])).toEqual(CELLS);
    const allY: [number, number][] = [];
    for (const [, cell, pts] of lines) {
      const xy = pts.split(' ').map((p) => p.split(',').map(Number));
      const energies = sweep.rows.filter((r) => r.cell === cell).sort((a, b) => a.hidden - b.hidden).map((r) => r.targets[0].energy_uj_per_step);
      expect(xy.length).toBe(2);
      expect(xy[1][0]).toBeGreaterThan(xy[0][0]); // x grows with H
      // SVG y grows downwards: more energy, smaller y.
      expect(Math.sign(xy[0][1] - xy[1][1])).toBe(Math.sign(energies[1] - energies[0]));
      xy.forEach((p, i) => allY.push([energies[i], p[1]]));
    }
    // Across all series too: the log axis preserves the order of every pair of energies.
    for (const [ea, ya] of allY) for (const [eb, yb] of allY) if (ea < eb) expect(ya).toBeGreaterThan(yb);
  });

  it('the markdown states the input size and checks the GRU/LSTM, SRU and QRNN claims with the measured numbers', () => {
    const md = cellsMarkdown(sweep);
    expect(md).toContain(`input size ${I}`);
    const line = (start: string) => md.split('\n').find((l) => l.startsWith(`| ${start}`))!;
    // 3·H·(I+H) + 6H over 4·H·(I+H) + 8H is exactly 3/4 at any size.
    expect(line('GRU has about a quarter fewer parameters')).toContain('| 0.750 | holds');
    // State-dependent MACs from H = 16 to 32: SRU 4·H doubles, GRU's 3·H² and LSTM's 4·H² quadruple.
    expect(line('SRU\'s recurrent work grows with d')).toContain('| SRU ×2.000; GRU ×4.000; LSTM ×4.000 | holds');
    const ops = (c: string) => sweep.rows.filter((r) => r.cell === c).map((r) => r.wasm_ops_per_step);
    const growth = (c: string) => `${c} ×${(ops(c)[1] / ops(c)[0]).toFixed(3)}`;
    expect(line('so SRU\'s executed ops per step')).toContain(`| ${['SRU', 'GRU', 'LSTM'].map(growth).join('; ')} |`);
    // QRNN: pooling (G−1)·H of w·G·H·I + (G−1)·H MACs, at any H.
    const pooling = (100 * (G - 1)) / (WINDOW * G * I + G - 1);
    expect(line('QRNN\'s convolution runs ahead of time')).toContain(`pooling ${pooling.toFixed(1)} % of per-step MACs, the window projection ${(100 - pooling).toFixed(1)} %`);
    expect(md).toContain('holds in run(n), 4 steps at a time');
  });

  it('f32 compiles SRU and QRNN too: a row for every cell, none skipped', async () => {
    const r = await runCellSweep({
      cells: ['RNN', 'SRU', 'QRNN'].map(cellType), hidden: [16], quants: ['f32'], targets: [{ label: 'M4F', spec: 'nrf52840/wasm3' }], inputSize: I,
    });
    expect(r.rows.map((x) => [x.cell, x.params])).toEqual([['RNN', expect.any(Number)], ['SRU', K * 16 * I + 4 * 16], ['QRNN', WINDOW * G * 16 * I + G * 16]]);
    expect(r.skipped).toEqual([]);
    expect(cellsMarkdown(r)).not.toContain('n/a');
  });

  it('other compile errors still fail the sweep', async () => {
    // Two runtime inputs need a test-data folder to freeze one: not a scheme's refusal, so not an n/a cell.
    const twoInputs: CellType = {
      name: 'SRU2', gates: K, model: 'an SRU with a stray second input',
      graph(_dir, inputSize, hidden, seed) {
        const g = sruGraph(inputSize, hidden, seededRandom(seed));
        const extra = { name: 'extra', dtype: 'float32' as const, shape: [1] };
        g.inputs.push(extra);
        g.values.set('extra', extra);
        return g;
      },
    };
    await expect(runCellSweep({ cells: [twoInputs], hidden: [16], quants: ['int8x16'], targets: [], inputSize: I })).rejects.toThrow(/must be frozen/);
  });

  it('estimateGraph gives estimateModel\'s numbers for the same model', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rnnc-report-')), 'gru.onnx');
    writeFileSync(path, onnxRecurrentModel('GRU', 3, I, 16, 7));
    const o = { ...DEFAULT_COMPILE, kernel: 'loop' };
    const use = { rate: 10, batteryMah: 220, batteryVolts: 3.0 };
    const [a, b] = [await estimateModel(path, 'nrf52840', o, use), await estimateGraph(loadModel(path), 'nrf52840', o, use)];
    expect(b.estimates.length).toBe(5);
    expect(b).toEqual(a);
  });
});
