/**
 * @fileoverview Keras SimpleRNN / GRU / LSTM, alone or inside Bidirectional → one IR RNN/GRU/LSTM
 * node plus the layout ops that give Keras's output:
 *   X [B,T,F] ─Transpose→ [T,B,F] ─op→ Y [T,D,B,H] / Y_h [D,B,H] ─merge→ [T,B,D·H] or [B,D·H]
 * Values stay time-major between recurrent layers; the importer turns them back to batch-major
 * only where Keras's layout is observable (the model output).
 * Keras semantics kept: go_backwards returns the sequence in processing order (reversed);
 * Bidirectional re-reverses its backward sequence, then merges (concat, sum, ave, mul).
 */
import { fail } from '../../errors.ts';
import { GATES, type CellKind } from '../../ir/ops/recurrent.ts';
import type { Tensor } from '../../ir/types.ts';
import { int64, scalarF32, type GraphBuilder } from '../graph-builder.ts';
import { activationAttrs, kerasActivation, kerasToOnnx, type OnnxActivation, type OnnxDirection } from './keras-cells.ts';
import { noOtherWeights, weightOf, type NamedWeights } from './layer-weights.ts';
import type { KerasLayer } from './topology.ts';

/** A value flowing between layers: batch-major sequence, time-major sequence, or one vector per batch row. */
export interface Flow {
  name: string;
  layout: 'BTF' | 'TBF' | 'BF';
  features: number;
}

export interface Ctx {
  b: GraphBuilder;
  file: string;
}

const KINDS: Record<string, CellKind> = { SimpleRNN: 'RNN', GRU: 'GRU', LSTM: 'LSTM' };
const MERGES = ['concat', 'sum', 'ave', 'mul'];

export function timeMajor(ctx: Ctx, x: Flow, where: string): Flow {
  if (x.layout === 'BF') fail(`${ctx.file}: ${where}: expects a sequence [batch, time, features] but gets [batch, ${x.features}]`);
  if (x.layout === 'TBF') return x;
  return { ...x, layout: 'TBF', name: ctx.b.op('Transpose', [x.name], { perm: [1, 0, 2] }, `${x.name}_tbf`, where) };
}

function activation(ctx: Ctx, where: string, key: string, value: unknown): OnnxActivation {
  return kerasActivation(value) ?? fail(`${ctx.file}: ${where}: ${key} ${JSON.stringify(value)} is not supported (tanh, sigmoid, hard_sigmoid, relu, linear)`);
}

interface CellSpec {
  kind: CellKind;
  units: number;
  acts: OnnxActivation[];
  resetAfter: boolean;
  useBias: boolean;
  goBackwards: boolean;
  returnSequences: boolean;
}

function cellSpec(ctx: Ctx, layer: KerasLayer, where: string): CellSpec {
  const kind = KINDS[layer.className] ?? fail(`${ctx.file}: ${where}: wraps a ${layer.className}; only SimpleRNN, GRU and LSTM are supported`);
  const c = layer.config;
  if (c.stateful === true) fail(`${ctx.file}: ${where}: stateful: true is not supported (rnnc starts every sequence from a zero state)`);
  if (c.return_state === true) fail(`${ctx.file}: ${where}: return_state: true is not supported (one output per layer)`);
  if (c.time_major === true) fail(`${ctx.file}: ${where}: time_major: true is not supported`);
  const units = c.units;
  if (!Number.isInteger(units) || (units as number) <= 0) fail(`${ctx.file}: ${where}: units ${JSON.stringify(units)} is not a positive integer`);
  // Defaults are TF.js's (tanh, hard_sigmoid); a stored null means "no activation".
  const act = activation(ctx, where, 'activation', c.activation === undefined ? 'tanh' : c.activation);
  const rec = kind === 'RNN' ? act : activation(ctx, where, 'recurrent_activation', c.recurrent_activation === undefined ? 'hard_sigmoid' : c.recurrent_activation);
  const acts = kind === 'RNN' ? [act] : kind === 'GRU' ? [rec, act] : [rec, act, act];
  return {
    kind, units: units as number, acts, resetAfter: kind === 'GRU' && c.reset_after === true, useBias: c.use_bias !== false,
    goBackwards: c.go_backwards === true, returnSequences: c.return_sequences === true,
  };
}

function directionWeights(ctx: Ctx, s: CellSpec, w: NamedWeights, inputSize: number, where: string): OnnxDirection {
  const gh = GATES[s.kind] * s.units;
  noOtherWeights(w, s.useBias ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel'], ctx.file, where);
  const kernel = weightOf(w, 'kernel', [inputSize, gh], ctx.file, where);
  const recurrentKernel = weightOf(w, 'recurrent_kernel', [s.units, gh], ctx.file, where);
  const bias = s.useBias ? weightOf(w, 'bias', s.resetAfter ? [2, gh] : [gh], ctx.file, `${where} (reset_after: ${s.resetAfter})`) : undefined;
  return kerasToOnnx(s.kind, s.units, { kernel, recurrentKernel, bias });
}

/** Per-direction blocks stacked on a leading D axis: [D, ...inner]. */
function stack(dirs: Float32Array[], inner: number[]): Tensor {
  const per = inner.reduce((p, d) => p * d, 1);
  const data = new Float32Array(dirs.length * per);
  dirs.forEach((d, i) => data.set(d, i * per));
  return { dtype: 'float32', shape: [dirs.length, ...inner], data };
}

/** A SimpleRNN/GRU/LSTM layer; two weight sets mean the layer inside a Bidirectional (forward, backward). */
export function recurrentLayer(ctx: Ctx, layer: KerasLayer, x: Flow, weights: NamedWeights[], merge?: unknown): Flow {
  const bidi = weights.length === 2;
  const where = `layer '${layer.name}' (${bidi ? `Bidirectional(${layer.className})` : layer.className})`;
  const s = cellSpec(ctx, layer, where);
  if (bidi && s.goBackwards) fail(`${ctx.file}: ${where}: go_backwards inside Bidirectional is not supported`);
  if (bidi && (typeof merge !== 'string' || !MERGES.includes(merge))) {
    fail(`${ctx.file}: ${where}: merge_mode ${JSON.stringify(merge)} is not supported (${MERGES.join(', ')})`);
  }
  const xt = timeMajor(ctx, x, where);
  const dirs = weights.map((w, d) => directionWeights(ctx, s, w, x.features, bidi ? `${where} ${d ? 'backward' : 'forward'} layer` : where));
  const G = GATES[s.kind];
  const H = s.units;
  const { b } = ctx;
  const W = b.constant(`${layer.name}.W`, stack(dirs.map((d) => d.W), [G * H, x.features]));
  const R = b.constant(`${layer.name}.R`, stack(dirs.map((d) => d.R), [G * H, H]));
  const inputs = [xt.name, W, R];
  if (s.useBias) inputs.push(b.constant(`${layer.name}.B`, stack(dirs.map((d) => d.B!), [2 * G * H])));
  const attrs = {
    hidden_size: H,
    direction: bidi ? 'bidirectional' : s.goBackwards ? 'reverse' : 'forward',
    ...activationAttrs(bidi ? [...s.acts, ...s.acts] : s.acts),
    ...(s.kind === 'GRU' ? { linear_before_reset: s.resetAfter ? 1 : 0 } : {}),
  };
  const outs = s.returnSequences ? ['Y', ''] : ['', 'Y_h'];
  if (s.kind === 'LSTM') outs.push('');
  const y = b.node(s.kind, inputs, attrs, outs.map((o) => (o ? `${layer.name}.${o}` : '')), where)[s.returnSequences ? 0 : 1];
  const axis = s.returnSequences ? 1 : 0; // the direction axis of Y [T,D,B,H] / Y_h [D,B,H]
  const layout = s.returnSequences ? 'TBF' : 'BF';
  if (!bidi) {
    let out = b.op('Squeeze', [y, b.constant('axes', int64([axis]))], {}, `${layer.name}.out`, where);
    // Keras returns a go_backwards sequence in processing order: ONNX's reverse Y flipped in time.
    if (s.goBackwards && s.returnSequences) {
      out = b.op('Slice', [out, b.constant('starts', int64([-1])), b.constant('ends', int64([-(2 ** 53)])), b.constant('axes', int64([0])),
        b.constant('steps', int64([-1]))], {}, `${layer.name}.flipped`, where);
    }
    return { name: out, layout, features: H };
  }
  if (merge === 'concat') {
    // Move D next to H, then fold it in: [.., B, 2, H] → [.., B, 2H] (forward first, as Keras concatenates).
    const perm = s.returnSequences ? [0, 2, 1, 3] : [1, 0, 2];
    const t = b.op('Transpose', [y], { perm }, `${layer.name}.dirs_last`, where);
    const shape = s.returnSequences ? [0, 0, 2 * H] : [0, 2 * H];
    return { name: b.op('Reshape', [t, b.constant('shape', int64(shape))], {}, `${layer.name}.concat`, where), layout, features: 2 * H };
  }
  const [fw, bw] = [0, 1].map((d) => b.op('Gather', [y, b.constant('index', { dtype: 'int64', shape: [], data: Float64Array.of(d) })], { axis },
    `${layer.name}.${d ? 'backward' : 'forward'}`, where));
  let out = b.op(merge === 'mul' ? 'Mul' : 'Add', [fw, bw], {}, `${layer.name}.${merge}`, where);
  if (merge === 'ave') out = b.op('Mul', [out, b.constant('half', scalarF32(0.5))], {}, `${layer.name}.ave`, where);
  return { name: out, layout, features: H };
}
