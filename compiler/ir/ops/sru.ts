/**
 * @fileoverview SRU, the Simple Recurrent Unit (Lei et al. 2018, "Simple Recurrents Units for
 * Highly Parallelizable Recurrence"), with the semantics of the `sru` PyTorch package
 * (asappresearch/sru 2.x, `SRUCell` and `elementwise_recurrence_naive`). Full description and
 * the mapping from the package's state dict: docs/sru-qrnn.md.
 *
 * Inputs (D = 2 for bidirectional else 1; k = 3 or 4):
 *   X [T,B,I]  W [D, k·H, I]  Wc [D, 2·H]  B [D, 2·H] (optional)  initial_c [D,B,H] (optional)
 * W row blocks, H rows each: 0 candidate x̃, 1 forget f, 2 reset r, 3 highway projection (k = 4).
 * Wc and B: [v_f | v_r] and [b_f | b_r] per direction.
 * Outputs: Y [T,D,B,H] (like the ONNX RNNs), Y_c [D,B,H] (the last cell state of each direction).
 *
 * For direction d (the reverse one runs t = T−1 … 0), with U = X·Wᵀ computed for all steps first:
 *   f_t = σ(U_f,t + v_f ⊙ c_{t−1} + b_f)
 *   r_t = σ(U_r,t + v_r ⊙ c_{t−1} + b_r)
 *   c_t = f_t ⊙ c_{t−1} + (1 − f_t) ⊙ U_x̃,t
 *   h_t = r_t ⊙ g(c_t) + (1 − r_t) ⊙ x'_t      (highway = 1)
 *   h_t = r_t ⊙ g(c_t)                          (highway = 0)
 * g is `activation` (identity or tanh: the two the package's recurrence implements). x'_t is
 * U_4,t for k = 4, and scale_x · X_t[d·H .. d·H+H) for k = 3: the package splits the input into
 * one H-slice per direction, so k = 3 with the highway needs I = D·H.
 */
import type { InferContext, OpCost, OpSpec, OutputInfo } from '../op-spec.ts';
import type { Dim, Node, ValueInfo } from '../types.ts';
import { LIMITS } from '../../errors.ts';

export const SRU_ACTIVATIONS = ['identity', 'tanh'] as const;

/** Fails unless the dimension is `want` (symbolic dimensions are accepted as they come). */
export function expectDimension(ctx: InferContext, v: ValueInfo, what: string, axis: number, want: Dim): void {
  const got = v.shape[axis];
  if (typeof got === 'number' && typeof want === 'number' && got !== want) {
    ctx.fail(`${what} '${v.name}' has shape [${v.shape.join(',')}] but dimension ${axis} must be ${want}`);
  }
}

export function expectRank(ctx: InferContext, v: ValueInfo, what: string, rank: number): void {
  if (v.shape.length !== rank) ctx.fail(`${what} '${v.name}' has rank ${v.shape.length}, expected ${rank}`);
}

export function checkHiddenSize(h: unknown, fail: (m: string) => never): void {
  if (h !== undefined && (!Number.isInteger(h) || (h as number) <= 0 || (h as number) > LIMITS.maxHiddenSize)) {
    fail(`hidden_size ${h} is outside 1..${LIMITS.maxHiddenSize}`);
  }
}

function normalizeSru(node: Node, fail: (m: string) => never): void {
  const dir = node.attrs.direction;
  if (dir !== 'forward' && dir !== 'reverse' && dir !== 'bidirectional') fail(`direction '${dir}' is not one of forward, reverse, bidirectional`);
  const k = node.attrs.k;
  if (k !== 3 && k !== 4) fail(`k ${k} is not 3 or 4`);
  if (node.attrs.highway !== 0 && node.attrs.highway !== 1) fail(`highway ${node.attrs.highway} is not 0 or 1`);
  // The 4th matrix exists only to project the input for the highway term.
  if (k === 4 && node.attrs.highway === 0) fail('k 4 needs highway 1 (the 4th matrix is the highway projection)');
  const act = String(node.attrs.activation).toLowerCase();
  if (!(SRU_ACTIVATIONS as readonly string[]).includes(act)) fail(`activation '${node.attrs.activation}' is not identity or tanh`);
  node.attrs.activation = act;
  if (!Number.isFinite(node.attrs.scale_x)) fail(`scale_x ${node.attrs.scale_x} is not a finite number`);
  checkHiddenSize(node.attrs.hidden_size, fail);
}

/** The layer's sizes, checked against every input's shape. */
export function sruDims(ctx: InferContext) {
  const { node } = ctx;
  const [x, w, wc, b, c0] = ctx.inputs;
  if (!x || !w || !wc) ctx.fail('X, W and Wc are required');
  expectRank(ctx, x, 'X', 3);
  expectRank(ctx, w, 'W', 3);
  expectRank(ctx, wc, 'Wc', 2);
  const d = node.attrs.direction === 'bidirectional' ? 2 : 1;
  const k = node.attrs.k as number;
  let hidden = node.attrs.hidden_size as number | undefined;
  if (hidden === undefined) {
    if (typeof wc.shape[1] !== 'number') ctx.fail('hidden_size is absent and Wc has no static last dimension');
    if (wc.shape[1] % 2 !== 0) ctx.fail(`Wc '${wc.name}' has ${wc.shape[1]} columns; it holds v_f and v_r, so an even number`);
    hidden = wc.shape[1] / 2;
  }
  const [seq, batch, inputSize] = x.shape;
  expectDimension(ctx, w, 'W', 0, d);
  expectDimension(ctx, w, 'W', 1, k * hidden);
  expectDimension(ctx, w, 'W', 2, inputSize);
  for (const [v, nm] of [[wc, 'Wc'], [b, 'B']] as const) {
    if (!v) continue;
    expectRank(ctx, v, nm, 2);
    expectDimension(ctx, v, nm, 0, d);
    expectDimension(ctx, v, nm, 1, 2 * hidden);
  }
  const stateShape: Dim[] = [d, batch, hidden];
  if (c0) {
    expectRank(ctx, c0, 'initial_c', 3);
    stateShape.forEach((want, i) => expectDimension(ctx, c0, 'initial_c', i, want));
  }
  if (k === 3 && node.attrs.highway === 1 && typeof inputSize === 'number' && inputSize !== d * hidden) {
    ctx.fail(`X '${x.name}' has ${inputSize} features; with k 3 the highway adds the input itself, so it needs ${d}·${hidden} = ${d * hidden} (use k 4 to project it)`);
  }
  return { seq, batch, inputSize, hidden, directions: d, k, stateShape };
}

export const sruOps: Record<string, OpSpec> = {
  SRU: {
    summary: 'SRU (sru package): U = X·Wᵀ for all steps, then f, r gates with peepholes v_f, v_r and highway',
    inputs: [{ name: 'X' }, { name: 'W' }, { name: 'Wc' }, { name: 'B', optional: true }, { name: 'initial_c', optional: true }],
    outputs: [{ name: 'Y', optional: true }, { name: 'Y_c', optional: true }],
    attrs: {
      hidden_size: { type: 'int' },
      direction: { type: 'string', default: 'forward' },
      k: { type: 'int', default: 3 },
      activation: { type: 'string', default: 'identity' },
      scale_x: { type: 'float', default: 1 },
      highway: { type: 'int', default: 1 },
    },
    normalize: normalizeSru,
    infer(ctx): OutputInfo[] {
      const { seq, batch, hidden, directions, stateShape } = sruDims(ctx);
      const dtype = ctx.inputs[0]!.dtype;
      return [{ dtype, shape: [seq, directions, batch, hidden] }, { dtype, shape: stateShape }];
    },
    cost(ctx): OpCost {
      const { inputSize, hidden: H, directions, k } = sruDims(ctx);
      const size = (i: number) => ctx.inputs[i]?.shape.reduce((a: number, s) => a * (typeof s === 'number' ? s : 1), 1) ?? 0;
      const I = typeof inputSize === 'number' ? inputSize : 0;
      // Per unit: v_f⊙c, v_r⊙c, f⊙(c − x̃), r⊙(g(c) − x'); plus scale_x⊙x when it is not 1.
      const scaled = k === 3 && ctx.node.attrs.highway === 1 && ctx.node.attrs.scale_x !== 1 ? H : 0;
      return { weights: size(1), biases: size(2) + size(3), macs: directions * (k * H * I + 4 * H + scaled), per: 'step' };
    },
  },
};
