/**
 * @fileoverview QRNN, the quasi-recurrent network (Bradbury et al. 2016, "Quasi-Recurrent Neural
 * Networks"): a causal convolution over time computes every gate for all steps, then a cheap
 * elementwise pooling runs the recurrence. One direction, one layer per node (stack nodes, with
 * a Squeeze of Y's direction axis between them). Details: docs/sru-qrnn.md.
 *
 * Inputs: X [T,B,I]  W [G·H, window·I]  B [G·H] (optional)  initial_c [1,B,H] (optional)
 * with G = 2 for pooling 'f' (gates z, f) and 3 for 'fo' (z, f, o). W's row blocks are the gates
 * in that order, H rows each. Its columns are `window` blocks of I, oldest first: for window 2,
 * columns 0..I−1 multiply x_{t−1} (x_{−1} = 0) and I..2I−1 multiply x_t — the matrix of a
 * Linear applied to [x_{t−1}, x_t], as salesforce/pytorch-qrnn stores its `linear.weight`.
 * Outputs: Y [T,1,B,H], Y_h [1,B,H] (last h), Y_c [1,B,H] (last c; the same as Y_h for 'f').
 *
 *   Z = tanh(W_z ∗ X + b_z)   F = σ(W_f ∗ X + b_f)   O = σ(W_o ∗ X + b_o)   (all steps first)
 *   f-pooling:   h_t = f_t ⊙ h_{t−1} + (1 − f_t) ⊙ z_t                 (c_t = h_t)
 *   fo-pooling:  c_t = f_t ⊙ c_{t−1} + (1 − f_t) ⊙ z_t,   h_t = o_t ⊙ c_t
 */
import type { InferContext, OpCost, OpSpec, OutputInfo } from '../op-spec.ts';
import type { Dim, Node } from '../types.ts';
import { checkHiddenSize, expectDimension, expectRank } from './sru.ts';

export const QRNN_GATES: Record<string, number> = { f: 2, fo: 3 };

function normalizeQrnn(node: Node, fail: (m: string) => never): void {
  const pooling = String(node.attrs.pooling).toLowerCase();
  if (!(pooling in QRNN_GATES)) fail(`pooling '${node.attrs.pooling}' is not f or fo`);
  node.attrs.pooling = pooling;
  if (node.attrs.window !== 1 && node.attrs.window !== 2) fail(`window ${node.attrs.window} is not 1 or 2`);
  checkHiddenSize(node.attrs.hidden_size, fail);
}

/** The layer's sizes, checked against every input's shape. */
export function qrnnDims(ctx: InferContext) {
  const [x, w, b, c0] = ctx.inputs;
  if (!x || !w) ctx.fail('X and W are required');
  expectRank(ctx, x, 'X', 3);
  expectRank(ctx, w, 'W', 2);
  const gates = QRNN_GATES[ctx.node.attrs.pooling as string];
  const window = ctx.node.attrs.window as number;
  let hidden = ctx.node.attrs.hidden_size as number | undefined;
  if (hidden === undefined) {
    const rows = w.shape[0];
    if (typeof rows !== 'number') ctx.fail('hidden_size is absent and W has no static first dimension');
    if (rows % gates !== 0) ctx.fail(`W '${w.name}' has ${rows} rows, not a multiple of the ${gates} gates of ${ctx.node.attrs.pooling}-pooling`);
    hidden = rows / gates;
  }
  const [seq, batch, inputSize] = x.shape;
  expectDimension(ctx, w, 'W', 0, gates * hidden);
  expectDimension(ctx, w, 'W', 1, typeof inputSize === 'number' ? window * inputSize : `${window}·I`);
  if (b) {
    expectRank(ctx, b, 'B', 1);
    expectDimension(ctx, b, 'B', 0, gates * hidden);
  }
  const stateShape: Dim[] = [1, batch, hidden];
  if (c0) {
    expectRank(ctx, c0, 'initial_c', 3);
    stateShape.forEach((want, i) => expectDimension(ctx, c0, 'initial_c', i, want));
  }
  return { seq, batch, inputSize, hidden, gates, window, stateShape };
}

export const qrnnOps: Record<string, OpSpec> = {
  QRNN: {
    summary: 'QRNN: causal convolution (window 1 or 2) for z, f, o over all steps, then f- or fo-pooling',
    inputs: [{ name: 'X' }, { name: 'W' }, { name: 'B', optional: true }, { name: 'initial_c', optional: true }],
    outputs: [{ name: 'Y', optional: true }, { name: 'Y_h', optional: true }, { name: 'Y_c', optional: true }],
    attrs: {
      hidden_size: { type: 'int' },
      window: { type: 'int', default: 1 },
      pooling: { type: 'string', default: 'fo' },
    },
    normalize: normalizeQrnn,
    infer(ctx): OutputInfo[] {
      const { seq, batch, hidden, stateShape } = qrnnDims(ctx);
      const dtype = ctx.inputs[0]!.dtype;
      return [{ dtype, shape: [seq, 1, batch, hidden] }, { dtype, shape: stateShape }, { dtype, shape: [...stateShape] }];
    },
    cost(ctx): OpCost {
      const { inputSize, hidden: H, gates, window } = qrnnDims(ctx);
      const I = typeof inputSize === 'number' ? inputSize : 0;
      const size = (i: number) => ctx.inputs[i]?.shape.reduce((a: number, s) => a * (typeof s === 'number' ? s : 1), 1) ?? 0;
      // Pooling per unit: f⊙(c − z), and o⊙c for fo.
      return { weights: size(1), biases: size(2), macs: window * gates * H * I + (gates - 1) * H, per: 'step' };
    },
  },
};
