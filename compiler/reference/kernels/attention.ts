/**
 * @fileoverview Reference kernel for AttentionPool (compiler/ir/ops/attention.ts): slow and
 * obvious, accumulating in float64 and storing float32.
 */
import { newTensor, type Node, type Tensor } from '../../ir/types.ts';

export function attentionPool(node: Node, [Y, W, V, Bias]: (Tensor | undefined)[]): Tensor[] {
  const [T, B, H] = Y!.shape;
  const additive = node.attrs.mode === 'additive';
  const A = additive ? W!.shape[0] : 0;
  const scale = node.attrs.scale as number;
  const pooled = newTensor('float32', [B, H]), weights = newTensor('float32', [T, B]);
  const h = (t: number, b: number, j: number) => Y!.data[(t * B + b) * H + j];
  for (let b = 0; b < B; b++) {
    const s = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      if (additive) {
        for (let a = 0; a < A; a++) {
          let u = Bias ? Bias.data[a] : 0;
          for (let j = 0; j < H; j++) u += W!.data[a * H + j] * h(t, b, j);
          s[t] += V!.data[a] * Math.tanh(u);
        }
      } else {
        for (let j = 0; j < H; j++) s[t] += W!.data[j] * h(t, b, j);
        s[t] *= scale;
      }
    }
    const m = s.reduce((x, v) => Math.max(x, v), -Infinity);
    let sum = 0;
    for (let t = 0; t < T; t++) sum += (s[t] = Math.exp(s[t] - m));
    for (let j = 0; j < H; j++) {
      let acc = 0;
      for (let t = 0; t < T; t++) acc += (s[t] / sum) * h(t, b, j);
      pooled.data[b * H + j] = acc;
    }
    for (let t = 0; t < T; t++) weights.data[t * B + b] = s[t] / sum;
  }
  return [pooled, weights];
}
