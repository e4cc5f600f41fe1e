// Fixed-point QRNN step (AssemblyScript reference kernel).
// Mirror: compiler/fixed/cells/qrnn.ts — same results bit for bit.
//   v = [x_t; x_{t−1}]   (the caller has put x_t in v[0:I]; window 2 keeps x_{t−1} in xPrev, state)
//   acc = rescale(W·v + b) for G·H rows, blocks z, f, (o)
//   z = tanh(sat16(acc_z)) into Q(fc);  f, o = σ(sat16(acc)) Q15
//   C' = sat16(z + f ⊙ (C − z))                                     Q(fc)
//   h' = satVec(shiftRescale(o ⊙ C', fc − fh)) (fo), satVec(shiftRescale(C', fc − fh)) (f)
// run(n) computes the gate sums of CHUNK steps at once (qrnnProject, ./project.ts), then runs
// qrnnRecur per step: the same integers, so the same results as step() and the simulator.
import { sat16, shiftRescale } from '../ops/primitives';
import { activate, copyElems, loadAt, matRows, mulQ15, preActivation, satVec, storeAt } from './common';
import { QRNN } from './desc';
import { CHUNK, fromColumn, projectChunk, toColumn } from './project';

export function qrnnStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + QRNN.I);
  const H = load<i32>(desc + QRNN.H);
  const v = load<usize>(desc + QRNN.v); // V[window·I]
  const acc = load<usize>(desc + QRNN.acc); // i32[G·H]
  const xPrev = load<usize>(desc + QRNN.xPrev); // V[I] (window 2)
  const twoTaps = load<i32>(desc + QRNN.window) == 2;
  const fo = load<i32>(desc + QRNN.fo) != 0;

  if (twoTaps) copyElems<V>(v, I, xPrev, I); // v[I:] = x_{t−1}
  matRows<V, W>(acc, desc + QRNN.gates, v, 0, 0, (fo ? 3 : 2) * H);
  if (twoTaps) copyElems<V>(xPrev, 0, v, I); // x_t becomes the next step's x_{t−1}
  qrnnElementwise<V, i32>(desc, acc, 4);
}

/**
 * run(n): the gates of CHUNK steps of xs (./project.ts layouts) into proj: i16[G·H][CHUNK],
 * saturated (every gate row is read through sat16). Window 2: slot 0 is x_{t0−1} (the state's
 * x_{t−1}), and the chunk's last step becomes the next one's.
 */
export function qrnnProject<V, W>(desc: usize, xs: usize, proj: usize): void {
  const I = load<i32>(desc + QRNN.I);
  const xPrev = load<usize>(desc + QRNN.xPrev);
  const taps = load<i32>(desc + QRNN.window);
  if (taps == 2) toColumn<V>(xs, xPrev, I);
  projectChunk<V, W, i16>(proj, desc + QRNN.gates, xs, I, taps);
  if (taps == 2) fromColumn<V>(xPrev, xs + <usize>CHUNK * sizeof<V>(), I);
}

/** run(n): the pooling of step s of the chunk, from qrnnProject's rows. */
export function qrnnRecur<V>(desc: usize, proj: usize, s: i32): void {
  qrnnElementwise<V, i16>(desc, proj + (<usize>s << 1), <usize>CHUNK * 2);
}

// Everything after the gate sums: row r at acc + r·stride as P (i32 per step, i16 per chunk).
// Inlined with constant strides: step() keeps its code.
@inline function qrnnElementwise<V, P>(desc: usize, acc: usize, stride: usize): void {
  const H = load<i32>(desc + QRNN.H);
  const h = load<usize>(desc + QRNN.h); // V[H]
  const cState = load<usize>(desc + QRNN.cState); // i16[H] Q(fc)
  const fo = load<i32>(desc + QRNN.fo) != 0;
  const shift = load<i32>(desc + QRNN.fc) - load<i32>(desc + QRNN.fh);
  const zAct = desc + QRNN.z;
  const fAct = desc + QRNN.f;
  for (let j = 0; j < H; j++) {
    const z = activate(preActivation(<i32>load<P>(acc + <usize>j * stride), 0), zAct);
    const f = activate(preActivation(<i32>load<P>(acc + <usize>(H + j) * stride), 0), fAct);
    const next = sat16(z + mulQ15(f, loadAt<i16>(cState, j) - z));
    storeAt<i16>(cState, j, next);
    const y = fo ? mulQ15(activate(preActivation(<i32>load<P>(acc + <usize>(2 * H + j) * stride), 0), fAct), next) : next;
    storeAt<V>(h, j, satVec<V>(shiftRescale(y, shift)));
  }
}
