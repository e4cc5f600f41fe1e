/**
 * @fileoverview Index reductions classifier heads end with: ArgMax (ONNX, opset 1–13 forms).
 * The output is int64 indices; in fixed point it is not lowered yet (compiler/lower refuses it).
 */
import type { OpSpec } from '../op-spec.ts';
import type { Dim } from '../types.ts';

export const reduceOps: Record<string, OpSpec> = {
  ArgMax: {
    summary: 'index of the largest value along an axis (int64; ties: first, or last with select_last_index)',
    inputs: [{ name: 'data' }],
    outputs: [{ name: 'reduced' }],
    attrs: { axis: { type: 'int', default: 0 }, keepdims: { type: 'int', default: 1 }, select_last_index: { type: 'int', default: 0 } },
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      const a = ctx.node.attrs.axis as number;
      if (a < -s.length || a >= s.length) ctx.fail(`axis ${a} is out of range for rank ${s.length}`);
      if (ctx.inputs[0]!.dtype !== 'float32' && ctx.inputs[0]!.dtype !== 'int32') ctx.fail(`input type ${ctx.inputs[0]!.dtype} (float32 or int32 expected)`);
      const axis = a < 0 ? a + s.length : a;
      const shape: Dim[] = ctx.node.attrs.keepdims === 0 ? s.filter((_, i) => i !== axis) : s.map((d, i) => (i === axis ? 1 : d));
      return [{ dtype: 'int64', shape }];
    },
    // Comparisons only: no weights, no multiply-accumulates.
    cost: () => ({ weights: 0, biases: 0, macs: 0, per: 'call' }),
  },
};
