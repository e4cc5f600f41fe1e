/**
 * @fileoverview RNN, GRU and LSTM with everything the ONNX operators define: directions,
 * layout 0/1, initial states, sequence_lens, peepholes, clip, input_forget, linear_before_reset
 * and every activation with its alpha/beta. Inputs keep ONNX order and gate order
 * (GRU rows z,r,h; LSTM rows i,o,f,c); other importers convert into this.
 *
 * Shapes (layout 0 / layout 1):
 *   X [T,B,I] / [B,T,I]   W [D,G·H,I]   R [D,G·H,H]   B [D,2·G·H]   sequence_lens [B]
 *   initial_h, initial_c [D,B,H] / [B,D,H]   P [D,3·H]
 *   Y [T,D,B,H] / [B,T,D,H]   Y_h, Y_c [D,B,H] / [B,D,H]
 * with D = 2 for bidirectional else 1, G = 1 (RNN), 3 (GRU), 4 (LSTM).
 *
 * rnnc extension (not ONNX): LSTM input 8, `Wproj` [D,P,H], is PyTorch's proj_size: the output
 * is h = Wproj·(o ⊙ h(C)), P features, and what the recurrence reads. With it R is [D,4·H,P],
 * initial_h and Y_h are [D,B,P] / [B,D,P], Y is [T,D,B,P] / [B,T,D,P]; C and Y_c stay H.
 */
import { canonicalActivation } from '../activations.ts';
import type { InferContext, OpCost, OpSpec, OutputInfo } from '../op-spec.ts';
import type { Dim, Node } from '../types.ts';
import { LIMITS } from '../../errors.ts';

export type CellKind = 'RNN' | 'GRU' | 'LSTM';

export const GATES: Record<CellKind, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTIVATIONS: Record<CellKind, string[]> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

export function numDirections(node: Node): number {
  return node.attrs.direction === 'bidirectional' ? 2 : 1;
}

function normalizeRecurrent(kind: CellKind) {
  return (node: Node, fail: (m: string) => never): void => {
    const dir = node.attrs.direction;
    if (dir !== 'forward' && dir !== 'reverse' && dir !== 'bidirectional') {
      fail(`direction '${dir}' is not one of forward, reverse, bidirectional`);
    }
    if (node.attrs.layout !== 0 && node.attrs.layout !== 1) fail(`layout ${node.attrs.layout} is not 0 or 1`);
    const perDir = DEFAULT_ACTIVATIONS[kind].length;
    const d = numDirections(node);
    let acts = (node.attrs.activations as string[] | undefined) ?? [];
    if (acts.length === 0) acts = DEFAULT_ACTIVATIONS[kind];
    // One set given for a bidirectional layer applies to both directions (as onnxruntime does).
    if (d === 2 && acts.length === perDir) acts = [...acts, ...acts];
    if (acts.length !== perDir * d) {
      fail(`activations has ${acts.length} entries; ${kind} with ${d} direction(s) needs ${perDir * d}`);
    }
    node.attrs.activations = acts.map((a) => canonicalActivation(a) ?? fail(`unsupported activation '${a}'`));
    const h = node.attrs.hidden_size as number | undefined;
    if (h !== undefined && (!Number.isInteger(h) || h <= 0 || h > LIMITS.maxHiddenSize)) {
      fail(`hidden_size ${h} is outside 1..${LIMITS.maxHiddenSize}`);
    }
    if (kind === 'LSTM' && node.attrs.input_forget !== 0 && node.attrs.input_forget !== 1) fail('input_forget must be 0 or 1');
    if (kind === 'GRU' && node.attrs.linear_before_reset !== 0 && node.attrs.linear_before_reset !== 1) {
      fail('linear_before_reset must be 0 or 1');
    }
    const clip = node.attrs.clip as number | undefined;
    if (clip !== undefined && !(clip > 0)) fail(`clip ${clip} must be positive`);
  };
}

/** Checks one dimension against what it must be; symbolic dims are accepted as they come. */
function expectDim(ctx: InferContext, what: string, shape: Dim[], axis: number, want: Dim): void {
  const got = shape[axis];
  if (typeof got === 'number' && typeof want === 'number' && got !== want) {
    ctx.fail(`${what} has shape [${shape.join(',')}] but dimension ${axis} must be ${want}`);
  }
}

/** The layer's sizes, checked against every input's shape. */
export function recurrentDims(ctx: InferContext, kind: CellKind) {
  const { node, inputs } = ctx;
  const [x, w, r, b, seqLens, h0, c0, p, wproj] = inputs;
  if (!x || !w || !r) ctx.fail('X, W and R are required');
  for (const [v, rank, nm] of [[x, 3, 'X'], [w, 3, 'W'], [r, 3, 'R']] as const) {
    if (v.shape.length !== rank) ctx.fail(`${nm} '${v.name}' has rank ${v.shape.length}, expected ${rank}`);
  }
  const g = GATES[kind];
  const d = numDirections(node);
  const layout = node.attrs.layout as number;
  if (wproj && kind !== 'LSTM') ctx.fail('Wproj (the output projection) is an LSTM input only');
  if (wproj && wproj.shape.length !== 3) ctx.fail(`Wproj '${wproj.name}' has rank ${wproj.shape.length}, expected 3`);
  let hidden = node.attrs.hidden_size as number | undefined;
  if (hidden === undefined) {
    // With a projection R's last dimension is P, not H: Wproj [D,P,H] has H last.
    const from = wproj ?? r;
    if (typeof from.shape[2] !== 'number') ctx.fail(`hidden_size is absent and ${wproj ? 'Wproj' : 'R'} has no static last dimension`);
    hidden = from.shape[2];
  }
  // The size of h (the output and what R reads): P with a projection, else H.
  let proj = hidden;
  if (wproj) {
    if (typeof wproj.shape[1] !== 'number') ctx.fail(`Wproj '${wproj.name}' has no static projection size (dimension 1)`);
    proj = wproj.shape[1];
    expectDim(ctx, `Wproj '${wproj.name}'`, wproj.shape, 0, numDirections(node));
    expectDim(ctx, `Wproj '${wproj.name}'`, wproj.shape, 2, hidden);
  }
  const [seq, batch] = layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
  const inputSize = x.shape[2];
  expectDim(ctx, `W '${w.name}'`, w.shape, 0, d);
  expectDim(ctx, `W '${w.name}'`, w.shape, 1, g * hidden);
  expectDim(ctx, `W '${w.name}'`, w.shape, 2, inputSize);
  expectDim(ctx, `R '${r.name}'`, r.shape, 0, d);
  expectDim(ctx, `R '${r.name}'`, r.shape, 1, g * hidden);
  expectDim(ctx, `R '${r.name}'`, r.shape, 2, proj);
  if (b) {
    if (b.shape.length !== 2) ctx.fail(`B '${b.name}' has rank ${b.shape.length}, expected 2`);
    expectDim(ctx, `B '${b.name}'`, b.shape, 0, d);
    expectDim(ctx, `B '${b.name}'`, b.shape, 1, 2 * g * hidden);
  }
  if (seqLens) expectDim(ctx, `sequence_lens '${seqLens.name}'`, seqLens.shape, 0, batch);
  const stateShape: Dim[] = layout === 0 ? [d, batch, hidden] : [batch, d, hidden];
  const hShape: Dim[] = layout === 0 ? [d, batch, proj] : [batch, d, proj];
  for (const [v, nm, want] of [[h0, 'initial_h', hShape], [c0, 'initial_c', stateShape]] as const) {
    if (!v) continue;
    if (v.shape.length !== 3) ctx.fail(`${nm} '${v.name}' has rank ${v.shape.length}, expected 3`);
    want.forEach((dim, i) => expectDim(ctx, `${nm} '${v.name}'`, v.shape, i, dim));
  }
  if (p) {
    if (p.shape.length !== 2) ctx.fail(`P '${p.name}' has rank ${p.shape.length}, expected 2`);
    expectDim(ctx, `P '${p.name}'`, p.shape, 0, d);
    expectDim(ctx, `P '${p.name}'`, p.shape, 1, 3 * hidden);
  }
  return { seq, batch, inputSize, hidden, proj, directions: d, gates: g, layout, stateShape, hShape };
}

function recurrentSpec(kind: CellKind, summary: string): OpSpec {
  const inputs = [
    { name: 'X' }, { name: 'W' }, { name: 'R' }, { name: 'B', optional: true },
    { name: 'sequence_lens', optional: true }, { name: 'initial_h', optional: true },
  ];
  if (kind === 'LSTM') inputs.push({ name: 'initial_c', optional: true }, { name: 'P', optional: true }, { name: 'Wproj', optional: true });
  const outputs = [{ name: 'Y', optional: true }, { name: 'Y_h', optional: true }];
  if (kind === 'LSTM') outputs.push({ name: 'Y_c', optional: true });
  const attrs: OpSpec['attrs'] = {
    activation_alpha: { type: 'floats', default: [] },
    activation_beta: { type: 'floats', default: [] },
    activations: { type: 'strings', default: [] },
    clip: { type: 'float' },
    direction: { type: 'string', default: 'forward' },
    hidden_size: { type: 'int' },
    layout: { type: 'int', default: 0 },
  };
  if (kind === 'GRU') attrs.linear_before_reset = { type: 'int', default: 0 };
  if (kind === 'LSTM') attrs.input_forget = { type: 'int', default: 0 };
  return {
    summary,
    inputs,
    outputs,
    attrs,
    normalize: normalizeRecurrent(kind),
    infer(ctx): OutputInfo[] {
      const { seq, batch, proj, directions, layout, stateShape, hShape } = recurrentDims(ctx, kind);
      const dtype = ctx.inputs[0]!.dtype;
      const y: Dim[] = layout === 0 ? [seq, directions, batch, proj] : [batch, seq, directions, proj];
      const out = [{ dtype, shape: y }, { dtype, shape: hShape }];
      if (kind === 'LSTM') out.push({ dtype, shape: stateShape });
      return out;
    },
    cost(ctx): OpCost {
      const { inputSize, hidden, proj, directions, gates } = recurrentDims(ctx, kind);
      const size = (i: number) => ctx.inputs[i]?.shape.reduce((a: number, s) => a * (typeof s === 'number' ? s : 1), 1) ?? 0;
      const i = typeof inputSize === 'number' ? inputSize : 0;
      const peephole = kind === 'LSTM' && ctx.inputs[7] ? 3 * hidden : 0;
      const projection = kind === 'LSTM' && ctx.inputs[8] ? proj * hidden : 0; // Wproj·m per step
      return {
        weights: size(1) + size(2) + size(8),
        biases: size(3) + size(7),
        macs: directions * (gates * hidden * (i + proj) + peephole + projection),
        per: 'step',
      };
    },
  };
}

export const recurrentOps: Record<string, OpSpec> = {
  RNN: recurrentSpec('RNN', 'Elman RNN: H_t = f(X_t·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb)'),
  GRU: recurrentSpec('GRU', 'GRU, gates z,r,h; linear_before_reset 0 and 1'),
  LSTM: recurrentSpec('LSTM', 'LSTM, gates i,o,f,c; peepholes, clip, input_forget; rnnc: output projection Wproj (PyTorch proj_size)'),
};
