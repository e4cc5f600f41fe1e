/**
 * @fileoverview Fixed-point Elman RNN step (simulator):
 *   v = [x; h]                       (the caller has put x in v[0:I])
 *   pre = clip(sat16(rescale(W·v + b)))   Q(act.inFrac)
 *   h' = satVec(act(pre))            the table's output format is the state format Q(fh)
 */
import { activate, matRows, preActivation, satVec, type QAct, type QMat, type Vec } from './common.ts';

export interface RnnCell {
  I: number;
  H: number;
  /** [H, I+H] */
  gates: QMat;
  act: QAct;
  clipQ: number;
  /** State [H] and scratch. */
  h: Vec;
  v: Vec; // [I+H]
  acc: Int32Array; // [H]
}

export function rnnStep(c: RnnCell): void {
  const { I, H, h, v, acc } = c;
  for (let j = 0; j < H; j++) v[I + j] = h[j];
  matRows(acc, c.gates, v, 0, 0, H);
  for (let j = 0; j < H; j++) h[j] = satVec(h, activate(preActivation(acc[j], c.clipQ), c.act));
}
