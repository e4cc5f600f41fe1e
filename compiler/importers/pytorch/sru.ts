/**
 * @fileoverview `sru.SRU` (the asappresearch/sru package, 2.x) state dicts → IR SRU nodes, one
 * per layer with both directions, as the package's SRU.forward chains its SRUCells (no dropout
 * between layers at inference). Outputs as the package returns them: 'output' [L, N, D·H] and
 * 'c_n' [layers, N, D·H] ([layers·D, N, H] with nn_rnn_compatible_return).
 *
 * The package's layouts (sru/modules.py, sru/ops.py), converted here into the IR's:
 *   rnn_lst.{i}.weight [I, D·H·k]: column (d·H + j)·k + m is matrix m (x̃, f, r, highway) of unit
 *     j, direction d  →  W [D, k·H, I] row m·H + j of direction d.
 *   rnn_lst.{i}.weight_c, .bias [2·D·H]: viewed as (2, D, H), forget block then reset block
 *     →  Wc, B [D, 2·H] = [v_f | v_r], [b_f | b_r] per direction.
 *   rnn_lst.{i}.weight_proj [I, P] (projection_size P): U = (x·weight_proj)·weight; folded here
 *     into one [I, D·H·k] matrix (same function; float rounding differs by ~1e-7).
 *   rnn_lst.{i}.scale_x [1]: the highway's input scale, read by the recurrence only with
 *     rescale = true (and only when k = 3: k = 4 projects the input instead).
 *   input_to_hidden.weight [D·H, I] (proj_input_to_hidden_first): a bias-free Linear first.
 * k = 4 exactly when has_skip_term and the layer's input size ≠ D·H, as the package decides.
 */
import { fail } from '../../errors.ts';
import type { Tensor } from '../../ir/types.ts';
import { type GraphBuilder, int64 } from '../graph-builder.ts';
import { configReaders } from './config-readers.ts';

export interface SruModule {
  kind: 'SRU';
  module: string;
  prefix: string;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  projectionSize: number;
  useTanh: boolean;
  hasSkipTerm: boolean;
  rescale: boolean;
  rnnCompatibleReturn: boolean;
  inputToHiddenFirst: boolean;
}

export const isSruClass = (module: string) => /^(?:sru\.(?:modules\.)?)?SRU$/.test(module);

/** Constructor arguments that only shape initialization, training or GPU kernels. */
const NO_EFFECT = ['dropout', 'rnn_dropout', 'highway_bias', 'v1', 'amp_recurrence_fp16', 'weight_c_init', 'normalize_after'];
const USED = ['input_size', 'hidden_size', 'num_layers', 'bidirectional', 'projection_size', 'use_tanh', 'has_skip_term',
  'rescale', 'nn_rnn_compatible_return', 'proj_input_to_hidden_first', 'layer_norm', 'custom_m', 'module', 'prefix', 'device', 'dtype'];

export function sruFromConfig(c: Record<string, unknown>, where: string): SruModule {
  for (const key of Object.keys(c)) {
    if (!USED.includes(key) && !NO_EFFECT.includes(key)) fail(`${where}: unknown constructor argument "${key}"`);
  }
  const { int, bool } = configReaders(c, where);
  for (const key of ['dropout', 'rnn_dropout', 'highway_bias']) {
    if (c[key] !== undefined && typeof c[key] !== 'number') fail(`${where}: "${key}" must be a number`);
  }
  if (bool('layer_norm', false)) fail(`${where}: layer_norm is not supported (the IR has no LayerNorm)`);
  if (c.custom_m !== undefined && c.custom_m !== null) fail(`${where}: custom_m is not supported (U must be the layer's own weight)`);
  const prefix = c.prefix ?? '';
  if (typeof prefix !== 'string') fail(`${where}: "prefix" must be a string`);
  return {
    kind: 'SRU', module: c.module as string, prefix, inputSize: int('input_size'), hiddenSize: int('hidden_size'),
    numLayers: int('num_layers', 2), bidirectional: bool('bidirectional', false), projectionSize: int('projection_size', 0, 0),
    useTanh: bool('use_tanh', false), hasSkipTerm: bool('has_skip_term', true), rescale: bool('rescale', false),
    rnnCompatibleReturn: bool('nn_rnn_compatible_return', false), inputToHiddenFirst: bool('proj_input_to_hidden_first', false),
  };
}

/** Reads a tensor of the state dict, checking its shape and marking it used. */
export interface TensorSource {
  take(name: string, shape: number[]): Tensor;
  has(name: string): boolean;
}

/** One layer's U matrix [I, D·H·k] in the package's column order, with a projection folded in. */
function layerWeight(src: TensorSource, p: string, I: number, cols: number, proj: number): Float32Array {
  if (proj === 0) return src.take(`${p}weight`, [I, cols]).data as Float32Array;
  const a = src.take(`${p}weight_proj`, [I, proj]).data;
  const w = src.take(`${p}weight`, [proj, cols]).data;
  const out = new Float32Array(I * cols);
  for (let i = 0; i < I; i++) {
    for (let o = 0; o < cols; o++) {
      let acc = 0;
      for (let q = 0; q < proj; q++) acc += a[i * proj + q] * w[q * cols + o];
      out[i * cols + o] = acc;
    }
  }
  return out;
}

export function sruModule(b: GraphBuilder, src: TensorSource, m: SruModule, x: string, where: string): { output: string; states: string[] } {
  const H = m.hiddenSize, D = m.bidirectional ? 2 : 1, out = D * H, pre = m.prefix;
  let seq = x;
  let I = m.inputSize;
  if (m.inputToHiddenFirst && I !== out) {
    // nn.Linear stores [out, in]; MatMul wants [in, out].
    const w = src.take(`${pre}input_to_hidden.weight`, [out, I]).data;
    const wt = new Float32Array(I * out);
    for (let o = 0; o < out; o++) for (let i = 0; i < I; i++) wt[i * out + o] = w[o * I + i];
    seq = b.op('MatMul', [seq, b.constant(`${pre}input_to_hidden.weight_t`, { dtype: 'float32', shape: [I, out], data: wt })], {}, `${pre}input_to_hidden`, where);
    I = out;
  }
  const cs: string[] = [];
  for (let l = 0; l < m.numLayers; l++, I = out) {
    const p = `${pre}rnn_lst.${l}.`;
    const k = m.hasSkipTerm && I !== out ? 4 : 3;
    const proj = m.projectionSize > 0 && m.projectionSize < I && m.projectionSize < out ? m.projectionSize : 0;
    if (!proj && src.has(`${p}weight_proj`)) fail(`${where}: tensor '${p}weight_proj' is present but projection_size ${m.projectionSize} gives layer ${l} no projection`);
    const weight = layerWeight(src, p, I, out * k, proj);
    const W = new Float32Array(D * k * H * I);
    for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) for (let g = 0; g < k; g++) {
      for (let i = 0; i < I; i++) W[((d * k + g) * H + j) * I + i] = weight[i * out * k + (d * H + j) * k + g];
    }
    // weight_c and bias are (2, D, H): gate-major in the package, direction-major in the IR.
    const byDirection = (t: Tensor) => {
      const r = new Float32Array(2 * out);
      for (let g = 0; g < 2; g++) for (let d = 0; d < D; d++) r.set(t.data.subarray((g * D + d) * H, (g * D + d + 1) * H) as Float32Array, (d * 2 + g) * H);
      return r;
    };
    const Wc = byDirection(src.take(`${p}weight_c`, [2 * out]));
    const B = byDirection(src.take(`${p}bias`, [2 * out]));
    // The recurrence multiplies the input by scale_x only when rescale is on (and k = 3).
    let scale = 1;
    if (src.has(`${p}scale_x`) || (m.rescale && k === 3 && m.hasSkipTerm)) {
      const t = src.take(`${p}scale_x`, [1]);
      if (m.rescale) scale = t.data[0];
    }
    const attrs = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward', k, activation: m.useTanh ? 'tanh' : 'identity', scale_x: scale, highway: m.hasSkipTerm ? 1 : 0 };
    const inputs = [seq, b.constant(`${p}W`, { dtype: 'float32', shape: [D, k * H, I], data: W }),
      b.constant(`${p}Wc`, { dtype: 'float32', shape: [D, 2 * H], data: Wc }), b.constant(`${p}B`, { dtype: 'float32', shape: [D, 2 * H], data: B })];
    const [y, yc] = b.node('SRU', inputs, attrs, [`${p}Y`, `${p}Y_c`], `${where} layer ${l}`);
    // Y [L, D, N, H] → [L, N, D·H], forward then reverse, as the package views its h.
    seq = D === 1
      ? b.op('Squeeze', [y, b.constant('axes', int64([1]))], {}, `${p}out`, where)
      : b.op('Reshape', [b.op('Transpose', [y], { perm: [0, 2, 1, 3] }, `${p}dirs_last`, where), b.constant('shape', int64([0, 0, out]))], {}, `${p}out`, where);
    if (m.rnnCompatibleReturn || D === 1) cs.push(yc); // [D, N, H], already the layer's block of c_n
    else {
      // The package's c is [N, D·H] per layer: [D, N, H] → [N, D, H] → [N, D·H] → [1, N, D·H].
      const nd = b.op('Transpose', [yc], { perm: [1, 0, 2] }, `${p}c_dirs_last`, where);
      const flat = b.op('Reshape', [nd, b.constant('shape', int64([0, out]))], {}, `${p}c_flat`, where);
      cs.push(b.op('Unsqueeze', [flat, b.constant('axes', int64([0]))], {}, `${p}c`, where));
    }
  }
  return { output: seq, states: [cs.length === 1 ? cs[0] : b.op('Concat', cs, { axis: 0 }, `${pre}c_n`, where)] };
}
