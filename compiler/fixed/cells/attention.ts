/**
 * @fileoverview Fixed-point attention pooling (simulator; mirrored by runtime-as/heads/attention.ts).
 * Over a whole sequence h_t (t < n, H elements each, vector type V, column j in Q(colFrac_j)):
 *
 *   additive: u_t = rescale(W·h_t + b) → int16 Q(act.inFrac); th = tanh(u_t) by table, Q15 (int16);
 *             s_t = rescale(V·th) → Q(fs)            (W [A, H], V [1, A] over the Q15 vector)
 *   dot:      s_t = rescale((scale·q)·h_t) → Q(fs)    (W [1, H])
 *   α = softmaxQ(s) — the Softmax head's method (./dense.ts): max-subtracted exp table, integer
 *       normalisation — in Q15, so Σ α_t = 2^15 within n/2 LSB;
 *   pooled_j = rshift(Σ_t α_t·h_t[j], colShift_j) → Q(fp), fp = min_j colFrac_j;
 *   weights_t = rshift(α_t, alphaShift) → Q(vb − 1) in the vector type.
 *
 * Every product α_t·h_t[j] is below 2^30 and Σ_t α_t <= 2^15 + n/2, so the i32 sum is exact for
 * n <= 32768 (the plan refuses longer max_steps).
 */
import { activate, matRows, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { softmaxQ } from './dense.ts';
import { sat16, shiftRescale } from '../primitives.ts';

/** The longest sequence the pooling's i32 sums are proven exact for. */
export const MAX_POOL_STEPS = 32768;

export interface AttentionCell {
  H: number;
  /** Attention size (additive), 0 (dot). */
  A: number;
  additive: number;
  /** additive: [A, H] → tanh input format; dot: [1, H] → Q(fs). */
  W: QMat;
  /** tanh: Q(act.inFrac) → Q15 (additive only). */
  act: QAct;
  /** additive: [1, A] over the Q15 tanh vector → Q(fs); dot: empty. */
  V: QMat;
  /** exp over the non-positive half of Q(exp.inFrac), Q15 out; exp.outFrac = 15 (α in Q15). */
  exp: QAct;
  /** Right shift from the scores' Q(fs) to exp.inFrac. */
  expShift: number;
  /** [H] right shift from Q(15 + colFrac_j) to the pooled format. */
  colShift: Int8Array;
  /** Right shift from α's Q15 to the weights output's Q(vb − 1). */
  alphaShift: number;
  y: Vec; // [H] pooled
  u: Int32Array; // [max(A, 1)] scratch: rescaled rows
  th: Int16Array; // [A] scratch: tanh values, Q15
}

/** A vector of the cell's stored type. */
export function poolVec(c: AttentionCell, n: number): Vec {
  return c.y instanceof Int8Array ? new Int8Array(n) : new Int16Array(n);
}

/** Pools hs[0..n) into c.y; returns the weights α_t (Q(vb − 1), the vector type), one per step. */
export function attentionPoolStep(c: AttentionCell, hs: Vec[]): Vec[] {
  const n = hs.length;
  const scores = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    if (c.additive) {
      matRows(c.u, c.W, hs[t], 0, 0, c.A);
      for (let a = 0; a < c.A; a++) c.th[a] = activate(sat16(c.u[a]), c.act);
      matRows(c.u, c.V, c.th, 0, 0, 1);
    } else {
      matRows(c.u, c.W, hs[t], 0, 0, 1);
    }
    scores[t] = c.u[0];
  }
  softmaxQ(scores, n, c.exp, c.expShift); // scores → α_t, Q15
  for (let j = 0; j < c.H; j++) {
    let acc = 0;
    for (let t = 0; t < n; t++) acc += Math.imul(scores[t], hs[t][j]); // exact: see the file comment
    c.y[j] = satVec(c.y, shiftRescale(acc, c.colShift[j]));
  }
  return Array.from(scores, (a) => {
    const w = poolVec(c, 1);
    w[0] = satVec(w, shiftRescale(a, c.alphaShift));
    return w;
  });
}
