/**
 * @fileoverview Attention pooling in the f32 scheme (simulator), the reference kernel's equations
 * (compiler/reference/kernels/attention.ts) in float32. runtime-as/f32/attention.ts mirrors it bit
 * for bit, as ./cells.ts's cells: every value an f32, every operation one rounded f32 op, in the
 * same order. Descriptor layout: ../cells/layout.ts (ATTENTION_F32). Over h_t (t < n, H each):
 *
 *   additive: u = W·h_t + b (bias first, columns in order; W [A, H]); u_a = tanh(u_a) in place;
 *             s_t = (V·u)·scale   (V [1, A], bias 0; scale = 1, so the product is exact)
 *   dot:      s_t = (q·h_t)·scale (W = q [1, H], bias 0) — scale last, as the reference applies it
 *   m = the first largest s_t; e_t = exp(s_t − m); sum = Σ_t e_t in order; α_t = e_t / sum
 *   pooled_j = Σ_t α_t·h_t[j] in order from 0;  weights_t = α_t
 *
 * No integer sums, so unlike the fixed-point pool nothing bounds n but max_steps.
 */
import { matRowsF32, type F32Mat } from './cells.ts';
import { expF32, tanhF32 } from './math.ts';

const f = Math.fround;

export interface AttentionF32Cell {
  H: number;
  /** Attention size (additive), 0 (dot). */
  A: number;
  additive: number;
  /** additive: [A, H] with bias b; dot: the query [1, H], bias 0. */
  W: F32Mat;
  /** additive: [1, A], bias 0; dot: empty. */
  V: F32Mat;
  /** f32: dot's scale; 1 for additive. */
  scale: number;
  y: Float32Array; // [H] pooled
  u: Float32Array; // [max(A, 1)] scratch: W·h_t, then tanh of it
}

export function isF32Pool(c: object): c is AttentionF32Cell {
  return (c as AttentionF32Cell).y instanceof Float32Array;
}

/** Pools hs[0..n) into c.y; returns the weights α_t, one f32 vector of one element per step. */
export function attentionPoolStepF32(c: AttentionF32Cell, hs: Float32Array[]): Float32Array[] {
  const n = hs.length, { u } = c;
  const s = new Float32Array(n); // scores, then e_t, then α_t (the module's f32[max_steps] scratch)
  for (let t = 0; t < n; t++) {
    if (c.additive) {
      matRowsF32(u, c.W, hs[t], 0, 0, c.A);
      for (let a = 0; a < c.A; a++) u[a] = tanhF32(u[a]);
      matRowsF32(u, c.V, u, 0, 0, 1); // one row: u[0] is written after the whole row is read
    } else {
      matRowsF32(u, c.W, hs[t], 0, 0, 1);
    }
    s[t] = f(u[0] * c.scale);
  }
  let m = s[0];
  for (let t = 1; t < n; t++) if (s[t] > m) m = s[t];
  let sum = 0;
  for (let t = 0; t < n; t++) {
    const e = expF32(f(s[t] - m));
    sum = f(sum + e);
    s[t] = e;
  }
  for (let t = 0; t < n; t++) s[t] = f(s[t] / sum);
  for (let j = 0; j < c.H; j++) {
    let acc = 0;
    for (let t = 0; t < n; t++) acc = f(acc + f(s[t] * hs[t][j]));
    c.y[j] = acc;
  }
  return Array.from(s, (a) => Float32Array.of(a));
}
