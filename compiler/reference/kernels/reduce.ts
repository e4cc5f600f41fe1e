/**
 * @fileoverview Reference kernel for ArgMax (int64 output, stored as Float64Array like every
 * int64 tensor). NaN compares false, so a NaN is never chosen over a number (as onnxruntime).
 */
import { newTensor, type Node, type Tensor } from '../../ir/types.ts';

export function argMax(node: Node, [X]: Tensor[]): Tensor[] {
  const rank = X.shape.length;
  const axis = (node.attrs.axis as number) < 0 ? (node.attrs.axis as number) + rank : (node.attrs.axis as number);
  const last = node.attrs.select_last_index === 1;
  const len = X.shape[axis];
  const inner = X.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = X.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const shape = node.attrs.keepdims === 0 ? X.shape.filter((_, i) => i !== axis) : X.shape.map((d, i) => (i === axis ? 1 : d));
  const out = newTensor('int64', shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < len; k++) {
        const v = X.data[(o * len + k) * inner + i], b = X.data[(o * len + best) * inner + i];
        if (v > b || (last && v === b)) best = k;
      }
      out.data[o * inner + i] = best;
    }
  }
  return [out];
}
