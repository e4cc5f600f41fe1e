/**
 * @fileoverview Float reference for element-wise ops: broadcasting binary arithmetic, unary
 * activations, Softmax/LogSoftmax and Cast.
 */
import type { DType, Node, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import { CAST_TYPES } from '../../ir/ops/elementwise.ts';
import { broadcastShapes } from '../../ir/ops/elementwise.ts';

export function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** For each output index, the flat index of the broadcast operand element. */
export function broadcastIndex(from: number[], to: number[]): Int32Array {
  const n = to.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const fs = strides(from);
  const off = to.length - from.length;
  const idx = new Array<number>(to.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    let src = 0;
    for (let a = 0; a < from.length; a++) if (from[a] !== 1) src += idx[a + off] * fs[a];
    out[flat] = src;
    for (let a = to.length - 1; a >= 0 && ++idx[a] === to[a]; a--) idx[a] = 0;
  }
  return out;
}

const OPS: Record<string, (a: number, b: number, dtype: DType) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, dtype) => (dtype === 'float32' ? a / b : Math.trunc(a / b)),
};

export function binary(node: Node, [A, B]: Tensor[]): Tensor[] {
  const shape = broadcastShapes(A.shape, B.shape, (m) => { throw new Error(m); }) as number[];
  const out = newTensor(A.dtype, shape);
  const ia = broadcastIndex(A.shape, shape);
  const ib = broadcastIndex(B.shape, shape);
  const f = OPS[node.op];
  // Integer results are held in float arrays: `+ 0` turns -0 into 0 so later float math sees +0.
  const isFloat = A.dtype === 'float32';
  for (let i = 0; i < out.data.length; i++) {
    const v = f(A.data[ia[i]], B.data[ib[i]], A.dtype);
    out.data[i] = isFloat ? v : v + 0;
  }
  return [out];
}

const UNARY: Record<string, (x: number) => number> = {
  Relu: (x) => (x > 0 ? x : 0),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Identity: (x) => x,
};

export function unary(node: Node, [X]: Tensor[]): Tensor[] {
  const out = newTensor(X.dtype, X.shape);
  const f = UNARY[node.op];
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(X.data[i]);
  return [out];
}

/** Softmax / LogSoftmax over one axis (or, with coerce_2d, over all axes from `axis` on). */
export function softmax(node: Node, [X]: Tensor[]): Tensor[] {
  const rank = X.shape.length;
  let axis = node.attrs.axis as number;
  if (axis < 0) axis += rank;
  const coerce = node.attrs.coerce_2d === 1;
  const inner = coerce ? 1 : X.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = coerce ? X.shape.slice(axis).reduce((a, b) => a * b, 1) : X.shape[axis];
  const outer = X.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = newTensor('float32', X.shape);
  const log = node.op === 'LogSoftmax';
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * len + k) * inner + i;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, X.data[at(k)]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(X.data[at(k)] - max);
      for (let k = 0; k < len; k++) {
        const z = X.data[at(k)] - max;
        out.data[at(k)] = log ? z - Math.log(sum) : Math.exp(z) / sum;
      }
    }
  }
  return [out];
}

export function cast(node: Node, [X]: Tensor[]): Tensor[] {
  const dtype = CAST_TYPES[node.attrs.to as number];
  const out = newTensor(dtype, X.shape);
  for (let i = 0; i < out.data.length; i++) {
    const v = X.data[i];
    out.data[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : dtype === 'float32' ? v : Math.trunc(v) + 0;
  }
  return [out];
}
