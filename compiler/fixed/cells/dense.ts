/**
 * @fileoverview Fixed-point dense head (simulator): y = act(rescale(W·v + b)), v = the head's
 * input (filled by the caller). actKind 0: none, 1: relu, 2: table/PWL activation, 3: softmax,
 * 4: log-softmax.
 * With `argmax` set, y[0] is then overwritten by the index of the first largest y (ONNX ArgMax).
 *
 * Softmax (integer only): the logits z (rescaled accumulators, int16) lose their max m;
 * d = z − m <= 0 is rounding-shifted right by `expShift` into the exp table's input format
 * Q(act.inFrac) and looked up in `act.table` (exp over the non-positive half, Q15, so
 * exp(0) = 32767); the int32 sum S of the N values normalizes them:
 * p = (e·2^outFrac + S/2) / S (integer division), output Q(act.outFrac).
 *
 * Log-softmax: y = d − ln(S/2^15), with d = z − m exact in the logits' format Q(fz),
 * fz = act.inFrac + expShift, and S the same sum as softmax's (S >= 32767: the max adds
 * exp(0)). ln S by an integer log2: k = ⌊log2 S⌋ (31 − clz), the mantissa's top 16 fraction bits
 * t = S·2^(16−k) − 2^16 index `log` (ln(1 + t/2^16), Q15, at q = t − 32768), and
 * ln(S/2^15) = (k − 15)·ln2 + ln(mantissa) in Q24; then rounded to Q(fz), subtracted from d and
 * rounding-shifted to the output format Q(act.outFrac). The small terms S loses to the exp
 * table (values below exp(−16) round to 0) shift ln S by < N·2^−15; d itself is exact.
 */
import { activate, matRows, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { lutInterp } from '../lut.ts';
import { sat16, shiftRescale } from '../primitives.ts';

export const DENSE_NONE = 0, DENSE_RELU = 1, DENSE_ACT = 2, DENSE_SOFTMAX = 3, DENSE_LOG_SOFTMAX = 4;
/** round(ln 2 · 2^24). */
export const LN2_Q24 = 11629080;

export interface DenseCell {
  I: number;
  N: number;
  mat: QMat;
  act: QAct;
  actKind: number;
  y: Vec; // [N]
  v: Vec; // [I]
  acc: Int32Array; // [N]
  /** Softmax: right shift from the logits' format to the exp table's (act.inFrac); else 0. */
  expShift: number;
  /** 1: replace y[0] by the index of the first largest y[n]. */
  argmax: number;
  /** Log-softmax: ln(1 + t/2^16) in Q15 at q = t − 32768 (input Q0); else empty. */
  log: QAct;
}

export function denseStep(c: DenseCell): void {
  matRows(c.acc, c.mat, c.v, 0, 0, c.N);
  if (c.actKind === DENSE_SOFTMAX || c.actKind === DENSE_LOG_SOFTMAX) {
    if (c.actKind === DENSE_SOFTMAX) softmaxQ(c.acc, c.N, c.act, c.expShift);
    else logSoftmaxQ(c.acc, c.N, c.act, c.log, c.expShift);
    for (let n = 0; n < c.N; n++) c.y[n] = satVec(c.y, c.acc[n]);
  } else {
    for (let n = 0; n < c.N; n++) {
      const a = c.acc[n];
      c.y[n] = satVec(c.y, c.actKind === 1 ? Math.max(0, a) : c.actKind === 2 ? activate(sat16(a), c.act) : a);
    }
  }
  if (c.argmax) {
    let best = 0;
    for (let n = 1; n < c.N; n++) if (c.y[n] > c.y[best]) best = n;
    c.y[0] = best; // the quantizer keeps N − 1 within the vector type
  }
}

/** In place: acc[0..n) logits (int32, saturated to int16 here) → probabilities in Q(act.outFrac). */
export function softmaxQ(acc: Int32Array, n: number, act: QAct, expShift: number): void {
  let m = -32768;
  for (let j = 0; j < n; j++) m = Math.max(m, (acc[j] = sat16(acc[j])));
  let sum = 0;
  for (let j = 0; j < n; j++) {
    // d in [-65535, 0]; after the shift (>= 1) it fits int16 (lutInterp clamps anyway).
    const e = lutInterp(shiftRescale(acc[j] - m, expShift), act.table, act.log2N);
    acc[j] = e;
    sum += e; // e <= 32767, n < 2^16: no overflow
  }
  const half = sum >> 1, one = 2 ** act.outFrac;
  // e·2^outFrac + S/2 < 2^31 and both exact: Math.trunc of the quotient is i32.div_s.
  for (let j = 0; j < n; j++) acc[j] = Math.trunc((acc[j] * one + half) / sum);
}

/** In place: acc[0..n) logits (saturated to int16 here) → log-probabilities in Q(act.outFrac). */
export function logSoftmaxQ(acc: Int32Array, n: number, act: QAct, log: QAct, expShift: number): void {
  let m = -32768;
  for (let j = 0; j < n; j++) m = Math.max(m, (acc[j] = sat16(acc[j])));
  let sum = 0;
  for (let j = 0; j < n; j++) sum += lutInterp(shiftRescale(acc[j] - m, expShift), act.table, act.log2N);
  const k = 31 - Math.clz32(sum); // sum in [32767, 2^30): k in 14..29
  const t = (k >= 16 ? sum >> (k - 16) : sum << (16 - k)) - 65536; // [0, 65536)
  const lnSum = Math.imul(k - 15, LN2_Q24) + lutInterp(t - 32768, log.table, log.log2N) * 512; // Q24, |.| < 2^28
  const fz = act.inFrac + expShift;
  const lnSumZ = shiftRescale(lnSum, 24 - fz); // fz <= 23
  for (let j = 0; j < n; j++) acc[j] = shiftRescale(acc[j] - m - lnSumZ, fz - act.outFrac);
}
