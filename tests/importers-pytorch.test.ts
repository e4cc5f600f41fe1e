/**
 * PyTorch (safetensors + config.json) importer. ONNX conformance weights are rewritten here into
 * PyTorch's layout (an inverse conversion written independently of the importer), imported, and
 * must give the ONNX model's outputs; hand-computed single steps pin the gate orders; broken
 * files and unsupported modules must give one-line errors.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RnncError } from '../compiler/errors.ts';
import { loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import { loadPytorchModel } from '../compiler/importers/pytorch/load.ts';
import { halfToFloat } from '../compiler/importers/pytorch/safetensors.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { readTestData } from '../src/io/test-data.ts';
import { FIXTURES, rnnc } from './helpers/cli.ts';

type Entry = [name: string, shape: number[], data: ArrayLike<number>, dtype?: string];
const ENCODE: Record<string, [number, (v: DataView, at: number, x: number) => void]> = {
  F32: [4, (v, at, x) => v.setFloat32(at, x, true)],
  F64: [8, (v, at, x) => v.setFloat64(at, x, true)],
  BF16: [2, (v, at, x) => { const f = new DataView(new ArrayBuffer(4)); f.setFloat32(0, x); v.setUint16(at, f.getUint16(0), true); }],
  F16: [2, (v, at, x) => { // normal numbers whose mantissa fits in 10 bits (all the test uses)
    const e = Math.floor(Math.log2(Math.abs(x)));
    v.setUint16(at, x === 0 ? 0 : (x < 0 ? 0x8000 : 0) | ((e + 15) << 10) | Math.round((Math.abs(x) / 2 ** e - 1) * 1024), true);
  }],
};

/** A safetensors file: 8-byte header length, JSON header (space-padded to 8 bytes), data. */
function safetensors(entries: Entry[]): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape, data, dtype = 'F32'] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length * (ENCODE[dtype]?.[0] ?? 4)] };
    offset += data.length * (ENCODE[dtype]?.[0] ?? 4);
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const [, , data, dtype = 'F32'] of entries) {
    const [size, put] = ENCODE[dtype] ?? ENCODE.F32;
    for (let i = 0; i < data.length; i++, at += size) put(view, at, data[i]);
  }
  return out;
}

function writeModel(entries: Entry[] | Uint8Array, config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-pt-'));
  writeFileSync(join(dir, 'model.safetensors'), entries instanceof Uint8Array ? entries : safetensors(entries));
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return join(dir, 'model.safetensors');
}

const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });
const runAll = (g: Graph, feeds: Tensor[]) => runReference(g, new Map(g.inputs.map((v, i) => [v.name, feeds[i]])));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

// ---- ONNX → PyTorch, the inverse of the importer's mapping, written from PyTorch's docs ----
/** PyTorch gate block p holds ONNX gate block FROM_ONNX[kind][p]: GRU (r,z,n) ← (z,r,h) blocks 1,0,2; LSTM (i,f,g,o) ← (i,o,f,c) blocks 0,2,3,1. */
const FROM_ONNX: Record<string, number[]> = { RNN: [0], GRU: [1, 0, 2], LSTM: [0, 2, 3, 1] };
function torchBlocks(kind: string, t: Tensor, d: number, H: number, cols: number, skip = 0): number[] {
  const base = d * t.data.length / t.shape[0] + skip; // direction d's block of W/R/B, then Wb or Rb
  return FROM_ONNX[kind].flatMap((o) => Array.from(t.data.slice(base + o * H * cols, base + (o + 1) * H * cols)));
}

interface PtCase {
  name: string;
  /** [ONNX output, PyTorch output, take the reverse-direction half] */
  pairs: [string, string, boolean?][];
}
const CASES: PtCase[] = [
  { name: 'generated/gru_linear_before_reset', pairs: [['Y', 'output'], ['Y_h', 'h_n']] },
  { name: 'generated/gru_stacked_2layer', pairs: [['Y', 'output'], ['h_n', 'h_n']] },
  { name: 'generated/lstm_reverse', pairs: [['Y', 'output', true], ['Y_h', 'h_n', true], ['Y_c', 'c_n', true]] },
  { name: 'generated/rnn_reverse_no_bias', pairs: [['Y', 'output', true], ['Y_h', 'h_n', true]] },
  { name: 'generated/rnn_relu', pairs: [['Y', 'output'], ['Y_h', 'h_n']] },
  { name: 'generated/lstm_initial_states_large', pairs: [['Y', 'output'], ['Y_h', 'h_n'], ['Y_c', 'c_n']] },
  { name: 'onnxruntime-cntk/test_RNN.bidirectional.one_layer.relu', pairs: [['Splice9605_Output_0', 'output']] },
  { name: 'onnx-backend/test_lstm_batchwise', pairs: [['Y', 'output'], ['Y_h', 'h_n']] },
  { name: 'onnx-backend/test_lstm_with_initial_bias', pairs: [['Y_h', 'h_n']] },
  { name: 'onnx-backend/test_simple_rnn_with_initial_bias', pairs: [['Y_h', 'h_n']] },
  { name: 'onnx-backend/test_simple_rnn_batchwise', pairs: [['Y', 'output'], ['Y_h', 'h_n']] },
  { name: 'onnx-backend/test_lstm_defaults', pairs: [['Y_h', 'h_n']] },
  { name: 'onnx-backend/test_rnn_seq_length', pairs: [['Y_h', 'h_n']] }, // despite its name, no sequence_lens input
];
/** Cases whose semantics PyTorch cannot express, with the attribute that shows it. */
const SKIPPED: [string, string, (a: Record<string, unknown>) => boolean][] = [
  ['generated/gru_bidirectional', 'GRU linear_before_reset=0 (PyTorch GRU resets after the matmul)', (a) => a.linear_before_reset === 0],
  ['onnx-backend/test_gru_defaults', 'GRU linear_before_reset=0', (a) => a.linear_before_reset === 0],
  ['generated/gru_hardsigmoid_activation', 'HardSigmoid gate activation (PyTorch gates are sigmoid)', (a) => (a.activations as string[])[0] === 'HardSigmoid'],
  ['generated/lstm_clip', 'clip (PyTorch has none)', (a) => a.clip !== undefined],
  ['generated/rnn_bidirectional_tanh_relu', 'different activations per direction', (a) => (a.activations as string[]).join() === 'Tanh,Relu'],
];

/** The case's recurrent node(s) as one PyTorch module: state dict + config. */
function toPytorch(g: Graph, values: Map<string, Tensor>) {
  const nodes = g.nodes.filter((n) => ['RNN', 'GRU', 'LSTM'].includes(n.op));
  const kind = nodes[0].op;
  const W = (n: typeof nodes[0], i: number) => values.get(n.inputs[i]);
  const H = W(nodes[0], 2)!.shape[2];
  // Two single-direction nodes on the same input (CNTK) or a reverse-only node become one bidirectional layer.
  const twoNodes = nodes.length === 2 && nodes[0].inputs[0] === nodes[1].inputs[0];
  const reverseOnly = nodes[0].attrs.direction === 'reverse';
  const layers = twoNodes ? [[nodes.find((n) => n.attrs.direction === 'forward')!, nodes.find((n) => n.attrs.direction === 'reverse')!]]
    : nodes.map((n) => (reverseOnly ? [n, n] : n.attrs.direction === 'bidirectional' ? [n, n] : [n]));
  const D = layers[0].length;
  const entries: Entry[] = [];
  layers.forEach((dirs, k) => dirs.forEach((n, d) => {
    const sfx = `_l${k}${d ? '_reverse' : ''}`;
    const slot = n.attrs.direction === 'bidirectional' ? d : 0;
    const [w, r, b] = [W(n, 1)!, W(n, 2)!, W(n, 3)];
    entries.push([`weight_ih${sfx}`, [w.shape[1], w.shape[2]], torchBlocks(kind, w, slot, H, w.shape[2])]);
    entries.push([`weight_hh${sfx}`, [r.shape[1], r.shape[2]], torchBlocks(kind, r, slot, H, H)]);
    if (b) entries.push([`bias_ih${sfx}`, [w.shape[1]], torchBlocks(kind, b, slot, H, 1)], [`bias_hh${sfx}`, [w.shape[1]], torchBlocks(kind, b, slot, H, 1, w.shape[1])]);
  }));
  const config = {
    module: `torch.nn.${kind}`, input_size: W(nodes[0], 1)!.shape[2], hidden_size: H, num_layers: layers.length, bidirectional: D === 2,
    batch_first: nodes[0].attrs.layout === 1, bias: nodes[0].inputs[3] !== undefined && nodes[0].inputs[3] !== '',
    ...(kind === 'RNN' ? { nonlinearity: (nodes[0].attrs.activations as string[])[0] === 'Relu' ? 'relu' : 'tanh' } : {}),
  };
  return { entries, config, H };
}

/** The reverse direction's half: features [H:2H] of output, or the second of two state blocks. */
function reverseHalf(t: Tensor, H: number, isOutput: boolean): number[] {
  const d = Array.from(t.data);
  return isOutput ? d.filter((_, i) => i % (2 * H) >= H) : d.slice(d.length / 2);
}

describe('PyTorch modules rebuilt from ONNX conformance weights', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const dir = `${FIXTURES}/conformance/${c.name}`;
      const g = loadOnnxFile(`${dir}/model.onnx`);
      const { inputs, outputs } = readTestData(`${dir}/test_data_set_0`, g, true);
      const values = new Map([...g.initializers, ...g.inputs.map((v, i): [string, Tensor] => [v.name, inputs[i]])]);
      // PyTorch modules start from zero states: zero ONNX initial states too (and then the stored outputs no longer apply).
      let zeroed = false;
      for (const n of g.nodes) for (const i of [5, 6]) {
        const t = n.inputs[i] ? values.get(n.inputs[i]) : undefined;
        if (t && t.data.some((v) => v !== 0)) { zeroed = true; t.data.fill(0); }
      }
      const onnx = runAll(g, g.inputs.map((v) => values.get(v.name)!));
      const { entries, config, H } = toPytorch(g, values);
      const pt = loadPytorchModel(writeModel(entries, config));
      expect(verifyGraph(pt)).toEqual([]);
      const got = runAll(pt, [inputs[0]]);
      for (const [o, p, rev] of c.pairs) {
        const t = got.get(p)!;
        const mine = rev ? reverseHalf(t, H, p === 'output') : t.data;
        expect(maxDiff(mine, onnx.get(o)!.data), `${p} vs ${o}`).toBeLessThanOrEqual(1e-6);
        const stored = outputs[g.outputs.findIndex((v) => v.name === o)];
        if (!zeroed) for (let k = 0; k < stored.data.length; k++) expect(Math.abs(mine[k] - stored.data[k])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(stored.data[k]));
      }
    });
  }
  for (const [name, reason, shows] of SKIPPED) {
    it(`skips ${name}: ${reason}`, () => {
      const n = loadOnnxFile(`${FIXTURES}/conformance/${name}/model.onnx`).nodes.find((x) => ['RNN', 'GRU', 'LSTM'].includes(x.op))!;
      expect(shows(n.attrs)).toBe(true);
    });
  }
});

describe('hand-computed steps (hidden 2)', () => {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  // Rows in PyTorch order; values are exact in float16 and bfloat16 so the dtype variants hold the same numbers.
  const gru: Entry[] = [
    ['weight_ih_l0', [6, 1], [0.5, -0.5, 1, 2, 0.25, -0.75]], // r0 r1 z0 z1 n0 n1
    ['weight_hh_l0', [6, 2], [0.5, 0.25, -0.5, 1, 0.75, -0.25, 0.125, 0.5, -1, 0.5, 0.25, 0.375]],
    ['bias_ih_l0', [6], [0.125, 0, -0.25, 0.5, 0.5, -0.125]],
    ['bias_hh_l0', [6], [0, 0.25, 0.25, -0.5, 1.5, -1]],
  ];
  it('GRU, one step from h0 = 0: r, z from (r, z, n) rows; n = tanh(W_in x + b_in + r ⊙ b_hn)', () => {
    const x = 2;
    const r = [sig(0.5 * x + 0.125 + 0), sig(-0.5 * x + 0 + 0.25)];
    const z = [sig(1 * x - 0.25 + 0.25), sig(2 * x + 0.5 - 0.5)];
    const n = [Math.tanh(0.25 * x + 0.5 + r[0] * 1.5), Math.tanh(-0.75 * x - 0.125 + r[1] * -1)];
    const h = [(1 - z[0]) * n[0], (1 - z[1]) * n[1]];
    for (const dtype of ['F32', 'F16', 'BF16', 'F64']) {
      const g = loadPytorchModel(writeModel(gru.map(([a, b, c]) => [a, b, c, dtype])));
      const out = runAll(g, [f32([1, 1, 1], [x])]);
      expect(maxDiff(out.get('output')!.data, h), dtype).toBeLessThanOrEqual(1e-6);
      expect(maxDiff(out.get('h_n')!.data, h), dtype).toBeLessThanOrEqual(1e-6);
    }
  });
  it('LSTM, one step from zero states: (i, f, g, o) rows, c = i·g, h = o·tanh(c)', () => {
    const w = [1, -1, 0.5, 2, -0.5, 0.25, 1.5, -2]; // i0 i1 f0 f1 g0 g1 o0 o1 (input size 1)
    const b = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, -0.8];
    const g = loadPytorchModel(writeModel([['weight_ih_l0', [8, 1], w], ['weight_hh_l0', [8, 2], new Array(16).fill(0.3)], ['bias_ih_l0', [8], b], ['bias_hh_l0', [8], new Array(8).fill(0)]]));
    const x = 0.5, bf = Array.from(Float32Array.from(b));
    const c = [0, 1].map((j) => sig(w[j] * x + bf[j]) * Math.tanh(w[4 + j] * x + bf[4 + j]));
    const h = [0, 1].map((j) => sig(w[6 + j] * x + bf[6 + j]) * Math.tanh(c[j]));
    const out = runAll(g, [f32([1, 1, 1], [x])]);
    expect(out.get('c_n')!.shape).toEqual([1, 1, 2]);
    expect(maxDiff(out.get('c_n')!.data, c)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(out.get('h_n')!.data, h)).toBeLessThanOrEqual(1e-6);
  });
  it('2-layer bidirectional batch_first GRU against a float64 transcription of torch.nn.GRU', () => {
    const I = 3, H = 2, T = 4, N = 2;
    let seed = 3;
    const rnd = (n: number) => Array.from({ length: n }, () => Math.fround(((seed = (seed * 69069 + 1) >>> 0) / 2 ** 32) - 0.5));
    const p: Record<string, number[]> = {};
    const entries: Entry[] = [];
    for (const k of [0, 1]) for (const sfx of ['', '_reverse']) {
      const shapes: [string, number[]][] = [['weight_ih', [3 * H, k ? 2 * H : I]], ['weight_hh', [3 * H, H]], ['bias_ih', [3 * H]], ['bias_hh', [3 * H]]];
      for (const [n, shape] of shapes) entries.push([`${n}_l${k}${sfx}`, shape, (p[`${n}_l${k}${sfx}`] = rnd(shape.reduce((a, b) => a * b)))]);
    }
    const mv = (M: number[], v: number[], b: number[]) => b.map((bj, j) => bj + v.reduce((s, vi, i) => s + M[j * v.length + i] * vi, 0));
    const x = rnd(N * T * I);
    const want: number[] = [], hn: number[][][] = [];
    for (let s = 0; s < N; s++) {
      let seq = Array.from({ length: T }, (_, t) => x.slice((s * T + t) * I, (s * T + t + 1) * I));
      for (const k of [0, 1]) {
        const dirs = ['', '_reverse'].map((sfx, d) => {
          const out: number[][] = [];
          let h = [0, 0];
          for (const t of d ? [3, 2, 1, 0] : [0, 1, 2, 3]) {
            const gi = mv(p[`weight_ih_l${k}${sfx}`], seq[t], p[`bias_ih_l${k}${sfx}`]), gh = mv(p[`weight_hh_l${k}${sfx}`], h, p[`bias_hh_l${k}${sfx}`]);
            const r = [0, 1].map((j) => sig(gi[j] + gh[j])), z = [0, 1].map((j) => sig(gi[H + j] + gh[H + j]));
            const n = [0, 1].map((j) => Math.tanh(gi[2 * H + j] + r[j] * gh[2 * H + j]));
            out[t] = h = [0, 1].map((j) => (1 - z[j]) * n[j] + z[j] * h[j]);
          }
          (hn[2 * k + d] ??= [])[s] = h;
          return out;
        });
        seq = seq.map((_, t) => [...dirs[0][t], ...dirs[1][t]]);
      }
      want.push(...seq.flat());
    }
    const g = loadPytorchModel(writeModel(entries, { module: 'torch.nn.GRU', input_size: I, hidden_size: H, num_layers: 2, bidirectional: true, batch_first: true }));
    const out = runAll(g, [f32([N, T, I], x)]);
    expect(out.get('output')!.shape).toEqual([N, T, 2 * H]);
    expect(maxDiff(out.get('output')!.data, want)).toBeLessThanOrEqual(1e-6);
    expect(out.get('h_n')!.shape).toEqual([4, N, H]);
    expect(maxDiff(out.get('h_n')!.data, hn.flat(2))).toBeLessThanOrEqual(1e-6);
  });
  it('float16 bit patterns', () => {
    expect([0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555].map(halfToFloat)).toEqual([1, -2, 2 ** -24, 65504, 0.333251953125]);
  });
});

describe('config.json, inference and module chains', () => {
  const dir = `${FIXTURES}/conformance/generated/gru_stacked_2layer`;
  const g = loadOnnxFile(`${dir}/model.onnx`);
  const { inputs, outputs } = readTestData(`${dir}/test_data_set_0`, g, true);
  const { entries, config } = toPytorch(g, g.initializers);
  const fc: Entry[] = [['fc.weight', [3, 16], Array.from({ length: 48 }, (_, i) => ((i * 7) % 11) / 11 - 0.5)], ['fc.bias', [3], [0.5, -1, 0.25]]];
  /** output · fcᵀ + b over the ONNX model's stored output. */
  const head = () => {
    const y = outputs[0].data, out: number[] = [];
    for (let r = 0; r < y.length / 16; r++) for (let o = 0; o < 3; o++) {
      out.push((fc[1][2] as number[])[o] + Array.from({ length: 16 }, (_, k) => y[r * 16 + k] * (fc[0][2] as number[])[o * 16 + k]).reduce((a, v) => a + v, 0));
    }
    return out;
  };
  it('infers a 2-layer GRU without config.json', () => {
    const pt = loadPytorchModel(writeModel(entries));
    expect(pt.outputs.map((o) => o.name)).toEqual(['output', 'h_n']);
    expect(maxDiff(runAll(pt, inputs).get('h_n')!.data, outputs[1].data)).toBeLessThanOrEqual(1e-5);
  });
  it('a list of modules with prefixes: GRU then Linear', () => {
    const prefixed = entries.map(([n, s, d]): Entry => [`rnn.${n}`, s, d]);
    const pt = loadPytorchModel(writeModel([...prefixed, ...fc], [{ ...config, prefix: 'rnn.' }, { module: 'torch.nn.Linear', prefix: 'fc.', in_features: 16, out_features: 3 }]));
    expect(pt.outputs.map((o) => o.name)).toEqual(['output', 'rnn.h_n']);
    expect(maxDiff(runAll(pt, inputs).get('output')!.data, head())).toBeLessThanOrEqual(1e-5);
  });
  it('infers a recurrent module followed by one Linear', () => {
    const pt = loadPytorchModel(writeModel([...entries, ...fc]));
    expect(maxDiff(runAll(pt, inputs).get('output')!.data, head())).toBeLessThanOrEqual(1e-5);
  });
  it('rnnc validate reads the safetensors folder with the ONNX test data', () => {
    const file = writeModel(entries, config);
    const r = rnnc('validate', join(file, '..'), '--data', `${dir}/test_data_set_0`, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).outputs.map((o: { name: string }) => o.name)).toEqual(['output', 'h_n']);
    const swapped = writeModel(entries.map(([n, s, d]) => [n.replace('_l0', '_lX').replace('_l1', '_l0').replace('_lX', '_l1'), s, d]), config);
    expect(rnnc('validate', swapped, '--data', `${dir}/test_data_set_0`).code).not.toBe(0); // layers swapped: must not pass
  });
});

describe('PyTorch importer errors', () => {
  const good = (): Entry[] => [['weight_ih_l0', [6, 1], new Array(6).fill(0.5)], ['weight_hh_l0', [6, 2], new Array(12).fill(0.5)]];
  const expectError = (file: string, pattern: RegExp) => {
    expect(() => loadPytorchModel(file)).toThrow(RnncError);
    expect(() => loadPytorchModel(file)).toThrow(pattern);
  };
  it('truncated file', () => {
    const bytes = safetensors(good());
    expectError(writeModel(bytes.subarray(0, bytes.length - 4)), /tensor 'weight_hh_l0': data ends at byte 72, past the end of the data \(68 bytes/);
  });
  it('bad header', () => {
    const bytes = safetensors(good());
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    expectError(writeModel(bytes), /header length 1099511627776 exceeds the file/);
    expectError(writeModel(Uint8Array.from([4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7b, 0x7d, 0x20])), /header is not valid UTF-8 JSON/);
    expectError(writeModel(Uint8Array.from([1, 2, 3])), /too short for a safetensors file/);
  });
  it('unknown dtype', () => expectError(writeModel([...good(), ['bias_ih_l0', [6], [1, 2, 3, 4, 5, 6], 'I32']]), /tensor 'bias_ih_l0': dtype I32 is not supported/));
  it('inconsistent shapes', () => {
    expectError(writeModel(good(), { module: 'torch.nn.GRU', input_size: 1, hidden_size: 3, bias: false }), /module 0 \(torch\.nn\.GRU\): tensor 'weight_ih_l0' has shape \[6,1\], expected \[9,1\]/);
    expectError(writeModel([['weight_ih_l0', [5, 1], new Array(5).fill(0)], ['weight_hh_l0', [5, 2], new Array(10).fill(0)]]), /has 5 rows for hidden size 2/);
  });
  it('missing tensors', () => {
    expectError(writeModel(good(), { module: 'torch.nn.GRU', input_size: 1, hidden_size: 2, bias: false, num_layers: 2 }), /tensor 'weight_ih_l1' is missing/);
    expectError(writeModel(good(), { module: 'torch.nn.GRU', input_size: 1, hidden_size: 2 }), /tensor 'bias_ih_l0' is missing/);
  });
  it('tensors no module uses', () => expectError(writeModel([...good(), ['extra', [1], [0]]], { module: 'torch.nn.GRU', input_size: 1, hidden_size: 2, bias: false }), /tensor 'extra' is not used by any module/));
  it('proj_size (more in tests/lstm-proj.test.ts)', () => {
    expectError(writeModel(good(), { module: 'torch.nn.LSTM', input_size: 1, hidden_size: 2, proj_size: 1 }), /\(torch\.nn\.LSTM\): tensor 'weight_ih_l0' has shape \[6,1\], expected \[8,1\]/);
    expectError(writeModel([...good(), ['weight_hr_l0', [1, 2], [1, 1]]]), /tensor 'weight_hr_l0' has shape \[1,2\]: not \[proj_size, hidden_size\]/);
  });
  it('SRU options the importer does not implement name the module and option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-sru-'));
    const src = `${FIXTURES}/conformance/pytorch-sru/sru_2layer_bidirectional`;
    copyFileSync(`${src}/model.safetensors`, join(dir, 'model.safetensors'));
    const config = JSON.parse(readFileSync(`${src}/config.json`, 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...(Array.isArray(config) ? config[0] : config), layer_norm: true }));
    expectError(join(dir, 'model.safetensors'), /sru\.SRU.*layer_norm/);
  });
  it('unknown config keys and modules', () => {
    expectError(writeModel(good(), { module: 'torch.nn.GRU', input_size: 1, hidden_size: 2, hiden: 3 }), /unknown constructor argument "hiden"/);
    expectError(writeModel(good(), { module: 'torch.nn.Conv1d' }), /module 0 \(torch\.nn\.Conv1d\): module is not supported/);
  });
});
