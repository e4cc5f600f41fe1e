/**
 * The float reference against onnxruntime-node (an independent implementation) on recurrent
 * variants the conformance fixtures do not cover: sequence_lens, peepholes, input_forget, clip
 * on every cell, every ONNX activation with alpha/beta, initial states, all directions.
 * onnxruntime rejects layout=1, so layout=1 is checked against the layout=0 run of the same data.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadOnnx } from '../compiler/importers/onnx/load.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { buildModel, rng, uniform, type Attr } from './helpers/onnx-builder.ts';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

type Kind = 'RNN' | 'GRU' | 'LSTM';
const G = { RNN: 1, GRU: 3, LSTM: 4 };

interface Case {
  kind: Kind;
  name: string;
  attrs?: Record<string, Attr>;
  seqLens?: number[];
  initial?: boolean;
  peepholes?: boolean;
  direction?: 'forward' | 'reverse' | 'bidirectional';
}

const T = 6, B = 3, I = 4, H = 5;

function makeCase(c: Case, seed: number) {
  const r = rng(seed);
  const D = c.direction === 'bidirectional' ? 2 : 1;
  const g = G[c.kind];
  const inits = [
    { name: 'W', dims: [D, g * H, I], data: uniform(r, D * g * H * I, 0.9) },
    { name: 'R', dims: [D, g * H, H], data: uniform(r, D * g * H * H, 0.9) },
    { name: 'B', dims: [D, 2 * g * H], data: uniform(r, D * 2 * g * H, 0.5) },
  ];
  const inputs = ['X', 'W', 'R', 'B', '', ''];
  const feeds: Record<string, { dims: number[]; data: number[]; type: 'float32' | 'int32' }> = {
    X: { dims: [T, B, I], data: uniform(r, T * B * I, 2), type: 'float32' },
  };
  if (c.seqLens) {
    inputs[4] = 'seq';
    feeds.seq = { dims: [B], data: c.seqLens, type: 'int32' };
  }
  if (c.initial) {
    inputs[5] = 'h0';
    inits.push({ name: 'h0', dims: [D, B, H], data: uniform(r, D * B * H, 0.8) });
    if (c.kind === 'LSTM') {
      inputs[6] = 'c0';
      inits.push({ name: 'c0', dims: [D, B, H], data: uniform(r, D * B * H, 1.5) });
    }
  }
  if (c.peepholes) {
    while (inputs.length < 7) inputs.push('');
    inputs[7] = 'P';
    inits.push({ name: 'P', dims: [D, 3 * H], data: uniform(r, D * 3 * H, 0.7) });
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const outputs = c.kind === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const model = buildModel({
    nodes: [{ op: c.kind, inputs, outputs, attrs: { hidden_size: H, direction: c.direction ?? 'forward', ...c.attrs } }],
    inputs: Object.entries(feeds).map(([name, f]) => ({ name, dims: f.dims, type: f.type === 'int32' ? 6 : 1 })),
    outputs: outputs.map((name) => ({ name, dims: name === 'Y' ? [T, D, B, H] : [D, B, H] })),
    initializers: inits,
  });
  return { model, feeds, outputs };
}

function toTensor(f: { dims: number[]; data: number[]; type: 'float32' | 'int32' }): Tensor {
  return { dtype: f.type, shape: f.dims, data: f.type === 'int32' ? Int32Array.from(f.data) : Float32Array.from(f.data) };
}

const ACTS = ['Relu', 'Tanh', 'Sigmoid', 'Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu', 'Softsign', 'Softplus'];

const cases: Case[] = [];
for (const kind of ['RNN', 'GRU', 'LSTM'] as Kind[]) {
  for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
    cases.push({ kind, name: `${direction}, sequence_lens, initial states`, direction, seqLens: [6, 3, 1], initial: true });
  }
  cases.push({ kind, name: 'clip 0.3', attrs: { clip: 0.3 } });
}
cases.push({ kind: 'GRU', name: 'linear_before_reset=1, bidirectional, sequence_lens', attrs: { linear_before_reset: 1 }, direction: 'bidirectional', seqLens: [2, 6, 4] });
cases.push({ kind: 'LSTM', name: 'peepholes', peepholes: true, initial: true });
cases.push({ kind: 'LSTM', name: 'peepholes, bidirectional, sequence_lens', peepholes: true, direction: 'bidirectional', seqLens: [5, 6, 2] });
cases.push({ kind: 'LSTM', name: 'input_forget', attrs: { input_forget: 1 }, initial: true });
// Every activation, with explicit alpha/beta where the function takes them.
for (const act of ACTS) {
  cases.push({ kind: 'RNN', name: `activation ${act}`, attrs: { activations: [act], activation_alpha: { floats: [0.7] }, activation_beta: { floats: [0.3] } } });
}
cases.push({ kind: 'GRU', name: 'activations ScaledTanh + Softsign with alpha/beta lists', attrs: { activations: ['HardSigmoid', 'ScaledTanh'], activation_alpha: { floats: [0.3, 0.9] }, activation_beta: { floats: [0.45, 1.2] } } });
cases.push({ kind: 'LSTM', name: 'activations Sigmoid, Elu, Softsign with defaults', attrs: { activations: ['Sigmoid', 'Elu', 'Softsign'] } });
cases.push({ kind: 'LSTM', name: 'bidirectional with per-direction activations', direction: 'bidirectional', attrs: { activations: ['Sigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Softsign', 'LeakyRelu'], activation_alpha: { floats: [0.25, 0.1] }, activation_beta: { floats: [0.4] } } });

describe('float reference vs onnxruntime-node', () => {
  cases.forEach((c, idx) => {
    it(`${c.kind} ${c.name}`, async () => {
      const { model, feeds, outputs } = makeCase(c, 1000 + idx);
      const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
      const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.type, f.type === 'int32' ? Int32Array.from(f.data) : Float32Array.from(f.data), f.dims)]));
      const expected = await session.run(ortFeeds);
      const graph = loadOnnx(model, `${c.kind}.onnx`);
      const got = runReference(graph, new Map(Object.entries(feeds).map(([k, f]) => [k, toTensor(f)])));
      for (const name of outputs) {
        const want = expected[name].data as Float32Array;
        const mine = got.get(name)!.data;
        expect(got.get(name)!.shape).toEqual([...expected[name].dims]);
        let worst = 0;
        for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(mine[k] - want[k]) - 1e-4 * Math.abs(want[k]));
        expect(worst, `${name}`).toBeLessThanOrEqual(1e-5);
      }
    });
  });

  for (const kind of ['RNN', 'GRU', 'LSTM'] as Kind[]) {
    it(`${kind} layout=1 equals layout=0 on transposed data`, () => {
      const c: Case = { kind, name: 'layout', initial: true, direction: 'bidirectional', seqLens: [6, 2, 4] };
      const { model, feeds } = makeCase(c, 77);
      const g0 = loadOnnx(model, 'l0.onnx');
      const out0 = runReference(g0, new Map(Object.entries(feeds).map(([k, f]) => [k, toTensor(f)])));
      // Same node with layout=1: X [B,T,I], states [B,D,H], Y [B,T,D,H].
      const g1 = loadOnnx(model, 'l1.onnx');
      const node = g1.nodes[0];
      node.attrs.layout = 1;
      const transpose = (t: Tensor, perm: number[]): Tensor => {
        const shape = perm.map((p) => t.shape[p]);
        const out = new Float32Array(t.data.length);
        const st = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
        const idx = shape.map(() => 0);
        for (let f = 0; f < out.length; f++) {
          out[f] = t.data[idx.reduce((a, v, k) => a + v * st[perm[k]], 0)];
          for (let a = shape.length - 1; a >= 0 && ++idx[a] === shape[a]; a--) idx[a] = 0;
        }
        return { dtype: 'float32', shape, data: out };
      };
      for (const s of ['h0', 'c0']) if (g1.initializers.has(s)) g1.initializers.set(s, transpose(g1.initializers.get(s)!, [1, 0, 2]));
      g1.inputs[0].shape = [B, T, I];
      const out1 = runReference(g1, new Map([['X', transpose(toTensor(feeds.X), [1, 0, 2])], ['seq', toTensor(feeds.seq)]]));
      expect(Array.from(out1.get('Y')!.data)).toEqual(Array.from(transpose(out0.get('Y')!, [2, 0, 1, 3]).data));
      expect(Array.from(out1.get('Y_h')!.data)).toEqual(Array.from(transpose(out0.get('Y_h')!, [1, 0, 2]).data));
    });
  }
});
