// Fixed-point GRU step (AssemblyScript reference kernel), ONNX gate order z, r, h.
// Mirror: compiler/fixed/cells/gru.ts — same results bit for bit.
//   v = [x; h]                                           (the caller has put x in v[0:I])
//   z, r = f(clip(sat16(rescale(Wzr·v + b))))             Q15
//   linear_before_reset = 0:
//     v[I:] = satVec(r ⊙ h);  ĥ = g(clip(sat16(rescale(Wh·[x; r⊙h] + b))))      Q(fh)
//   linear_before_reset = 1:
//     px = rescale(Whx·x + bx), ph = rescale(Whh·h + bh);  ĥ = g(clip(sat16(px + r ⊙ ph)))
//   h' = satVec(ĥ + z ⊙ (h − ĥ))
// Products with a Q15 gate go through mulQ15. Scratch: acc i32[3H] = [z | r | ĥ] accumulators
// (lbr=1 reuses the consumed r slots for ph), zr i16[2H] = activated z then r.
import { satAdd32 } from '../ops/primitives';
import { activate, copyElems, loadAt, matRows, mulQ15, preActivation, satVec, storeAt } from './common';
import { GRU } from './desc';

export function gruStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + GRU.I);
  const H = load<i32>(desc + GRU.H);
  const h = load<usize>(desc + GRU.h); // V[H]
  const v = load<usize>(desc + GRU.v); // V[I+H]
  const acc = load<usize>(desc + GRU.acc); // i32[3H]
  const zr = load<usize>(desc + GRU.zr); // i16[2H]
  const cand = acc + (<usize>(2 * H) << 2); // i32[H], the ĥ slots of acc

  copyElems<V>(v, I, h, H); // v[I:] = h
  updateAndResetGates<V, W>(desc, v, acc, zr, H);
  if (load<i32>(desc + GRU.linearBeforeReset) == 0) candidateResetFirst<V, W>(desc, cand, v, h, zr, I, H);
  else candidateLinearFirst<V, W>(desc, cand, acc + (<usize>H << 2), v, zr, I, H);

  // h' = ĥ + z ⊙ (h − ĥ); |h − ĥ| < 2^17, so no i32 overflow before satVec.
  for (let j = 0; j < H; j++) {
    const hh = loadAt<i32>(cand, j);
    storeAt<V>(h, j, satVec<V>(hh + mulQ15(loadAt<i16>(zr, j), loadAt<V>(h, j) - hh)));
  }
}

/** zr[0:2H] = f(clip(sat16(rescale(Wzr·v + b)))): z then r, Q15. acc[0:2H] is scratch. */
function updateAndResetGates<V, W>(desc: usize, v: usize, acc: usize, zr: usize, H: i32): void {
  const f = desc + GRU.f;
  const clipQ = load<i32>(desc + GRU.clipGateQ);
  matRows<V, W>(acc, desc + GRU.gatesZR, v, 0, 0, 2 * H);
  for (let j = 0; j < 2 * H; j++) storeAt<i16>(zr, j, activate(preActivation(loadAt<i32>(acc, j), clipQ), f));
}

/** lbr=0: v[I:] = satVec(r ⊙ h), then cand[0:H] = g(clip(sat16(rescale(Wh·v + b)))). */
function candidateResetFirst<V, W>(desc: usize, cand: usize, v: usize, h: usize, zr: usize, I: i32, H: i32): void {
  for (let j = 0; j < H; j++) storeAt<V>(v, I + j, satVec<V>(mulQ15(loadAt<i16>(zr, H + j), loadAt<V>(h, j))));
  matRows<V, W>(cand, desc + GRU.cand, v, 0, 0, H);
  const g = desc + GRU.g;
  const clipQ = load<i32>(desc + GRU.clipCandQ);
  for (let j = 0; j < H; j++) storeAt<i32>(cand, j, activate(preActivation(loadAt<i32>(cand, j), clipQ), g));
}

/** lbr=1: cand = px = Whx·x, ph = Whh·h (ph: i32[H] in the r slots), then ĥ = g(px + r ⊙ ph). */
function candidateLinearFirst<V, W>(desc: usize, cand: usize, ph: usize, v: usize, zr: usize, I: i32, H: i32): void {
  matRows<V, W>(cand, desc + GRU.cand, v, 0, 0, H);
  matRows<V, W>(ph, desc + GRU.candH, v, I, 0, H);
  const g = desc + GRU.g;
  const clipQ = load<i32>(desc + GRU.clipCandQ);
  for (let j = 0; j < H; j++) {
    const pre = satAdd32(loadAt<i32>(cand, j), mulQ15(loadAt<i16>(zr, H + j), loadAt<i32>(ph, j)));
    storeAt<i32>(cand, j, activate(preActivation(pre, clipQ), g));
  }
}
