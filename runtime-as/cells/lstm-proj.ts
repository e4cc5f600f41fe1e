// Fixed-point LSTM with an output projection (PyTorch proj_size), AssemblyScript. Mirror:
// compiler/fixed/cells/lstm.ts with P > 0 — same results bit for bit. ./lstm.ts's step, except
// that o ⊙ hAct(C') goes to m and h' is the projection of m:
//   v = [x; h] (I + P);  acc = rescale(W·v + b) for all 4H rows;  gates and C' as ./lstm.ts
//   m  = satVec(shiftRescale(mulQ15(o, hAct(C')), ft − fm))    Q(fm), H elements
//   h' = satVec(rescale(proj·m))                                Q(fh), P elements (acc has max(4H, P))
// The descriptor (LSTMP in ./desc.ts) has LSTM's fields at LSTM's offsets, so ./lstm.ts's lstmGates() reads it.
import { copyElems, loadAt, matRows, satVec, storeAt } from './common';
import { LSTMP } from './desc';
import { lstmGates } from './lstm';

export function lstmProjStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + LSTMP.I);
  const H = load<i32>(desc + LSTMP.H);
  const P = load<i32>(desc + LSTMP.P);
  const h = load<usize>(desc + LSTMP.h); // V[P]
  const m = load<usize>(desc + LSTMP.m); // V[H]
  const v = load<usize>(desc + LSTMP.v); // V[I+P]
  const acc = load<usize>(desc + LSTMP.acc); // i32[max(4H, P)]
  copyElems<V>(v, I, h, P); // v[I:] = h
  matRows<V, W>(acc, desc + LSTMP.gates, v, 0, 0, 4 * H);
  lstmGates<V>(desc, m, H, load<i32>(desc + LSTMP.fm)); // m = o·hAct(C') in Q(fm), C' in place
  matRows<V, W>(acc, desc + LSTMP.proj, m, 0, 0, P);
  for (let k = 0; k < P; k++) storeAt<V>(h, k, satVec<V>(loadAt<i32>(acc, k)));
}
