/**
 * @fileoverview PyTorch torch.nn.RNN / GRU / LSTM / Linear weights (safetensors + config.json)
 * → IR graph, built as the PyTorch ONNX exporter builds it: one RNN/GRU/LSTM node per layer
 * (both directions in one node), Squeeze or Transpose+Reshape to concatenate directions into
 * the next layer's input, Concat of the per-layer final states.
 *
 * Input 'input' [L, N, I] ([N, L, I] with batch_first); outputs as PyTorch returns them:
 * 'output' [L, N, D·H] ([N, L, D·H]), 'h_n' [layers·D, N, H], 'c_n' (LSTM). An LSTM with
 * proj_size P > 0 passes weight_hr_l{k} [P, H] as the rnnc LSTM input Wproj [D, P, H]; its h,
 * 'output' and 'h_n' have P features (D·P into the next layer), 'c_n' keeps H. Initial states are
 * zeros (PyTorch's default when h0 is not passed). For a chain of modules, 'output' is the last
 * module's result and each recurrent module's states follow as '<prefix>h_n', '<prefix>c_n'.
 *
 * `sru.SRU` modules (the sru package) become IR SRU nodes: see ./sru.ts.
 *
 * Gate orders: PyTorch GRU rows (r, z, n) with the reset applied after the hidden matmul are
 * ONNX GRU linear_before_reset=1 with rows (z, r, h); PyTorch LSTM (i, f, g, o) → ONNX (i, o, f, c).
 */
import { basename } from 'node:path';
import { fail } from '../../errors.ts';
import { GATES } from '../../ir/ops/recurrent.ts';
import type { Graph, Tensor } from '../../ir/types.ts';
import { GraphBuilder, int64 } from '../graph-builder.ts';
import { moduleSpecs, type LinearModule, type ModuleSpec, type RecurrentModule } from './config.ts';
import { readSafetensors } from './safetensors.ts';
import { sruModule } from './sru.ts';
import { attentionModule } from './attention.ts';

/** ONNX gate row block g comes from PyTorch block TORCH_BLOCK[kind][g]. */
const TORCH_BLOCK = { RNN: [0], GRU: [1, 0, 2], LSTM: [0, 3, 1, 2] };

interface Ctx {
  b: GraphBuilder;
  file: string;
  tensors: Map<string, Tensor>;
  used: Set<string>;
}

function tensor(ctx: Ctx, name: string, shape: number[], where: string): Tensor {
  const t = ctx.tensors.get(name) ?? fail(`${ctx.file}: ${where}: tensor '${name}' is missing`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(`${ctx.file}: ${where}: tensor '${name}' has shape [${t.shape.join(',')}], expected [${shape.join(',')}]`);
  }
  ctx.used.add(name);
  return t;
}

/** Copies PyTorch gate blocks (rows of `cols` values, H rows per gate) into ONNX order at `out[at]`. */
function reorderRows(out: Float32Array, at: number, src: Float32Array, kind: RecurrentModule['kind'], H: number, cols: number): void {
  TORCH_BLOCK[kind].forEach((from, g) => out.set(src.subarray(from * H * cols, (from + 1) * H * cols), at + g * H * cols));
}

function recurrentModule(ctx: Ctx, m: RecurrentModule, x: string, where: string): { output: string; states: string[] } {
  const { b } = ctx;
  const G = GATES[m.kind], H = m.hiddenSize, D = m.bidirectional ? 2 : 1;
  const Pj = m.projSize, K = Pj || H; // K: features of h (what weight_hh reads and the layer outputs)
  const p = m.prefix;
  // batch_first only changes how this module reads and writes its sequence.
  let seq = m.batchFirst ? b.op('Transpose', [x], { perm: [1, 0, 2] }, `${p}input_lnf`, where) : x;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let k = 0; k < m.numLayers; k++) {
    const I = k === 0 ? m.inputSize : D * K;
    const W = new Float32Array(D * G * H * I), R = new Float32Array(D * G * H * K), B = new Float32Array(D * 2 * G * H);
    const Wproj = new Float32Array(D * Pj * H); // [D, P, H]: weight_hr rows need no reordering
    for (let d = 0; d < D; d++) {
      const sfx = `_l${k}${d ? '_reverse' : ''}`;
      if (!Pj && ctx.tensors.has(`${p}weight_hr${sfx}`)) fail(`${ctx.file}: ${where}: tensor '${p}weight_hr${sfx}' means proj_size > 0, but the module's proj_size is 0`);
      reorderRows(W, d * G * H * I, tensor(ctx, `${p}weight_ih${sfx}`, [G * H, I], where).data as Float32Array, m.kind, H, I);
      reorderRows(R, d * G * H * K, tensor(ctx, `${p}weight_hh${sfx}`, [G * H, K], where).data as Float32Array, m.kind, H, K);
      if (Pj) Wproj.set(tensor(ctx, `${p}weight_hr${sfx}`, [Pj, H], where).data as Float32Array, d * Pj * H);
      if (m.bias) {
        reorderRows(B, d * 2 * G * H, tensor(ctx, `${p}bias_ih${sfx}`, [G * H], where).data as Float32Array, m.kind, H, 1);
        reorderRows(B, d * 2 * G * H + G * H, tensor(ctx, `${p}bias_hh${sfx}`, [G * H], where).data as Float32Array, m.kind, H, 1);
      }
    }
    const inputs = [seq, b.constant(`${p}l${k}.W`, { dtype: 'float32', shape: [D, G * H, I], data: W }),
      b.constant(`${p}l${k}.R`, { dtype: 'float32', shape: [D, G * H, K], data: R })];
    if (m.bias) inputs.push(b.constant(`${p}l${k}.B`, { dtype: 'float32', shape: [D, 2 * G * H], data: B }));
    // Wproj is LSTM input 8 (after sequence_lens, initial_h, initial_c, P: absent).
    if (Pj) inputs.push(...(m.bias ? [] : ['']), '', '', '', '', b.constant(`${p}l${k}.Wproj`, { dtype: 'float32', shape: [D, Pj, H], data: Wproj }));
    const attrs = {
      hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward',
      ...(m.kind === 'RNN' ? { activations: [m.nonlinearity === 'relu' ? 'Relu' : 'Tanh'] } : {}),
      ...(m.kind === 'GRU' ? { linear_before_reset: 1 } : {}),
    };
    const outs = b.node(m.kind, inputs, attrs, [`${p}l${k}.Y`, `${p}l${k}.Y_h`, ...(m.kind === 'LSTM' ? [`${p}l${k}.Y_c`] : [])], `${where} layer ${k}`);
    hs.push(outs[1]);
    if (m.kind === 'LSTM') cs.push(outs[2]);
    // Y [L, D, N, K] → [L, N, D·K], forward then reverse along the features, as PyTorch concatenates.
    seq = D === 1
      ? b.op('Squeeze', [outs[0], b.constant('axes', int64([1]))], {}, `${p}l${k}.out`, where)
      : b.op('Reshape', [b.op('Transpose', [outs[0]], { perm: [0, 2, 1, 3] }, `${p}l${k}.dirs_last`, where), b.constant('shape', int64([0, 0, D * K]))],
        {}, `${p}l${k}.out`, where);
  }
  const output = m.batchFirst ? b.op('Transpose', [seq], { perm: [1, 0, 2] }, `${p}output_nlf`, where) : seq;
  const join = (list: string[], name: string) => (list.length === 1 ? list[0] : b.op('Concat', list, { axis: 0 }, `${p}${name}`, where));
  return { output, states: m.kind === 'LSTM' ? [join(hs, 'h_n'), join(cs, 'c_n')] : [join(hs, 'h_n')] };
}

function linearModule(ctx: Ctx, m: LinearModule, x: string, features: number, where: string): string {
  const { b } = ctx;
  if (features !== m.inFeatures) fail(`${ctx.file}: ${where}: in_features is ${m.inFeatures} but its input has ${features} features`);
  const w = tensor(ctx, `${m.prefix}weight`, [m.outFeatures, m.inFeatures], where);
  // MatMul wants [in, out]; PyTorch stores [out, in].
  const wt = new Float32Array(m.inFeatures * m.outFeatures);
  for (let o = 0; o < m.outFeatures; o++) for (let i = 0; i < m.inFeatures; i++) wt[i * m.outFeatures + o] = w.data[o * m.inFeatures + i];
  let y = b.op('MatMul', [x, b.constant(`${m.prefix}weight_t`, { dtype: 'float32', shape: [m.inFeatures, m.outFeatures], data: wt })], {}, `${m.prefix}matmul`, where);
  if (m.bias) y = b.op('Add', [y, b.constant(`${m.prefix}bias`, tensor(ctx, `${m.prefix}bias`, [m.outFeatures], where))], {}, `${m.prefix}out`, where);
  return y;
}

export function loadPytorchModel(file: string): Graph {
  const { tensors, metadata } = readSafetensors(file);
  const { modules, configFile } = moduleSpecs(file, tensors);
  const b = new GraphBuilder(basename(file).replace(/\.safetensors$/, ''), file, {
    format: 'pytorch-safetensors', producer: metadata.format ?? '', ...(configFile ? { config: configFile } : {}),
  });
  const ctx: Ctx = { b, file, tensors, used: new Set() };
  const first = modules[0];
  if (first.kind === 'AttentionPool') fail(`${file}: module 0 (${first.module}): attention pooling needs a recurrent module before it`);
  const inputSize = first.kind === 'Linear' ? first.inFeatures : first.inputSize;
  const batchFirst = first.kind !== 'Linear' && first.kind !== 'SRU' && first.batchFirst;
  let x = b.input('input', batchFirst ? ['batch', 'seq', inputSize] : ['seq', 'batch', inputSize]);
  let features = inputSize;
  const states: { names: string[]; labels: string[]; m: ModuleSpec; i: number }[] = [];
  // After rnnc.AttentionPool the value has no time axis: only Linear modules may follow.
  let pooled = false, seqBatchFirst = batchFirst;
  const weights: string[] = [];
  modules.forEach((m, i) => {
    const where = `module ${i} (${m.module}${m.prefix ? `, prefix '${m.prefix}'` : ''})`;
    if (m.kind === 'AttentionPool') {
      if (pooled) fail(`${file}: ${where}: the sequence is already pooled by an earlier module`);
      if (features !== m.hiddenSize) fail(`${file}: ${where}: hidden_size is ${m.hiddenSize} but its input has ${features} features`);
      const r = attentionModule(b, { take: (n, shape) => tensor(ctx, n, shape, where), has: (n) => tensors.has(n) }, m, x, seqBatchFirst, where);
      x = r.pooled;
      pooled = true;
      if (r.weights) weights.push(b.rename(r.weights, `${m.prefix || `m${i}.`}weights`));
      return;
    }
    if (m.kind === 'Linear') {
      x = linearModule(ctx, m, x, features, where);
      features = m.outFeatures;
      return;
    }
    if (pooled) fail(`${file}: ${where}: follows attention pooling, whose output has no time axis; only torch.nn.Linear may follow rnnc.AttentionPool`);
    if (features !== m.inputSize) fail(`${file}: ${where}: input_size is ${m.inputSize} but its input has ${features} features`);
    // sru.SRU returns only its cell states.
    const r = m.kind === 'SRU'
      ? sruModule(b, { take: (n, shape) => tensor(ctx, n, shape, where), has: (n) => tensors.has(n) }, m, x, where)
      : recurrentModule(ctx, m, x, where);
    x = r.output;
    seqBatchFirst = m.kind !== 'SRU' && m.batchFirst;
    features = (m.bidirectional ? 2 : 1) * (m.kind === 'SRU' ? m.hiddenSize : m.projSize || m.hiddenSize);
    states.push({ names: r.states, labels: m.kind === 'SRU' ? ['c_n'] : ['h_n', 'c_n'], m, i });
  });
  for (const name of tensors.keys()) {
    if (!ctx.used.has(name)) fail(`${file}: tensor '${name}' is not used by any module${configFile ? ` of ${configFile}` : ''} (check prefix, num_layers, bidirectional, bias)`);
  }
  // Graph outputs get PyTorch's names; one module's states are plain 'h_n'/'c_n'.
  const outputs = [b.rename(x, 'output')];
  for (const s of states) {
    const tag = modules.length === 1 ? '' : s.m.prefix || `m${s.i}.`;
    s.names.forEach((n, j) => outputs.push(b.rename(n, `${tag}${s.labels[j]}`)));
  }
  return b.finish([...outputs, ...weights]);
}
