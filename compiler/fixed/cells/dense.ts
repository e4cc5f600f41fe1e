/**
 * @fileoverview Fixed-point dense head (simulator): y = act(rescale(W·v + b)), v = the head's
 * input (filled by the caller). actKind 0: none, 1: relu, 2: table/PWL activation.
 */
import { activate, matRows, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { sat16 } from '../primitives.ts';

export interface DenseCell {
  I: number;
  N: number;
  mat: QMat;
  act: QAct;
  actKind: number;
  y: Vec; // [N]
  v: Vec; // [I]
  acc: Int32Array; // [N]
}

export function denseStep(c: DenseCell): void {
  matRows(c.acc, c.mat, c.v, 0, 0, c.N);
  for (let n = 0; n < c.N; n++) {
    const a = c.acc[n];
    c.y[n] = satVec(c.y, c.actKind === 1 ? Math.max(0, a) : c.actKind === 2 ? activate(sat16(a), c.act) : a);
  }
}
