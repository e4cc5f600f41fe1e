/**
 * @fileoverview Element-wise ops exporters place around recurrent layers: binary arithmetic with
 * NumPy broadcasting, unary activations, Softmax/LogSoftmax, Identity and Cast.
 */
import type { InferContext, OpCost, OpSpec } from '../op-spec.ts';
import type { DType, Dim } from '../types.ts';

/** NumPy/ONNX multidirectional broadcasting of two shapes. */
export function broadcastShapes(a: Dim[], b: Dim[], fail: (m: string) => never): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (typeof da === 'string' || typeof db === 'string') out.push(typeof da === 'number' ? da : db);
    else fail(`shapes [${a.join(',')}] and [${b.join(',')}] cannot be broadcast together`);
  }
  return out;
}

function elementCount(ctx: InferContext, i: number): number {
  const v = ctx.inputs[i];
  return v ? v.shape.reduce((p: number, s) => p * (typeof s === 'number' ? s : 1), 1) : 0;
}

/** A constant operand of Add/Sub is a bias; of Mul/Div a scale: both count as bias-like storage. */
function binaryCost(ctx: InferContext): OpCost {
  let biases = 0;
  for (const i of [0, 1]) if (ctx.constant(i)) biases += elementCount(ctx, i);
  return { weights: 0, biases, macs: 0, per: 'call' };
}

function binary(summary: string): OpSpec {
  return {
    summary,
    inputs: [{ name: 'A' }, { name: 'B' }],
    outputs: [{ name: 'C' }],
    attrs: {},
    infer(ctx) {
      const [a, b] = ctx.inputs as NonNullable<(typeof ctx.inputs)[0]>[];
      if (a.dtype !== b.dtype) ctx.fail(`inputs have different types ${a.dtype} and ${b.dtype}`);
      return [{ dtype: a.dtype, shape: broadcastShapes(a.shape, b.shape, ctx.fail) }];
    },
    cost: binaryCost,
  };
}

function unary(summary: string, attrs: OpSpec['attrs'] = {}): OpSpec {
  return {
    summary,
    inputs: [{ name: 'X' }],
    outputs: [{ name: 'Y' }],
    attrs,
    infer: (ctx) => [{ dtype: ctx.inputs[0]!.dtype, shape: [...ctx.inputs[0]!.shape] }],
  };
}

function checkAxis(ctx: InferContext): void {
  const rank = ctx.inputs[0]!.shape.length;
  const axis = ctx.node.attrs.axis as number;
  if (axis < -rank || axis >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
}

function softmaxLike(summary: string): OpSpec {
  // coerce_2d = 1 is the opset < 13 meaning: flatten to [N, D] at `axis`, normalize over D.
  const spec = unary(summary, { axis: { type: 'int', default: -1 }, coerce_2d: { type: 'int', default: 0 } });
  const infer = spec.infer;
  spec.infer = (ctx) => (checkAxis(ctx), infer(ctx));
  return spec;
}

const CAST_TYPES: Record<number, DType> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool' };

export const elementwiseOps: Record<string, OpSpec> = {
  Add: binary('A + B with broadcasting'),
  Sub: binary('A − B with broadcasting'),
  Mul: binary('A · B with broadcasting'),
  Div: binary('A / B with broadcasting'),
  Relu: unary('max(x, 0)'),
  Sigmoid: unary('1 / (1 + e^−x)'),
  Tanh: unary('tanh(x)'),
  Identity: unary('copy'),
  Softmax: softmaxLike('softmax over an axis'),
  LogSoftmax: softmaxLike('log of softmax over an axis'),
  Cast: {
    summary: 'element type conversion (float32, int32, int64, bool)',
    inputs: [{ name: 'input' }],
    outputs: [{ name: 'output' }],
    attrs: { to: { type: 'int', required: true } },
    normalize(node, fail) {
      if (!(Number(node.attrs.to) in CAST_TYPES)) fail(`Cast to ONNX type ${node.attrs.to} is not supported`);
    },
    infer: (ctx) => [{ dtype: CAST_TYPES[ctx.node.attrs.to as number], shape: [...ctx.inputs[0]!.shape] }],
  },
};

export { CAST_TYPES };
