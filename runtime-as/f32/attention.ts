// Attention pooling in the f32 scheme (AssemblyScript): scores (additive (V·tanh(W·h_t + b))·scale
// or dot (q·h_t)·scale), α = softmax over t, pooled = Σ_t α_t·h_t, optional weights α_t.
// Mirror: compiler/fixed/f32/attention.ts — same f32 operations in the same order, same results
// bit for bit (see there for the equations). Descriptor: ./desc.ts (ATTENTION_F32).
// Branch-free on data (the running max is a select), so the executed path depends only on the
// descriptor and n, as rnnc's static op counts require.
import { tanhF32 } from './math';
import { matRowsF32, normalizeF32 } from './cells';
import { ATTENTION_F32 } from './desc';

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/**
 * hs: f32[n, H] the sequence; scores: f32[n] scratch (left holding α_t); alpha: f32[n] for the
 * weights output, or 0.
 */
export function attentionPoolF32(desc: usize, hs: usize, n: i32, scores: usize, alpha: usize): void {
  const h = load<i32>(desc + ATTENTION_F32.H);
  const a = load<i32>(desc + ATTENTION_F32.A);
  const additive = load<i32>(desc + ATTENTION_F32.additive);
  const scale = load<f32>(desc + ATTENTION_F32.scale);
  const u = load<usize>(desc + ATTENTION_F32.u); // f32[max(A, 1)]
  const rowBytes = <usize>h << 2;
  for (let t = 0; t < n; t++) {
    const ht = hs + <usize>t * rowBytes;
    if (additive) {
      matRowsF32(u, desc + ATTENTION_F32.W, ht, 0, a);
      for (let k = 0; k < a; k++) store<f32>(at(u, k), tanhF32(load<f32>(at(u, k))));
      matRowsF32(u, desc + ATTENTION_F32.V, u, 0, 1); // one row: u[0] is written after the whole row is read
    } else {
      matRowsF32(u, desc + ATTENTION_F32.W, ht, 0, 1);
    }
    store<f32>(at(scores, t), load<f32>(u) * scale);
  }
  normalizeF32(scores, n, false); // α = softmax over time, as the f32 softmax head computes it
  const y = load<usize>(desc + ATTENTION_F32.y);
  for (let j = 0; j < h; j++) {
    let acc: f32 = 0;
    let p = hs + (<usize>j << 2);
    for (let t = 0; t < n; t++) {
      acc += load<f32>(at(scores, t)) * load<f32>(p);
      p += rowBytes;
    }
    store<f32>(at(y, j), acc);
  }
  if (alpha) for (let t = 0; t < n; t++) store<f32>(at(alpha, t), load<f32>(at(scores, t)));
}
