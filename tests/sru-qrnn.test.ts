/**
 * SRU and QRNN. Oracles: (a) the `sru` package's own outputs (fixture); (b) float64
 * transcriptions written here, in the package's tensor layout, of sru/ops.py's naive recurrence
 * with SRU.forward around it, and of the QRNN paper's equations; (c) steps computed by hand
 * (pre-activations ±ln 3, ln 2, 0 give σ = 3/4, 1/4, 1/2 and tanh = 0.8, 0.6, 0); (d) hand
 * formulas for `analyze`; (e) the IR verifier and shape errors naming the node.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RnncError } from '../compiler/errors.ts';
import { GraphBuilder, int64 } from '../compiler/importers/graph-builder.ts';
import { loadPytorchModel } from '../compiler/importers/pytorch/load.ts';
import { readSafetensors } from '../compiler/importers/pytorch/safetensors.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { lowerGraph } from '../compiler/lower/lower.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { analyzeGraph } from '../src/analyze.ts';
import { readTestData } from '../src/io/test-data.ts';
import { FIXTURES, rnnc } from './helpers/cli.ts';
import { writeSafetensors } from './helpers/sru-qrnn-models.ts';

const FIXTURE = `${FIXTURES}/conformance/pytorch-sru/sru_2layer_bidirectional`;
const LN3 = Math.log(3), LN2 = Math.log(2);
const sig = (v: number) => 1 / (1 + Math.exp(-v));
type Arr3 = number[][][];

/** xorshift32 → uniform in [−a, a), rounded to float32 so the graph and the oracles see the same numbers. */
function uniform(seed: number, a = 1): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return Math.fround((s / 2 ** 32 * 2 - 1) * a); };
}
const f32 = (shape: number[], data: ArrayLike<number>): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });
const nested = (t: Tensor): Arr3 => Array.from({ length: t.shape[0] }, (_, a) => Array.from({ length: t.shape[1] }, (_, b) =>
  Array.from(t.data.subarray((a * t.shape[1] + b) * t.shape[2], (a * t.shape[1] + b + 1) * t.shape[2]))));
function maxErr(got: ArrayLike<number>, want: number[], rtol = 0): number {
  expect(got.length).toBe(want.length);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) - rtol * Math.abs(want[i]));
  return m;
}

// ---- (b) the sru package, transcribed: SRU.forward over its cells, each cell U = x·weight then
// elementwise_recurrence_naive with U viewed (T, B, D, H, k), weight_c and bias viewed (2, D, H). ----
interface SruCfg { input_size: number; hidden_size: number; num_layers: number; bidirectional?: boolean; use_tanh?: boolean;
  has_skip_term?: boolean; rescale?: boolean; projection_size?: number; nn_rnn_compatible_return?: boolean; proj_input_to_hidden_first?: boolean }

function sruPackage(cfg: SruCfg, sd: Record<string, Tensor>, x: Arr3): { output: Arr3; c: Arr3 } {
  const D = cfg.bidirectional ? 2 : 1, H = cfg.hidden_size, out = D * H, skip = cfg.has_skip_term ?? true;
  const matmul = (a: Arr3, w: Tensor) => a.map((row) => row.map((v) => Array.from({ length: w.shape[1] }, (_, o) =>
    v.reduce((s, xi, i) => s + xi * w.data[i * w.shape[1] + o], 0))));
  let prev = x;
  const toHidden = sd['input_to_hidden.weight'];
  if (toHidden) prev = prev.map((row) => row.map((v) => Array.from({ length: out }, (_, o) => v.reduce((s, xi, i) => s + xi * toHidden.data[o * v.length + i], 0))));
  const cs: number[][][] = [];
  for (let l = 0; l < cfg.num_layers; l++) {
    const p = (n: string) => sd[`rnn_lst.${l}.${n}`];
    const U = p('weight_proj') ? matmul(matmul(prev, p('weight_proj')), p('weight')) : matmul(prev, p('weight'));
    const k = p('weight').shape[1] / out;
    const T = prev.length, B = prev[0].length;
    const h = prev.map((row) => row.map(() => new Array(out).fill(0)));
    const cLast = prev[0].map(() => new Array(out).fill(0));
    for (let d = 0; d < D; d++) {
      const times = [...Array(T).keys()];
      if (d === 1) times.reverse();
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
        const [fw, rw] = [0, 1].map((g) => p('weight_c').data[(g * D + d) * H + j]);
        const [fb, rb] = [0, 1].map((g) => p('bias').data[(g * D + d) * H + j]);
        let cPrev = 0;
        for (const t of times) {
          const u = (m: number) => U[t][b][(d * H + j) * k + m];
          const forget = sig(u(1) + fb + cPrev * fw), reset = sig(u(2) + rb + cPrev * rw);
          const ct = u(0) + (cPrev - u(0)) * forget;
          cPrev = ct;
          const g = cfg.use_tanh ? Math.tanh(ct) : ct;
          const xp = k === 3 ? prev[t][b][d * H + j] * (cfg.rescale ? p('scale_x').data[0] : 1) : u(3);
          h[t][b][d * H + j] = skip ? xp + (g - xp) * reset : g * reset;
        }
        cLast[b][d * H + j] = cPrev;
      }
    }
    prev = h;
    cs.push(cLast);
  }
  // nn_rnn_compatible_return: (L, B, D, H) → (L, D, B, H) → (L·D, B, H).
  const c = cfg.nn_rnn_compatible_return ? cs.flatMap((cl) => [...Array(D).keys()].map((d) => cl.map((v) => v.slice(d * H, (d + 1) * H)))) : cs;
  return { output: prev, c };
}

/** Random state dict with the package's parameter shapes (SRUCell.__init__), and its model folder. */
function sruModel(cfg: SruCfg, seed: number) {
  const rnd = uniform(seed, 0.8), D = cfg.bidirectional ? 2 : 1, out = D * cfg.hidden_size;
  const t = (...shape: number[]) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, rnd));
  const sd: Record<string, Tensor> = {};
  let I = cfg.input_size;
  if (cfg.proj_input_to_hidden_first && I !== out) { sd['input_to_hidden.weight'] = t(out, I); I = out; }
  for (let l = 0; l < cfg.num_layers; l++, I = out) {
    const k = (cfg.has_skip_term ?? true) && I !== out ? 4 : 3, P = cfg.projection_size ?? 0;
    if (P > 0 && P < I && P < out) Object.assign(sd, { [`rnn_lst.${l}.weight_proj`]: t(I, P), [`rnn_lst.${l}.weight`]: t(P, out * k) });
    else sd[`rnn_lst.${l}.weight`] = t(I, out * k);
    Object.assign(sd, { [`rnn_lst.${l}.weight_c`]: t(2 * out), [`rnn_lst.${l}.bias`]: t(2 * out), [`rnn_lst.${l}.scale_x`]: f32([1], [1.25 + rnd()]) });
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-sru-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ module: 'sru.SRU', ...cfg }));
  return { sd, file: writeSafetensors(dir, sd) };
}

const SRU_CASES: [string, SruCfg, number[]][] = [
  ['k=4 then 3, unidirectional', { input_size: 5, hidden_size: 4, num_layers: 2 }, [4, 3]],
  ['k=4 then 3, bidirectional, tanh', { input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true, use_tanh: true }, [4, 3]],
  ['k=3, unidirectional, rescale', { input_size: 4, hidden_size: 4, num_layers: 2, rescale: true }, [3, 3]],
  ['k=3, bidirectional, nn_rnn_compatible_return', { input_size: 8, hidden_size: 4, num_layers: 2, bidirectional: true, nn_rnn_compatible_return: true }, [3, 3]],
  ['no skip term', { input_size: 5, hidden_size: 3, num_layers: 2, bidirectional: true, has_skip_term: false }, [3, 3]],
  ['projection_size', { input_size: 6, hidden_size: 4, num_layers: 2, bidirectional: true, projection_size: 3 }, [4, 3]],
  ['proj_input_to_hidden_first, rescale', { input_size: 5, hidden_size: 3, num_layers: 2, proj_input_to_hidden_first: true, rescale: true }, [3, 3]],
];

describe('SRU against the sru package', () => {
  it('(a) fixture: sru 2.3.5 outputs through loadPytorchModel, to 1e-5', () => {
    const g = loadPytorchModel(`${FIXTURE}/model.safetensors`);
    expect(verifyGraph(g)).toEqual([]);
    expect(g.outputs.map((o) => o.name)).toEqual(['output', 'c_n']);
    const { inputs, outputs } = readTestData(`${FIXTURE}/test_data_set_0`, g, true);
    const got = runReference(g, new Map([[g.inputs[0].name, inputs[0]]]));
    g.outputs.forEach((o, i) => {
      expect(got.get(o.name)!.shape).toEqual(outputs[i].shape);
      expect(maxErr(got.get(o.name)!.data, Array.from(outputs[i].data), 1e-4)).toBeLessThanOrEqual(1e-5);
    });
    // The data pins the layouts: forget and reset peepholes swapped must not pass.
    const sd = Object.fromEntries(readSafetensors(`${FIXTURE}/model.safetensors`).tensors);
    const wc = sd['rnn_lst.0.weight_c'].data as Float32Array;
    sd['rnn_lst.0.weight_c'] = f32([28], [...wc.slice(14), ...wc.slice(0, 14)]);
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-sru-'));
    writeFileSync(join(dir, 'config.json'), readFileSync(`${FIXTURE}/config.json`));
    const bad = loadPytorchModel(writeSafetensors(dir, sd));
    expect(maxErr(runReference(bad, new Map([['input', inputs[0]]])).get('output')!.data, Array.from(outputs[0].data))).toBeGreaterThan(1e-3);
    // CLI, as users run it (dist/cli.js, built by `node scripts/build.js`).
    const r = rnnc('validate', FIXTURE, '--data', `${FIXTURE}/test_data_set_0`, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.outputs.map((o: { name: string }) => o.name)).toEqual(['output', 'c_n']);
    for (const o of res.outputs) expect(o.max_abs_err).toBeLessThanOrEqual(1e-5);
    expect(rnnc('validate', dir, '--data', `${FIXTURE}/test_data_set_0`).code).toBe(1);
  });

  for (const [name, cfg, ks] of SRU_CASES) {
    it(`(b) ${name}: reference = transcription of the package`, () => {
      const { sd, file } = sruModel(cfg, name.length * 7919);
      const g = loadPytorchModel(file);
      expect(verifyGraph(g)).toEqual([]);
      expect(g.nodes.filter((n) => n.op === 'SRU').map((n) => n.attrs.k)).toEqual(ks);
      const rnd = uniform(99);
      const x = f32([6, 2, cfg.input_size], Array.from({ length: 12 * cfg.input_size }, rnd));
      const got = runReference(g, new Map([['input', x]]));
      const want = sruPackage(cfg, sd, nested(x));
      expect(Math.max(...want.output.flat(2).map(Math.abs))).toBeGreaterThan(0.1); // not a vacuous comparison
      expect(maxErr(got.get('output')!.data, want.output.flat(2))).toBeLessThanOrEqual(1e-5);
      expect(got.get('c_n')!.shape).toEqual([want.c.length, 2, want.c[0][0].length]);
      expect(maxErr(got.get('c_n')!.data, want.c.flat(2))).toBeLessThanOrEqual(1e-5);
    });
  }
});

// ---- (b) QRNN, transcribed from the paper: gates from a causal convolution over window taps
// x_{t−window+1} … x_t (zero before the start), then f- or fo-pooling. ----
interface QLayer { H: number; window: 1 | 2; pooling: 'f' | 'fo'; W: Tensor; B: Tensor; c0?: Tensor }
function qrnnPaper(layer: QLayer, x: Arr3): { h: Arr3; hLast: number[][]; cLast: number[][] } {
  const { H, window, W, B } = layer, G = layer.pooling === 'fo' ? 3 : 2, I = x[0][0].length;
  const h = x.map((row) => row.map(() => new Array(H).fill(0)));
  const hLast: number[][] = [], cLast: number[][] = [];
  x[0].forEach((_, b) => {
    const c = Array.from({ length: H }, (_, j) => (layer.c0 ? layer.c0.data[b * H + j] : 0));
    let hb = [...c];
    x.forEach((_, t) => {
      const conv = (row: number) => {
        let s = B.data[row];
        for (let w = 0; w < window; w++) {
          const tt = t - (window - 1) + w;
          if (tt >= 0) for (let i = 0; i < I; i++) s += W.data[row * window * I + w * I + i] * x[tt][b][i];
        }
        return s;
      };
      hb = c.map((_, j) => {
        const z = Math.tanh(conv(j)), f = sig(conv(H + j));
        c[j] = f * c[j] + (1 - f) * z;
        return G === 3 ? sig(conv(2 * H + j)) * c[j] : c[j];
      });
      h[t][b] = hb;
    });
    hLast.push(hb);
    cLast.push([...c]);
  });
  return { h, hLast, cLast };
}

/** Stacked QRNN nodes with a Squeeze of the direction axis between them. */
function qrnnGraph(layers: QLayer[], I: number): Graph {
  const b = new GraphBuilder('qrnn', 'qrnn-test', {});
  let x = b.input('x', ['seq', 'batch', I]);
  const states: string[] = [];
  layers.forEach((l, k) => {
    const ins = [x, b.constant(`W${k}`, l.W), b.constant(`B${k}`, l.B), ...(l.c0 ? [b.constant(`c0_${k}`, l.c0)] : [])];
    const [y, yh, yc] = b.node('QRNN', ins, { window: l.window, pooling: l.pooling }, [`Y${k}`, `Yh${k}`, `Yc${k}`], `layer ${k}`);
    x = b.op('Squeeze', [y, b.constant('axes', int64([1]))], {}, `out${k}`, `layer ${k}`);
    states.push(yh, yc);
  });
  return b.finish([x, ...states]);
}

function randomLayer(I: number, H: number, window: 1 | 2, pooling: 'f' | 'fo', seed: number, c0 = false): QLayer {
  const rnd = uniform(seed), G = pooling === 'fo' ? 3 : 2;
  const t = (...shape: number[]) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, rnd));
  return { H, window, pooling, W: t(G * H, window * I), B: t(G * H), ...(c0 ? { c0: t(1, 2, H) } : {}) };
}

describe('QRNN', () => {
  const stacks: [string, QLayer[], number][] = [
    ['window 1 f-pooling → window 2 fo-pooling', [randomLayer(3, 4, 1, 'f', 11), randomLayer(4, 5, 2, 'fo', 12, true)], 3],
    ['window 2 f-pooling → window 1 fo-pooling', [randomLayer(4, 3, 2, 'f', 13, true), randomLayer(3, 3, 1, 'fo', 14)], 4],
  ];
  for (const [name, layers, I] of stacks) {
    it(`(b) ${name}: reference = transcription of the paper`, () => {
      const g = qrnnGraph(layers, I);
      expect(verifyGraph(g)).toEqual([]);
      const x = f32([7, 2, I], Array.from({ length: 14 * I }, uniform(5)));
      const got = runReference(g, new Map([['x', x]]));
      let seq = nested(x);
      layers.forEach((l, k) => {
        const want = qrnnPaper(l, seq);
        expect(Math.max(...want.h.flat(2).map(Math.abs))).toBeGreaterThan(0.1);
        expect(maxErr(got.get(g.outputs[1 + 2 * k].name)!.data, want.hLast.flat())).toBeLessThanOrEqual(1e-6);
        expect(maxErr(got.get(g.outputs[2 + 2 * k].name)!.data, want.cLast.flat())).toBeLessThanOrEqual(1e-6);
        seq = want.h;
      });
      expect(maxErr(got.get(g.outputs[0].name)!.data, seq.flat(2))).toBeLessThanOrEqual(1e-6);
    });
  }
});

describe('hand-computed steps (hidden 2)', () => {
  /** One SRU step, x = [1, 2], c0 = [1, −1]; gates σ(ln 3) = 3/4, σ(−ln 3) = 1/4, σ(0) = 1/2. */
  function sruStep(k: 3 | 4) {
    const b = new GraphBuilder('sru', 'sru-hand', {});
    // Row blocks x̃ = identity, f = [[0,0],[0,ln3/2]], r = [[ln3,0],[0,0]], (highway = swap).
    const W = [1, 0, 0, 1, 0, 0, 0, LN3 / 2, LN3, 0, 0, 0, ...(k === 4 ? [0, 1, 1, 0] : [])];
    const ins = [b.input('x', [1, 1, 2]), b.constant('W', f32([1, 2 * k, 2], W)),
      b.constant('Wc', f32([1, 4], [LN3, 0, 0, LN3])), b.constant('B', f32([1, 4], [0, 0, -LN3, 0])), b.constant('c0', f32([1, 1, 2], [1, -1]))];
    const g = b.finish(b.node('SRU', ins, { k }, ['Y', 'Y_c'], 'hand'));
    expect(verifyGraph(g)).toEqual([]);
    return runReference(g, new Map([['x', f32([1, 1, 2], [1, 2])]]));
  }
  it('(c) SRU k=3 and k=4', () => {
    // f = σ([0 + ln3·1 + 0, ln3 + 0 + 0]) = [3/4, 3/4];  r = σ([ln3 + 0 − ln3, 0 + ln3·(−1) + 0]) = [1/2, 1/4]
    // c = f⊙c0 + (1−f)⊙x̃ = [3/4 + 1/4, −3/4 + 2/4] = [1, −1/4]
    // k=3: h = r⊙c + (1−r)⊙x = [1/2 + 1/2, −1/16 + 3/2] = [1, 1.4375];  k=4: x' = [2, 1] → h = [1/2 + 1, −1/16 + 3/4]
    const three = sruStep(3), four = sruStep(4);
    expect(maxErr(three.get('Y')!.data, [1, 1.4375])).toBeLessThan(1e-6);
    expect(maxErr(three.get('Y_c')!.data, [1, -0.25])).toBeLessThan(1e-6);
    expect(maxErr(four.get('Y')!.data, [1.5, 0.6875])).toBeLessThan(1e-6);
  });
  it('(c) QRNN window 2, f- and fo-pooling, two steps', () => {
    // Columns [x_{t−1}, x_t]; x_0 = [1, 0], x_1 = [0, 1], c0 = [0.4, −0.4].
    // t=0: z = [tanh ln3, 0] = [0.8, 0], f = [3/4, 1/2], o = [1/2, 1/2]; c = [0.3 + 0.2, −0.2] = [0.5, −0.2]
    // t=1: z = [tanh ln2, tanh ln3] = [0.6, 0.8], f = [3/4, 1/4], o = [1/2, 3/4]; c = [0.375 + 0.15, −0.05 + 0.6] = [0.525, 0.55]
    const rows = [[LN2, 0, LN3, 0], [0, 0, 0, LN3], [0, 0, 0, 0], [-LN3, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, LN3]];
    const run = (pooling: 'f' | 'fo') => {
      const G = pooling === 'fo' ? 3 : 2;
      const layer: QLayer = { H: 2, window: 2, pooling, W: f32([2 * G, 4], rows.slice(0, 2 * G).flat()), B: f32([2 * G], [0, 0, LN3, 0, 0, 0].slice(0, 2 * G)), c0: f32([1, 1, 2], [0.4, -0.4]) };
      const g = qrnnGraph([layer], 2);
      return [...runReference(g, new Map([['x', f32([2, 1, 2], [1, 0, 0, 1])]])).values()].map((t) => Array.from(t.data));
    };
    const [yfo, hfo, cfo] = run('fo'), [yf, hf] = run('f');
    expect(maxErr(yfo, [0.25, -0.1, 0.2625, 0.4125])).toBeLessThan(1e-6);
    expect(maxErr(hfo, [0.2625, 0.4125])).toBeLessThan(1e-6);
    expect(maxErr(cfo, [0.525, 0.55])).toBeLessThan(1e-6);
    expect(maxErr(yf, [0.5, -0.2, 0.525, 0.55])).toBeLessThan(1e-6);
    expect(maxErr(hf, [0.525, 0.55])).toBeLessThan(1e-6);
  });
});

describe('analyze, verifier, errors', () => {
  it('(d) parameters and MACs per step match the hand formulas', () => {
    const g = loadPytorchModel(`${FIXTURE}/model.safetensors`);
    // Layer l: W D·k·H·I, Wc and B 2·D·H each; MACs D·(k·H·I + 4·H) (peepholes, cell and highway products).
    const want = [[4, 5], [3, 14]].map(([k, I]) => ({ weights: 2 * k * 7 * I, biases: 4 * 2 * 7, macs: 2 * (k * 7 * I + 4 * 7) }));
    expect(analyzeGraph(g).layers.map(({ weights, biases, macs }) => ({ weights, biases, macs }))).toEqual(want);
    // Every state-dict element is a parameter except the scale_x buffers (an attribute in the IR).
    const stored = [...readSafetensors(`${FIXTURE}/model.safetensors`).tensors].filter(([n]) => !n.endsWith('scale_x')).reduce((a, [, t]) => a + t.data.length, 0);
    const r = rnnc('analyze', FIXTURE, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals).toMatchObject({ params: stored, macs_per_step: want.reduce((a, l) => a + l.macs, 0) });
    // k = 3 with scale_x ≠ 1 adds the scale_x·x product; H 4, I 4, unidirectional.
    const scaled = analyzeGraph(loadPytorchModel(sruModel(SRU_CASES[2][1], 3).file)).layers[0];
    expect(scaled).toMatchObject({ weights: 3 * 4 * 4, biases: 4 * 4, macs: 3 * 4 * 4 + 5 * 4 });
    // QRNN: W G·H·window·I, B G·H; MACs window·G·H·I + (G − 1)·H (f⊙, and o⊙ for fo).
    const q = analyzeGraph(qrnnGraph([randomLayer(3, 4, 1, 'f', 1), randomLayer(4, 5, 2, 'fo', 2)], 3)).layers;
    expect(q.map(({ weights, biases, macs }) => [weights, biases, macs])).toEqual([[2 * 4 * 3, 2 * 4, 2 * 4 * 3 + 4], [3 * 5 * 2 * 4, 3 * 5, 2 * 3 * 5 * 4 + 2 * 5]]);
  });

  it('(e) shape and attribute errors name the node; the verifier catches a tampered node', () => {
    const build = (op: string, shapes: number[][], attrs: Record<string, number | string>, I = 2) => {
      const b = new GraphBuilder('bad', 'bad-test', {});
      const ins = [b.input('x', ['seq', 1, I]), ...shapes.map((s, i) => b.constant(`w${i}`, f32(s, new Array(s.reduce((p, q) => p * q, 1)).fill(0.1))))];
      return b.finish(b.node(op, ins, attrs, ['Y'], 'the layer'));
    };
    const expectFail = (f: () => unknown, re: RegExp) => { expect(f).toThrow(RnncError); expect(f).toThrow(re); };
    expectFail(() => build('SRU', [[1, 6, 3], [1, 4]], {}), /node 'SRU_Y' \(SRU\): W 'w0' has shape \[1,6,3\] but dimension 2 must be 2/);
    expectFail(() => build('SRU', [[1, 6, 3], [1, 4]], {}, 3), /node 'SRU_Y' \(SRU\): X 'x' has 3 features; with k 3 the highway adds the input itself, so it needs 1·2 = 2/);
    expectFail(() => build('SRU', [[1, 6, 2], [1, 4]], { k: 5 }), /bad-test: the layer: k 5 is not 3 or 4/);
    expectFail(() => build('QRNN', [[6, 2]], { window: 2 }), /node 'QRNN_Y' \(QRNN\): W 'w0' has shape \[6,2\] but dimension 1 must be 4/);
    expectFail(() => build('QRNN', [[6, 2]], { pooling: 'ifo' }), /the layer: pooling 'ifo' is not f or fo/);
    const g = build('SRU', [[1, 6, 2], [1, 4]], {});
    expect(verifyGraph(g)).toEqual([]);
    g.nodes[0].attrs.k = 4;
    expect(verifyGraph(g)).toEqual([expect.stringMatching(/node 'SRU_Y' \(SRU\): W 'w0' has shape \[1,6,2\] but dimension 1 must be 8/)]);
  });

  it('the fixed-point compiler lowers SRU and QRNN (tests/fixed-sru-qrnn.test.ts); the CLI validates the fixture, also with --quant f32', () => {
    expect(lowerGraph(loadPytorchModel(`${FIXTURE}/model.safetensors`)).layers.map((l) => [l.kind, l.dirs.length])).toEqual([['SRU', 2], ['SRU', 2]]);
    expect(lowerGraph(qrnnGraph([randomLayer(3, 4, 1, 'f', 1)], 3)).layers.map((l) => l.kind)).toEqual(['QRNN']);
    const ok = rnnc('validate', FIXTURE, '--data', `${FIXTURE}/test_data_set_0`, '--engine', 'wasm', '--quant', 'int16', '--atol', '2e-3', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, bit_exact: true });
    const r = rnnc('validate', FIXTURE, '--data', `${FIXTURE}/test_data_set_0`, '--engine', 'wasm', '--quant', 'f32', '--atol', '1e-6', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, quant: 'f32', bit_exact: true });
  });

  it('importer errors name the module and tensor', () => {
    const { sd, file } = sruModel({ input_size: 5, hidden_size: 4, num_layers: 2 }, 1);
    const dir = join(file, '..');
    const load = (cfg: object, tensors = sd) => {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ module: 'sru.SRU', input_size: 5, hidden_size: 4, ...cfg }));
      return () => loadPytorchModel(writeSafetensors(dir, tensors));
    };
    expect(load({ layer_norm: true })).toThrow(/module 0 \(sru\.SRU\): layer_norm is not supported/);
    expect(load({ hiden: 3 })).toThrow(/module 0 \(sru\.SRU\): unknown constructor argument "hiden"/);
    expect(load({ num_layers: 3 })).toThrow(/tensor 'rnn_lst\.2\.weight' is missing/);
    expect(load({}, { ...sd, 'rnn_lst.0.weight_c': f32([6], new Array(6).fill(0)) })).toThrow(/module 0 \(sru\.SRU\): tensor 'rnn_lst\.0\.weight_c' has shape \[6\], expected \[8\]/);
    expect(load({ bidirectional: true })).toThrow(/tensor 'rnn_lst\.0\.weight' has shape \[5,16\], expected \[5,32\]/);
  });
});
