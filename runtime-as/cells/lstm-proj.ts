// Fixed-point LSTM with an output projection (PyTorch proj_size), AssemblyScript. Mirror:
// compiler/fixed/cells/lstm.ts with P > 0 — same results bit for bit. ./lstm.ts's step, except
// that o ⊙ hAct(C') goes to m and h' is the projection of m:
//   v = [x; h] (I + P);  acc = rescale(W·v + b) for all 4H rows;  gates and C' as ./lstm.ts
//   m  = satVec(shiftRescale(mulQ15(o, hAct(C')), ft − fm))    Q(fm), H elements
//   h' = satVec(rescale(proj·m))                                Q(fh), P elements (acc has max(4H, P))
// The descriptor (LSTMP in ./desc.ts) has LSTM's fields at LSTM's offsets, so ./lstm.ts's gate() reads it.
import { sat16, satAdd32, shiftRescale } from '../ops/primitives';
import { activate, copyElems, loadAt, matRows, mulQ15, preActivation, satVec, storeAt } from './common';
import { ACT, LSTMP } from './desc';
import { gate } from './lstm';

// Row blocks of acc (gate order i, o, f, c) and peephole blocks (i, o, f).
const GI = 0, GO = 1, GF = 2, GC = 3;
const PI = 0, PO = 1, PF = 2;

export function lstmProjStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + LSTMP.I);
  const H = load<i32>(desc + LSTMP.H);
  const P = load<i32>(desc + LSTMP.P);
  const h = load<usize>(desc + LSTMP.h); // V[P]
  const m = load<usize>(desc + LSTMP.m); // V[H]
  const cState = load<usize>(desc + LSTMP.cState); // i16[H] Q(fc)
  const v = load<usize>(desc + LSTMP.v); // V[I+P]
  const acc = load<usize>(desc + LSTMP.acc); // i32[max(4H, P)]
  const inputForget = load<i32>(desc + LSTMP.inputForget) != 0;
  const clipCandQ = load<i32>(desc + LSTMP.clipCandQ);
  const fc = load<i32>(desc + LSTMP.fc);
  const fm = load<i32>(desc + LSTMP.fm);
  const fg = load<i32>(desc + LSTMP.g + ACT.outFrac);
  const ft = load<i32>(desc + LSTMP.hAct + ACT.outFrac);

  copyElems<V>(v, I, h, P); // v[I:] = h
  matRows<V, W>(acc, desc + LSTMP.gates, v, 0, 0, 4 * H);
  for (let j = 0; j < H; j++) {
    const prev = loadAt<i16>(cState, j);
    const i = gate(desc, loadAt<i32>(acc, GI * H + j), PI, j, prev);
    // 1 − i in Q15 (a descriptor flag, the same path for every input).
    const f = inputForget ? min(32767, 32768 - i) : gate(desc, loadAt<i32>(acc, GF * H + j), PF, j, prev);
    const g = activate(preActivation(loadAt<i32>(acc, GC * H + j), clipCandQ), desc + LSTMP.g);
    const next = sat16(satAdd32(mulQ15(f, prev), shiftRescale(mulQ15(i, g), fg - fc)));
    storeAt<i16>(cState, j, next);
    const o = gate(desc, loadAt<i32>(acc, GO * H + j), PO, j, next); // output peephole sees C'
    storeAt<V>(m, j, satVec<V>(shiftRescale(mulQ15(o, activate(next, desc + LSTMP.hAct)), ft - fm)));
  }
  matRows<V, W>(acc, desc + LSTMP.proj, m, 0, 0, P);
  for (let k = 0; k < P; k++) storeAt<V>(h, k, satVec<V>(loadAt<i32>(acc, k)));
}
