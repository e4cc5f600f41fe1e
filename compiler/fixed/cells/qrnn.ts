/**
 * @fileoverview Fixed-point QRNN step (simulator): the gates come from a window-1 or -2 causal
 * convolution over the input, then pooling (compiler/reference/cells/qrnn.ts):
 *   v = [x_t; x_{t−1}]        (the caller has put x_t in v[0:I]; x_{t−1} is state, zero after reset)
 *   acc = rescale(W·v + b) for G·H rows: z → z's input format, f and o → the gates' input format
 *   z = tanh(sat16(acc_z)) by table into Q(fc);  f, o = σ(sat16(acc)) Q15
 *   C' = sat16(z + f ⊙ (C − z))                  Q(fc)
 *   fo-pooling: h' = satVec(shiftRescale(o ⊙ C', fc − fh));  f-pooling: h' = satVec(shiftRescale(C', fc − fh))
 * The quantizer reorders W's column blocks (oldest first in the IR) to match v, which keeps the
 * [x; state] arrangement of the other cells: the caller fills v from offset 0.
 */
import { activate, matRows, mulQ15, preActivation, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { sat16, shiftRescale } from '../primitives.ts';

export interface QrnnCell {
  I: number;
  H: number;
  window: number;
  /** fo-pooling (gates z, f, o); else f-pooling (z, f). */
  fo: boolean;
  /** [G·H, window·I] over v = [x_t; x_{t−1}], row blocks z, f, (o). */
  gates: QMat;
  z: QAct; // tanh, output Q(fc)
  f: QAct; // sigmoid, output Q15 (f and o)
  fc: number;
  fh: number;
  h: Vec;
  cState: Int16Array;
  /** Window 2: the previous input step [I] (part of the state); else empty. */
  xPrev: Vec;
  v: Vec; // [window·I]
  acc: Int32Array; // [G·H]
}

export function qrnnStep(c: QrnnCell): void {
  const { I, H, h, v, acc, cState, xPrev } = c;
  const twoTaps = c.window === 2;
  if (twoTaps) for (let i = 0; i < I; i++) v[I + i] = xPrev[i];
  matRows(acc, c.gates, v, 0, 0, (c.fo ? 3 : 2) * H);
  if (twoTaps) for (let i = 0; i < I; i++) xPrev[i] = v[i];
  for (let j = 0; j < H; j++) {
    const z = activate(preActivation(acc[j], 0), c.z);
    const f = activate(preActivation(acc[H + j], 0), c.f);
    const next = sat16(z + mulQ15(f, cState[j] - z)); // f·C + (1 − f)·z with one product
    cState[j] = next;
    const y = c.fo ? mulQ15(activate(preActivation(acc[2 * H + j], 0), c.f), next) : next;
    h[j] = satVec(h, shiftRescale(y, c.fc - c.fh));
  }
}
