/**
 * @fileoverview Gemm and MatMul: the dense heads exporters put after recurrent layers.
 *   Gemm: Y[M,N] = alpha·A'[M,K]·B'[K,N] + beta·C (A' = A or Aᵀ, B' = B or Bᵀ, C broadcast to [M,N])
 *   MatMul: NumPy matmul semantics ([...,M,K] · [...,K,N] → [...,M,N]; 1-D operands promoted).
 */
import type { InferContext, OpSpec } from '../op-spec.ts';
import type { Dim } from '../types.ts';
import { broadcastShapes } from './elementwise.ts';

function product(dims: Dim[]): number {
  return dims.reduce((p: number, d) => p * (typeof d === 'number' ? d : 1), 1);
}

function sameOrSymbolic(a: Dim, b: Dim): boolean {
  return typeof a !== 'number' || typeof b !== 'number' || a === b;
}

function gemmDims(ctx: InferContext) {
  const [a, b] = ctx.inputs;
  if (a!.shape.length !== 2 || b!.shape.length !== 2) ctx.fail('Gemm inputs A and B must be 2-D');
  const [m, ka] = ctx.node.attrs.transA ? [a!.shape[1], a!.shape[0]] : a!.shape;
  const [kb, n] = ctx.node.attrs.transB ? [b!.shape[1], b!.shape[0]] : b!.shape;
  if (!sameOrSymbolic(ka, kb)) ctx.fail(`inner dimensions differ: A gives K=${ka}, B gives K=${kb}`);
  return { m, k: ka, n };
}

function matmulDims(ctx: InferContext) {
  const a = ctx.inputs[0]!.shape;
  const b = ctx.inputs[1]!.shape;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const [m, ka] = a2.slice(-2);
  const [kb, n] = b2.slice(-2);
  if (!sameOrSymbolic(ka, kb)) ctx.fail(`inner dimensions differ: [${a.join(',')}] · [${b.join(',')}]`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2), ctx.fail);
  const shape: Dim[] = [...batch];
  if (a.length !== 1) shape.push(m);
  if (b.length !== 1) shape.push(n);
  return { batch, m, k: ka, n, shape };
}

export const linearOps: Record<string, OpSpec> = {
  Gemm: {
    summary: 'alpha·A·B + beta·C (transA, transB)',
    inputs: [{ name: 'A' }, { name: 'B' }, { name: 'C', optional: true }],
    outputs: [{ name: 'Y' }],
    attrs: {
      alpha: { type: 'float', default: 1 },
      beta: { type: 'float', default: 1 },
      transA: { type: 'int', default: 0 },
      transB: { type: 'int', default: 0 },
    },
    infer(ctx) {
      const { m, n } = gemmDims(ctx);
      const c = ctx.inputs[2];
      if (c) broadcastShapes([m, n], c.shape, (msg) => ctx.fail(`C cannot broadcast to [M,N]: ${msg}`));
      return [{ dtype: ctx.inputs[0]!.dtype, shape: [m, n] }];
    },
    cost(ctx) {
      const { k, n } = gemmDims(ctx);
      const weights = ctx.constant(1) ? product(ctx.inputs[1]!.shape) : 0;
      const biases = ctx.constant(2) ? product(ctx.inputs[2]!.shape) : 0;
      // Per batch row: K·N multiply-accumulates.
      return { weights, biases, macs: product([k, n]), per: 'call' };
    },
  },
  MatMul: {
    summary: 'matrix product with NumPy broadcasting',
    inputs: [{ name: 'A' }, { name: 'B' }],
    outputs: [{ name: 'Y' }],
    attrs: {},
    infer(ctx) {
      return [{ dtype: ctx.inputs[0]!.dtype, shape: matmulDims(ctx).shape }];
    },
    cost(ctx) {
      const { k, n } = matmulDims(ctx);
      const weights = ctx.constant(1) ? product(ctx.inputs[1]!.shape) : 0;
      return { weights, biases: 0, macs: product([k, n]), per: 'call' };
    },
  },
};
