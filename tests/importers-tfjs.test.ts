/**
 * TF.js layers importer: the two trained TF.js models must reproduce TF.js's own predictions and
 * their ONNX equivalents' test data (library and `rnnc validate`); hand-made models are checked
 * against a float64 transcription of the Keras/TF.js layer equations written here (not rnnc's
 * cells); unsupported or broken models must give one-line errors naming the layer.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RnncError } from '../compiler/errors.ts';
import { loadTfjsModel } from '../compiler/importers/tfjs/load.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { readTestData } from '../src/io/test-data.ts';
import { FIXTURES, rnnc } from './helpers/cli.ts';

const TFJS = `${FIXTURES}/conformance/tfjs`;
const run = (g: Graph, x: Tensor) => runReference(g, new Map([[g.inputs[0].name, x]])).get(g.outputs[0].name)!;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('TF.js models trained on Seattle temperatures', () => {
  for (const m of ['simple_rnn', 'lstm']) {
    const dir = `${TFJS}/${m}_seattle_temp_max`;
    it(`${m}: matches TF.js model.predict on the 20 windows within 1e-5`, () => {
      const g = loadTfjsModel(`${dir}/model.json`);
      expect(verifyGraph(g)).toEqual([]);
      expect(g.inputs[0].shape).toEqual(['batch', 14, 1]);
      const p = JSON.parse(readFileSync(`${dir}/predictions.json`, 'utf8'));
      const x = new Float32Array(p.windows.flatMap((w: { input: number[] }) => w.input));
      const y = run(g, { dtype: 'float32', shape: [p.windows.length, 14, 1], data: x });
      expect(y.shape).toEqual([20, 1]);
      expect(maxDiff(y.data, p.predictions)).toBeLessThanOrEqual(1e-5);
    });
    it(`${m}: the ONNX equivalent's test data fits the graph and validates`, () => {
      const g = loadTfjsModel(`${dir}/model.json`);
      const { inputs, outputs } = readTestData(`${dir}/onnx_equivalent/test_data_set_0`, g, true);
      expect(maxDiff(run(g, inputs[0]).data, outputs[0].data)).toBeLessThanOrEqual(1e-5);
    });
  }
  it('rnnc validate accepts the model folder with ONNX test data (and fails on the wrong data)', () => {
    const r = rnnc('validate', `${TFJS}/lstm_seattle_temp_max`, '--data', `${TFJS}/lstm_seattle_temp_max/onnx_equivalent/test_data_set_0`, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    const wrong = rnnc('validate', `${TFJS}/simple_rnn_seattle_temp_max/model.json`, '--data', `${TFJS}/lstm_seattle_temp_max/onnx_equivalent/test_data_set_0`);
    expect(wrong.code).toBe(1);
  });
});

// ---- Hand-made models and their float64 oracle ----
type Cfg = Record<string, unknown>;
interface Layer { class_name: string; config: Cfg }
let seed = 7;
/** float32-exact values in [-0.8, 0.8), so the oracle sees the weights the file holds. */
const rand = () => Math.fround(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 1.6 - 0.8);
const randArr = (n: number) => Array.from({ length: n }, rand);

/** Writes model.json + weights.bin (manifest order = `weights` order) and returns the model.json path. */
function writeModel(layers: Layer[], weights: [string, number[], number[]][], functional = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-tfjs-'));
  const topology = functional
    ? { class_name: 'Functional', config: { name: 'f', input_layers: [['in', 0, 0]], output_layers: [[layers.at(-1)!.config.name, 0, 0]],
      layers: [{ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, T, F] }, inbound_nodes: [] },
        ...layers.map((l, i) => ({ ...l, name: l.config.name, inbound_nodes: [[[i ? layers[i - 1].config.name : 'in', 0, 0, {}]]] }))] } }
    : { class_name: 'Sequential', config: { name: 's', layers: layers.map((l, i) => (i ? l : { ...l, config: { ...l.config, batch_input_shape: [null, T, F] } })) } };
  const manifest = [{ paths: ['weights.bin'], weights: weights.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) }];
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: manifest }));
  writeFileSync(join(dir, 'weights.bin'), new Uint8Array(Float32Array.from(weights.flatMap((w) => w[2])).buffer));
  return join(dir, 'model.json');
}

const T = 5, F = 4, N = 3;
const ACT: Record<string, (v: number) => number> = {
  tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)), hard_sigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  relu: (v) => Math.max(0, v), linear: (v) => v,
};
/** x·M for a row vector x and M [rows, cols] row-major, columns [c0, c0+n). */
const dot = (x: number[], M: number[], cols: number, c0: number, n: number) =>
  Array.from({ length: n }, (_, j) => x.reduce((s, xi, i) => s + xi * M[i * cols + c0 + j], 0));

interface Rec { cls: string; units: number; act: string; rec: string; resetAfter?: boolean; bias: boolean }
/** One Keras recurrent layer over one sample [T][I]: returns the per-step outputs in processing order. */
function kerasLayer(r: Rec, k: number[], rk: number[], bias: number[] | undefined, xs: number[][], backwards: boolean): number[][] {
  const H = r.units, G = { SimpleRNN: 1, GRU: 3, LSTM: 4 }[r.cls]!, GH = G * H;
  const f = ACT[r.act], g = ACT[r.rec];
  let h = new Array(H).fill(0), c = new Array(H).fill(0);
  const out: number[][] = [];
  for (const x of backwards ? [...xs].reverse() : xs) {
    const bi = (blk: number) => (bias ? bias.slice(blk * H, blk * H + H) : new Array(H).fill(0));
    const br = (blk: number) => (bias && r.resetAfter ? bias.slice(GH + blk * H, GH + blk * H + H) : new Array(H).fill(0));
    const xw = (blk: number) => dot(x, k, GH, blk * H, H).map((v, j) => v + bi(blk)[j]);
    const hu = (blk: number, hv: number[]) => dot(hv, rk, GH, blk * H, H).map((v, j) => v + br(blk)[j]);
    if (r.cls === 'SimpleRNN') h = xw(0).map((v, j) => f(v + hu(0, h)[j]));
    else if (r.cls === 'GRU') {
      const z = xw(0).map((v, j) => g(v + hu(0, h)[j]));
      const rr = xw(1).map((v, j) => g(v + hu(1, h)[j]));
      const hh = r.resetAfter ? xw(2).map((v, j) => f(v + rr[j] * hu(2, h)[j])) : xw(2).map((v, j) => f(v + hu(2, h.map((q, i) => rr[i] * q))[j]));
      h = h.map((q, j) => z[j] * q + (1 - z[j]) * hh[j]);
    } else {
      const [i, fg, cc, o] = [0, 1, 2, 3].map((blk) => xw(blk).map((v, j) => v + hu(blk, h)[j]));
      c = c.map((q, j) => g(fg[j]) * q + g(i[j]) * f(cc[j]));
      h = c.map((q, j) => g(o[j]) * f(q));
    }
    out.push(h);
  }
  return out;
}

interface Case { name: string; layers: Layer[]; weights: [string, number[], number[]][]; oracle: (x: number[][]) => number[] | number[][] }

function recurrent(r: Rec, name: string, inSize: number, extra: Cfg = {}, wrap?: string) {
  const G = { SimpleRNN: 1, GRU: 3, LSTM: 4 }[r.cls]!;
  const ws = (p: string) => {
    const k = randArr(inSize * G * r.units), rk = randArr(r.units * G * r.units);
    const b = r.bias ? randArr((r.resetAfter ? 2 : 1) * G * r.units) : undefined;
    const list: [string, number[], number[]][] = [[`${p}/kernel`, [inSize, G * r.units], k], [`${p}/recurrent_kernel`, [r.units, G * r.units], rk]];
    if (b) list.push([`${p}/bias`, r.resetAfter ? [2, G * r.units] : [G * r.units], b]);
    return { list, k, rk, b };
  };
  const config: Cfg = { name, units: r.units, activation: r.act, recurrent_activation: r.rec, use_bias: r.bias, reset_after: r.resetAfter ?? false, ...extra };
  return { config, ws };
}

function dense(name: string, inSize: number, units: number, act: string) {
  const k = randArr(inSize * units), b = randArr(units);
  const apply = (v: number[]) => {
    const y = dot(v, k, units, 0, units).map((q, j) => q + b[j]);
    if (act !== 'softmax') return y.map(ACT[act]);
    const e = y.map((q) => Math.exp(q - Math.max(...y)));
    return e.map((q) => q / e.reduce((s, w) => s + w, 0));
  };
  return { layer: { class_name: 'Dense', config: { name, units, activation: act } }, weights: [[`${name}/kernel`, [inSize, units], k], [`${name}/bias`, [units], b]] as [string, number[], number[]][], apply };
}

function singleCase(name: string, r: Rec, seqOut: boolean, back: boolean, headAct: string, td: boolean): Case {
  const rl = recurrent(r, 'rec', F, { return_sequences: seqOut, go_backwards: back });
  const w = rl.ws('rec');
  const d = dense(td ? 'td' : 'dense', r.units, 2, headAct);
  const head = td ? { class_name: 'TimeDistributed', config: { name: 'td', layer: d.layer } } : d.layer;
  return {
    name, layers: [{ class_name: r.cls, config: rl.config }, { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } }, head], weights: [...w.list, ...d.weights],
    oracle: (x) => { const hs = kerasLayer(r, w.k, w.rk, w.b, x, back); return seqOut ? hs.map(d.apply) : d.apply(hs.at(-1)!); },
  };
}

function bidiCase(merge: string, r: Rec, seqOut: boolean): Case {
  const rl = recurrent(r, 'inner', F, { return_sequences: seqOut });
  const [fw, bw] = [rl.ws('bi/forward_inner'), rl.ws('bi/backward_inner')];
  const combine = (a: number[], b: number[]) => a.map((v, j) => ({ sum: v + b[j], ave: 0.5 * (v + b[j]), mul: v * b[j] })[merge as 'sum'] ?? v);
  return {
    name: `Bidirectional(${r.cls}) merge_mode ${merge}${seqOut ? ', return_sequences' : ''}`,
    layers: [{ class_name: 'Bidirectional', config: { name: 'bi', merge_mode: merge, layer: { class_name: r.cls, config: rl.config } } }],
    weights: [...fw.list, ...bw.list],
    oracle: (x) => {
      const a = kerasLayer(r, fw.k, fw.rk, fw.b, x, false);
      const b = kerasLayer(r, bw.k, bw.rk, bw.b, x, true).reverse(); // Bidirectional re-reverses the backward sequence
      const m = (p: number[], q: number[]) => (merge === 'concat' ? [...p, ...q] : combine(p, q));
      return seqOut ? a.map((v, t) => m(v, b[t])) : m(a.at(-1)!, b[0]);
    },
  };
}

const cases: Case[] = [
  singleCase('GRU reset_after false, hard_sigmoid, return_sequences → TimeDistributed(Dense softmax)', { cls: 'GRU', units: 3, act: 'tanh', rec: 'hard_sigmoid', resetAfter: false, bias: true }, true, false, 'softmax', true),
  singleCase('GRU reset_after true (two bias rows) → Dense relu', { cls: 'GRU', units: 4, act: 'tanh', rec: 'sigmoid', resetAfter: true, bias: true }, false, false, 'relu', false),
  singleCase('GRU reset_after true, go_backwards, return_sequences', { cls: 'GRU', units: 3, act: 'tanh', rec: 'hard_sigmoid', resetAfter: true, bias: true }, true, true, 'linear', false),
  singleCase('LSTM go_backwards, return_sequences → Dense on 3-D', { cls: 'LSTM', units: 3, act: 'tanh', rec: 'hard_sigmoid', bias: true }, true, true, 'tanh', false),
  singleCase('LSTM go_backwards, last state → Dense sigmoid', { cls: 'LSTM', units: 2, act: 'relu', rec: 'sigmoid', bias: true }, false, true, 'sigmoid', false),
  singleCase('SimpleRNN linear activation, no bias', { cls: 'SimpleRNN', units: 3, act: 'linear', rec: 'linear', bias: false }, true, false, 'linear', true),
  ...['concat', 'sum', 'ave', 'mul'].flatMap((m) => [
    bidiCase(m, { cls: 'LSTM', units: 3, act: 'tanh', rec: 'hard_sigmoid', bias: true }, true),
    bidiCase(m, { cls: 'GRU', units: 2, act: 'tanh', rec: 'sigmoid', resetAfter: true, bias: true }, false),
  ]),
];

describe('hand-made TF.js models against a float64 Keras transcription', () => {
  const xs = Array.from({ length: N }, () => Array.from({ length: T }, () => randArr(F)));
  const xTensor: Tensor = { dtype: 'float32', shape: [N, T, F], data: Float32Array.from(xs.flat(2)) };
  for (const functional of [false, true]) {
    for (const c of cases) {
      it(`${c.name}${functional ? ' (Functional)' : ''}`, () => {
        const g = loadTfjsModel(writeModel(c.layers, c.weights, functional));
        expect(verifyGraph(g)).toEqual([]);
        const want = xs.map(c.oracle).flat(2) as number[];
        expect(maxDiff(run(g, xTensor).data, want)).toBeLessThanOrEqual(1e-5);
      });
    }
  }
});

describe('TF.js importer errors', () => {
  const base = singleCase('base', { cls: 'LSTM', units: 2, act: 'tanh', rec: 'hard_sigmoid', bias: true }, false, false, 'linear', false);
  const withLayer = (i: number, patch: (l: Layer) => Layer) => base.layers.map((l, j) => (j === i ? patch(l) : l));
  const expectError = (path: string, pattern: RegExp) => {
    expect(() => loadTfjsModel(path)).toThrow(RnncError);
    expect(() => loadTfjsModel(path)).toThrow(pattern);
  };
  it('unsupported layer type', () => expectError(writeModel(withLayer(1, () => ({ class_name: 'Conv1D', config: { name: 'conv' } })), base.weights), /layer 'conv' \(Conv1D\).*not supported/));
  it('Masking', () => expectError(writeModel(withLayer(1, () => ({ class_name: 'Masking', config: { name: 'mask' } })), base.weights), /layer 'mask' \(Masking\): Masking is not supported/));
  it('stateful', () => expectError(writeModel(withLayer(0, (l) => ({ ...l, config: { ...l.config, stateful: true } })), base.weights), /layer 'rec' \(LSTM\): stateful: true/));
  it('unmapped activation', () => expectError(writeModel(withLayer(0, (l) => ({ ...l, config: { ...l.config, activation: 'selu' } })), base.weights), /layer 'rec' \(LSTM\): activation "selu"/));
  it('merge_mode null', () => {
    const c = bidiCase('concat', { cls: 'GRU', units: 2, act: 'tanh', rec: 'sigmoid', bias: true }, false);
    expectError(writeModel([{ ...c.layers[0], config: { ...c.layers[0].config, merge_mode: null } }], c.weights), /layer 'bi' \(Bidirectional\(GRU\)\): merge_mode null/);
  });
  it('weight file too short', () => {
    const path = writeModel(base.layers, base.weights);
    const bin = join(path, '..', 'weights.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 40));
    expectError(path, /weights\.bin hold 40 bytes.*too short/);
  });
  it('weight shape mismatch', () => {
    const w = base.weights.map(([n, s, d]): [string, number[], number[]] => (n === 'rec/kernel' ? [n, [2, s[1]], d.slice(0, 2 * s[1])] : [n, s, d]));
    expectError(writeModel(base.layers, w), /layer 'rec' \(LSTM\): weight 'rec\/kernel' has shape \[2,8\], expected \[4,8\]/);
  });
  it('weights of no layer', () => expectError(writeModel(base.layers, [...base.weights, ['ghost/kernel', [1], [0]]]), /weight 'ghost\/kernel' belongs to no layer/));
});
