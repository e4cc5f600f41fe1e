// Fixed-point QRNN step (AssemblyScript reference kernel).
// Mirror: compiler/fixed/cells/qrnn.ts — same results bit for bit.
//   v = [x_t; x_{t−1}]   (the caller has put x_t in v[0:I]; window 2 keeps x_{t−1} in xPrev, state)
//   acc = rescale(W·v + b) for G·H rows, blocks z, f, (o)
//   z = tanh(sat16(acc_z)) into Q(fc);  f, o = σ(sat16(acc)) Q15
//   C' = sat16(z + f ⊙ (C − z))                                     Q(fc)
//   h' = satVec(shiftRescale(o ⊙ C', fc − fh)) (fo), satVec(shiftRescale(C', fc − fh)) (f)
import { sat16, shiftRescale } from '../ops/primitives';
import { activate, copyElems, loadAt, matRows, mulQ15, preActivation, satVec, storeAt } from './common';
import { QRNN } from './desc';

export function qrnnStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + QRNN.I);
  const H = load<i32>(desc + QRNN.H);
  const h = load<usize>(desc + QRNN.h); // V[H]
  const cState = load<usize>(desc + QRNN.cState); // i16[H] Q(fc)
  const v = load<usize>(desc + QRNN.v); // V[window·I]
  const acc = load<usize>(desc + QRNN.acc); // i32[G·H]
  const xPrev = load<usize>(desc + QRNN.xPrev); // V[I] (window 2)
  const twoTaps = load<i32>(desc + QRNN.window) == 2;
  const fo = load<i32>(desc + QRNN.fo) != 0;
  const shift = load<i32>(desc + QRNN.fc) - load<i32>(desc + QRNN.fh);
  const zAct = desc + QRNN.z;
  const fAct = desc + QRNN.f;

  if (twoTaps) copyElems<V>(v, I, xPrev, I); // v[I:] = x_{t−1}
  matRows<V, W>(acc, desc + QRNN.gates, v, 0, 0, (fo ? 3 : 2) * H);
  if (twoTaps) copyElems<V>(xPrev, 0, v, I); // x_t becomes the next step's x_{t−1}
  for (let j = 0; j < H; j++) {
    const z = activate(preActivation(loadAt<i32>(acc, j), 0), zAct);
    const f = activate(preActivation(loadAt<i32>(acc, H + j), 0), fAct);
    const next = sat16(z + mulQ15(f, loadAt<i16>(cState, j) - z));
    storeAt<i16>(cState, j, next);
    const y = fo ? mulQ15(activate(preActivation(loadAt<i32>(acc, 2 * H + j), 0), fAct), next) : next;
    storeAt<V>(h, j, satVec<V>(shiftRescale(y, shift)));
  }
}
