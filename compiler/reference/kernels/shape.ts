/**
 * @fileoverview Reference for layout and shape ops. These also serve constant folding at import.
 */
import type { Node, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import { reshapeTarget, sliceBounds, sliceLength } from '../../ir/ops/shape.ts';
import { strides } from './elementwise.ts';

const ints = (t: Tensor | undefined) => (t ? Array.from(t.data as ArrayLike<number>, Number) : undefined);
const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);
const withShape = (t: Tensor, shape: number[]): Tensor => ({ dtype: t.dtype, shape, data: t.data });
const fail = (m: string): never => { throw new Error(m); };

export function transpose(node: Node, [X]: Tensor[]): Tensor[] {
  const rank = X.shape.length;
  const perm = (node.attrs.perm as number[] | undefined) ?? X.shape.map((_, i) => rank - 1 - i);
  const shape = perm.map((p) => X.shape[p]);
  const out = newTensor(X.dtype, shape);
  const inStrides = strides(X.shape);
  const idx = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a] * inStrides[perm[a]];
    out.data[flat] = X.data[src];
    for (let a = rank - 1; a >= 0 && ++idx[a] === shape[a]; a--) idx[a] = 0;
  }
  return [out];
}

export function squeeze(_node: Node, [X, axesT]: (Tensor | undefined)[]): Tensor[] {
  const axes = ints(axesT)?.map((a) => normAxis(a, X!.shape.length));
  return [withShape(X!, X!.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)))];
}

export function unsqueeze(_node: Node, [X, axesT]: Tensor[]): Tensor[] {
  const rank = X.shape.length + axesT.data.length;
  const at = new Set(ints(axesT)!.map((a) => normAxis(a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(at.has(i) ? 1 : X.shape[j++]);
  return [withShape(X, shape)];
}

export function reshape(node: Node, [X, S]: Tensor[]): Tensor[] {
  return [withShape(X, reshapeTarget(X.shape, ints(S)!, node.attrs.allowzero === 1, fail) as number[])];
}

export function flatten(node: Node, [X]: Tensor[]): Tensor[] {
  const axis = normAxis(node.attrs.axis as number, X.shape.length);
  const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
  return [withShape(X, [prod(X.shape.slice(0, axis)), prod(X.shape.slice(axis))])];
}

export function gather(node: Node, [X, I]: Tensor[]): Tensor[] {
  const axis = normAxis(node.attrs.axis as number, X.shape.length);
  const outer = X.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = X.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = X.shape[axis];
  const out = newTensor(X.dtype, [...X.shape.slice(0, axis), ...I.shape, ...X.shape.slice(axis + 1)]);
  const n = I.data.length;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      let idx = Number(I.data[k]);
      if (idx < 0) idx += dim;
      if (idx < 0 || idx >= dim) fail(`Gather index ${I.data[k]} out of range for dimension ${dim}`);
      for (let i = 0; i < inner; i++) out.data[(o * n + k) * inner + i] = X.data[(o * dim + idx) * inner + i];
    }
  }
  return [out];
}

export function slice(_node: Node, [X, st, en, ax, sp]: (Tensor | undefined)[]): Tensor[] {
  const x = X!;
  const rank = x.shape.length;
  const starts = ints(st)!, ends = ints(en)!;
  const axes = (ints(ax) ?? starts.map((_, i) => i)).map((a) => normAxis(a, rank));
  const steps = ints(sp) ?? starts.map(() => 1);
  const bounds = x.shape.map((d) => [0, d, 1] as [number, number, number]);
  axes.forEach((a, i) => (bounds[a] = sliceBounds(x.shape[a], starts[i], ends[i], steps[i])));
  const shape = bounds.map(sliceLength);
  const out = newTensor(x.dtype, shape);
  const s = strides(x.shape);
  const idx = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < out.data.length; flat++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += (bounds[a][0] + idx[a] * bounds[a][2]) * s[a];
    out.data[flat] = x.data[src];
    for (let a = rank - 1; a >= 0 && ++idx[a] === shape[a]; a--) idx[a] = 0;
  }
  return [out];
}

export function concat(node: Node, inputs: Tensor[]): Tensor[] {
  const rank = inputs[0].shape.length;
  const axis = normAxis(node.attrs.axis as number, rank);
  const shape = [...inputs[0].shape];
  shape[axis] = inputs.reduce((a, t) => a + t.shape[axis], 0);
  const out = newTensor(inputs[0].dtype, shape);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  let offset = 0;
  for (const t of inputs) {
    const chunk = t.shape[axis] * inner;
    for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * shape[axis] * inner + offset);
    offset += chunk;
  }
  return [out];
}

export function shapeOf(node: Node, [X]: Tensor[]): Tensor[] {
  const r = X.shape.length;
  const [start, end] = sliceBounds(r, node.attrs.start as number, (node.attrs.end as number | undefined) ?? r, 1);
  const dims = X.shape.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', shape: [dims.length], data: Float64Array.from(dims) }];
}

export function constant(node: Node): Tensor[] {
  return [node.attrs.value as Tensor];
}
