/**
 * @fileoverview AttentionPool (an rnnc op; importers do not produce it yet): attention pooling of
 * a sequence of hidden states into one vector per batch entry.
 *
 * Inputs: Y [T,B,H] the hidden states; then, for `mode` 'additive' (Bahdanau):
 *   W [A,H], V [A], Bias [A] (optional):  s_t = V · tanh(W·h_t + Bias)
 * or for `mode` 'dot' (Luong): W = the query q [H]:  s_t = scale · (q · h_t)
 * α = softmax over t of s (max-subtracted); outputs: pooled [B,H] = Σ_t α_t h_t, weights [T,B] = α (optional).
 */
import type { InferContext, OpCost, OpSpec } from '../op-spec.ts';
import type { Dim } from '../types.ts';
import { expectDimension, expectRank } from './sru.ts';

function shapes(ctx: InferContext): { T: Dim; B: Dim; H: Dim; A: Dim } {
  const [Y, W, V, Bias] = ctx.inputs;
  expectRank(ctx, Y!, 'hidden states', 3);
  const [T, B, H] = Y!.shape;
  const additive = ctx.node.attrs.mode === 'additive';
  if (additive) {
    expectRank(ctx, W!, 'W', 2);
    expectDimension(ctx, W!, 'W', 1, H);
    const A = W!.shape[0];
    if (!V) ctx.fail('additive attention needs V (input 2)');
    expectRank(ctx, V, 'V', 1);
    expectDimension(ctx, V, 'V', 0, A);
    if (Bias) (expectRank(ctx, Bias, 'Bias', 1), expectDimension(ctx, Bias, 'Bias', 0, A));
    return { T, B, H, A };
  }
  expectRank(ctx, W!, 'query', 1);
  expectDimension(ctx, W!, 'query', 0, H);
  if (V || Bias) ctx.fail("dot-product attention takes only the query (input 1); V and Bias are for mode 'additive'");
  return { T, B, H, A: 0 };
}

const num = (d: Dim) => (typeof d === 'number' ? d : 1);

export const attentionOps: Record<string, OpSpec> = {
  AttentionPool: {
    summary: 'attention pooling over time: additive v·tanh(W·h+b) or dot-product q·h scores, softmax over t, Σ α_t h_t',
    inputs: [{ name: 'Y' }, { name: 'W' }, { name: 'V', optional: true }, { name: 'Bias', optional: true }],
    outputs: [{ name: 'pooled' }, { name: 'weights', optional: true }],
    attrs: { mode: { type: 'string', default: 'additive' }, scale: { type: 'float', default: 1 } },
    normalize(node, fail) {
      if (node.attrs.mode !== 'additive' && node.attrs.mode !== 'dot') fail(`mode '${node.attrs.mode}' is not additive or dot`);
    },
    infer(ctx) {
      const { T, B, H } = shapes(ctx);
      const dtype = ctx.inputs[0]!.dtype;
      return [{ dtype, shape: [B, H] }, { dtype, shape: [T, B] }];
    },
    cost(ctx): OpCost {
      const { T, H, A } = shapes(ctx);
      const [t, h, a] = [num(T), num(H), num(A)];
      const n = (i: number) => (ctx.inputs[i] ? ctx.inputs[i]!.shape.reduce((p: number, d) => p * num(d), 1) : 0);
      // Scores (A·H + A per step, or H), then the weighted sum (H per step).
      return ctx.node.attrs.mode === 'additive'
        ? { weights: n(1) + n(2), biases: n(3), macs: t * (a * h + a + h), per: 'call' }
        : { weights: n(1), biases: 0, macs: t * 2 * h, per: 'call' };
    },
  },
};
