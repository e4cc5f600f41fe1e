/**
 * @fileoverview The "claims checked" section of docs/cells.md: textbook claims about the cell
 * types, each checked with the sweep's numbers at equal hidden size — GRU against LSTM and RNN
 * (parameters, MACs, executed ops, energy, flash), then SRU's and QRNN's (how their state-dependent
 * work scales, and what rnnc's modules do with the input projection that needs no state).
 */
import { figuresFor, type SweepResult, type SweepRow } from './cells.ts';

export const CHART_QUANT = 'int8x16';
export const CHART_TARGET = 'nrf52840/wasm3';

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const uj = (v: number) => (v >= 100 ? int(v) : v.toPrecision(3));
const ratio = (a: number, b: number) => (a / b).toFixed(3);
export const hiddenOf = (r: SweepResult) => [...new Set(r.rows.map((x) => x.hidden))].sort((a, b) => a - b);

export function find(r: SweepResult, cell: string, hidden: number, quant: string): SweepRow | undefined {
  return r.rows.find((x) => x.cell === cell && x.hidden === hidden && x.quant === quant);
}

export function mdTable(header: string[], rows: string[][], right: boolean[]): string {
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


/** Cells in sweep order that have a row at every one of these hidden sizes in this scheme. */
const present = (r: SweepResult, hs: number[], quant: string) => r.grid.cells.filter((c) => hs.length > 0 && hs.every((h) => find(r, c, h, quant)));

/**
 * SRU's and QRNN's claims, with the numbers at each doubling of H (H → 2H, both swept):
 * state-dependent MACs (the part of MACs/step that does not scale with the input size) and
 * executed wasm ops per step, and QRNN's split of per-step MACs between its window projection and
 * its pooling. Empty when the sweep has neither cell.
 */
export function sruQrnnClaims(r: SweepResult, quant = CHART_QUANT): string {
  const hs = hiddenOf(r);
  const cells = present(r, hs, quant);
  if (!cells.includes('SRU') && !cells.includes('QRNN')) return '';
  const get = (c: string, h: number) => find(r, c, h, quant)!;
  const doublings = hs.filter((h) => hs.includes(2 * h));
  const grows = (c: string, f: (x: SweepRow) => number) => doublings.map((h) => f(get(c, 2 * h)) / f(get(c, h)));
  const spanOf = (v: number[]) => {
    const [lo, hi] = [Math.min(...v), Math.max(...v)];
    return lo.toFixed(3) === hi.toFixed(3) ? `×${lo.toFixed(3)}` : `×${lo.toFixed(3)}–${hi.toFixed(3)}`;
  };
  const state = (x: SweepRow) => x.state_macs_per_step;
  const ops = (x: SweepRow) => x.wasm_ops_per_step;
  const rows: string[][] = [];
  const quadratic = ['GRU', 'LSTM'].filter((c) => cells.includes(c));
  if (cells.includes('SRU') && doublings.length && quadratic.length) {
    const sru = grows('SRU', state);
    const exact = (v: number[], want: number) => v.every((x) => Math.abs(x - want) <= 0.01);
    rows.push([
      'SRU\'s recurrent work grows with d rather than d² (state-dependent MACs per doubling of H: SRU ×2, GRU and LSTM ×4)',
      [`SRU ${spanOf(sru)}`, ...quadratic.map((c) => `${c} ${spanOf(grows(c, state))}`)].join('; '),
      exact(sru, 2) && quadratic.every((c) => exact(grows(c, state), 4)) ? 'holds (within ±0.01)' : '**does not hold** (±0.01)',
    ]);
    const sruOps = grows('SRU', ops);
    const slower = doublings.every((_, i) => quadratic.every((c) => sruOps[i] < grows(c, ops)[i]));
    rows.push([
      'so SRU\'s executed ops per step grow linearly in H at a fixed input size (×≤ 2.1 per doubling), GRU\'s and LSTM\'s faster',
      [`SRU ${spanOf(sruOps)}`, ...quadratic.map((c) => `${c} ${spanOf(grows(c, ops))}`)].join('; '),
      sruOps.every((x) => x <= 2.1) && slower ? 'holds' : '**does not hold**',
    ]);
  }
  if (cells.includes('QRNN')) {
    const pooling = hs.map((h) => get('QRNN', h).state_macs_per_step / get('QRNN', h).macs_per_step);
    const pct = (a: number, b: number) => ((100 * a).toFixed(1) === (100 * b).toFixed(1) ? `${(100 * a).toFixed(1)} %` : `${(100 * a).toFixed(1)}–${(100 * b).toFixed(1)} %`);
    const [lo, hi] = [Math.min(...pooling), Math.max(...pooling)];
    rows.push([
      'QRNN\'s convolution runs ahead of time (its window projection depends only on the inputs)',
      `pooling ${pct(lo, hi)} of per-step MACs, the window projection ${pct(1 - hi, 1 - lo)}`,
      'holds in run(n), 4 steps at a time (~14 % fewer executed ops per step than step(); docs/sru-qrnn.md); step() projects each step as it arrives (below)',
    ]);
  }
  const summary = mdTable(['claim', `measured (${quant}, H = ${hs.join(', ')})`, 'verdict'], rows, [false, true, false]);
  const byCell = (f: (c: string, h: number) => string) => (h: number) => cells.map((c) => f(c, h)).join(' / ');
  const from = (c: string, h: number, g: (x: SweepRow) => number) => (hs.includes(h / 2) ? `×${ratio(g(get(c, h)), g(get(c, h / 2)))}` : '–');
  const detail = mdTable(
    ['H', `state-dependent MACs ${cells.join(' / ')}`, 'growth from H/2', `wasm ops/step ${cells.join(' / ')}`, 'growth from H/2',
      ...(cells.includes('QRNN') ? ['QRNN MACs projection / pooling'] : [])],
    hs.map((h) => [String(h), byCell((c) => int(get(c, h).state_macs_per_step))(h), byCell((c) => from(c, h, state))(h),
      byCell((c) => int(get(c, h).wasm_ops_per_step))(h), byCell((c) => from(c, h, ops))(h),
      ...(cells.includes('QRNN') ? [`${int(get('QRNN', h).input_macs_per_step)} / ${int(get('QRNN', h).state_macs_per_step)}`] : [])]),
    [true, true, true, true, true, true]);
  return `${summary}\n\nPer hidden size (${quant}; input size ${r.input_size}):\n\n${detail}`;
}
