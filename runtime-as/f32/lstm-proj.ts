// The f32 LSTM with an output projection (PyTorch proj_size), AssemblyScript. Mirror:
// compiler/fixed/f32/cells.ts lstmStepF32 with P > 0 — the same f32 operations in the same order:
// ./cells.ts's LSTM step with o·hAct(C') stored in m [H], then h' = proj·m [P] (bias 0, columns in order).
// Descriptor LSTMP_F32 (./desc.ts): LSTM_F32's fields at the same offsets, then P, proj, m.
import { lstmGatesF32, matRowsF32 } from './cells';
import { LSTMP_F32 } from './desc';

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

export function lstmProjStepF32(desc: usize): void {
  const I = load<i32>(desc + LSTMP_F32.I);
  const H = load<i32>(desc + LSTMP_F32.H);
  const P = load<i32>(desc + LSTMP_F32.P);
  const h = load<usize>(desc + LSTMP_F32.h); // f32[P]
  const m = load<usize>(desc + LSTMP_F32.m); // f32[H]
  const v = load<usize>(desc + LSTMP_F32.v); // f32[I+P]
  const acc = load<usize>(desc + LSTMP_F32.acc);
  for (let j = 0; j < P; j++) store<f32>(at(v, I + j), load<f32>(at(h, j)));
  matRowsF32(acc, desc + LSTMP_F32.gates, v, 0, 4 * H);
  lstmGatesF32(desc, m, H); // m = o·hAct(C'), C' in place
  matRowsF32(h, desc + LSTMP_F32.proj, m, 0, P);
}
