// Fixed-point attention pooling over a whole sequence (AssemblyScript): scores (additive
// v·tanh(W·h_t + b) or dot (scale·q)·h_t), α = the Softmax head's softmaxQ over t (Q15),
// pooled = Σ_t α_t·h_t rescaled per column, optional weights α_t in the vector type.
// Mirror: compiler/fixed/cells/attention.ts. Descriptor layout: compiler/fixed/cells/layout.ts (ATTENTION).
import { activate, loadAt, matRows, satVec, storeAt } from '../cells/common';
import { sat16, shiftRescale } from '../ops/primitives';
import { softmaxQ } from './dense';

// Field byte offsets of the ATTENTION descriptor (must match layout.ts; tests/attention.test.ts checks).
const H = 0, A = 4, ADDITIVE = 8, W = 12, ACT = 40, V = 60, EXP = 88, EXP_SHIFT = 108, COL_SHIFT = 112, ALPHA_SHIFT = 116, Y = 120, U = 124, TH = 128;

/**
 * hs: TV[n, H] the sequence; scores: i32[n] scratch (left holding α_t, Q15); alpha: TV[n] for the
 * weights output, or 0. n <= 32768 keeps every i32 sum exact (the plan enforces max_steps).
 */
export function attentionPool<TV, TW>(desc: usize, hs: usize, n: i32, scores: usize, alpha: usize): void {
  const h = load<i32>(desc + H);
  const a = load<i32>(desc + A);
  const additive = load<i32>(desc + ADDITIVE);
  const u = <usize>load<i32>(desc + U); // i32[max(A, 1)]
  const th = <usize>load<i32>(desc + TH); // i16[A], Q15
  const rowBytes = <usize>h * sizeof<TV>();
  for (let t = 0; t < n; t++) {
    const ht = hs + <usize>t * rowBytes;
    if (additive) {
      matRows<TV, TW>(u, desc + W, ht, 0, 0, a);
      for (let k = 0; k < a; k++) storeAt<i16>(th, k, activate(sat16(loadAt<i32>(u, k)), desc + ACT));
      matRows<i16, TW>(u, desc + V, th, 0, 0, 1); // over the Q15 tanh vector, whatever TV is
    } else {
      matRows<TV, TW>(u, desc + W, ht, 0, 0, 1);
    }
    storeAt<i32>(scores, t, load<i32>(u));
  }
  softmaxQ(scores, n, desc + EXP, load<i32>(desc + EXP_SHIFT));
  const y = <usize>load<i32>(desc + Y);
  const colShift = <usize>load<i32>(desc + COL_SHIFT); // i8[H]
  for (let j = 0; j < h; j++) {
    let acc: i32 = 0;
    let p = hs + <usize>j * sizeof<TV>();
    for (let t = 0; t < n; t++) {
      acc += loadAt<i32>(scores, t) * <i32>load<TV>(p); // |α·h| < 2^30, Σ α <= 2^15 + n/2: exact
      p += rowBytes;
    }
    storeAt<TV>(y, j, satVec<TV>(shiftRescale(acc, loadAt<i8>(colShift, j))));
  }
  if (alpha) {
    const s = load<i32>(desc + ALPHA_SHIFT);
    for (let t = 0; t < n; t++) storeAt<TV>(alpha, t, satVec<TV>(shiftRescale(loadAt<i32>(scores, t), s)));
  }
}
