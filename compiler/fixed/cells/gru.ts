/**
 * @fileoverview Fixed-point GRU step (simulator), ONNX gate order z, r, h:
 *   v = [x; h]
 *   z, r = f(clip(sat16(rescale(Wzr·v + b))))          Q15 (table output 15)
 *   linear_before_reset = 0:
 *     v[I:] = satVec(r ⊙ h)                              Q(fh)
 *     ĥ = g(clip(sat16(rescale(Wh·[x; r⊙h] + b))))       Q(fh)
 *   linear_before_reset = 1:
 *     px = rescale(Whx·x + bx), ph = rescale(Whh·h + bh) (both in g's input format, int32)
 *     ĥ = g(clip(sat16(px + r ⊙ ph)))                    Q(fh)
 *   h' = satVec(ĥ + z ⊙ (h − ĥ))
 * Products with a Q15 gate go through mulQ15.
 */
import { activate, matRows, mulQ15, preActivation, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { satAdd32 } from '../primitives.ts';

export interface GruCell {
  I: number;
  H: number;
  linearBeforeReset: boolean;
  /** [2H, I+H]: z rows then r rows. */
  gatesZR: QMat;
  /** lbr=0: [H, I+H] over [x; r⊙h]. lbr=1: [H, I] over x (candX) and [H, H] over h (candH). */
  cand: QMat;
  candH: QMat;
  f: QAct;
  g: QAct;
  clipGateQ: number;
  clipCandQ: number;
  h: Vec;
  v: Vec; // [I+H]
  acc: Int32Array; // [3H]
  zr: Int16Array; // [2H]
}

export function gruStep(c: GruCell): void {
  const { I, H, h, v, acc, zr } = c;
  for (let j = 0; j < H; j++) v[I + j] = h[j];
  matRows(acc, c.gatesZR, v, 0, 0, 2 * H);
  for (let j = 0; j < 2 * H; j++) zr[j] = activate(preActivation(acc[j], c.clipGateQ), c.f);
  const cand = acc.subarray(2 * H);
  if (!c.linearBeforeReset) {
    for (let j = 0; j < H; j++) v[I + j] = satVec(v, mulQ15(zr[H + j], h[j]));
    matRows(cand, c.cand, v, 0, 0, H);
    for (let j = 0; j < H; j++) cand[j] = activate(preActivation(cand[j], c.clipCandQ), c.g);
  } else {
    const ph = acc.subarray(H, 2 * H); // z,r accumulators are consumed: reuse the r slots for H·h
    matRows(cand, c.cand, v, 0, 0, H);
    matRows(ph, c.candH, v, I, 0, H);
    for (let j = 0; j < H; j++) cand[j] = activate(preActivation(satAdd32(cand[j], mulQ15(zr[H + j], ph[j])), c.clipCandQ), c.g);
  }
  for (let j = 0; j < H; j++) {
    const hh = cand[j];
    h[j] = satVec(h, hh + mulQ15(zr[j], h[j] - hh));
  }
}
