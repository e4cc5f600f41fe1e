// The f32 LSTM with an output projection (PyTorch proj_size), AssemblyScript. Mirror:
// compiler/fixed/f32/cells.ts lstmStepF32 with P > 0 — the same f32 operations in the same order:
// ./cells.ts's LSTM step with o·hAct(C') stored in m [H], then h' = proj·m [P] (bias 0, columns in order).
// Descriptor LSTMP_F32 (./desc.ts): LSTM_F32's fields at the same offsets, then P, proj, m.
import { activateF32, clipF32 } from './math';
import { matRowsF32 } from './cells';
import { LSTMP_F32 } from './desc';

const ONE: f32 = 1;
const GI = 0, GO = 1, GF = 2, GC = 3;

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

export function lstmProjStepF32(desc: usize): void {
  const I = load<i32>(desc + LSTMP_F32.I);
  const H = load<i32>(desc + LSTMP_F32.H);
  const P = load<i32>(desc + LSTMP_F32.P);
  const h = load<usize>(desc + LSTMP_F32.h); // f32[P]
  const m = load<usize>(desc + LSTMP_F32.m); // f32[H]
  const cState = load<usize>(desc + LSTMP_F32.cState);
  const v = load<usize>(desc + LSTMP_F32.v); // f32[I+P]
  const acc = load<usize>(desc + LSTMP_F32.acc);
  const peep = load<usize>(desc + LSTMP_F32.peep); // f32[3H] or 0
  const clip = load<f32>(desc + LSTMP_F32.clip);
  const inputForget = load<i32>(desc + LSTMP_F32.inputForget) != 0;
  const fAct = desc + LSTMP_F32.f;
  for (let j = 0; j < P; j++) store<f32>(at(v, I + j), load<f32>(at(h, j)));
  matRowsF32(acc, desc + LSTMP_F32.gates, v, 0, 4 * H);
  for (let j = 0; j < H; j++) {
    const prev = load<f32>(at(cState, j));
    let pi = load<f32>(at(acc, GI * H + j));
    let pf = load<f32>(at(acc, GF * H + j));
    let po = load<f32>(at(acc, GO * H + j));
    if (peep != 0) {
      pi = pi + load<f32>(at(peep, j)) * prev;
      pf = pf + load<f32>(at(peep, 2 * H + j)) * prev;
    }
    const i = activateF32(clipF32(pi, clip), fAct);
    const fg = inputForget ? ONE - i : activateF32(clipF32(pf, clip), fAct);
    const g = activateF32(clipF32(load<f32>(at(acc, GC * H + j)), clip), desc + LSTMP_F32.g);
    const next = fg * prev + i * g;
    store<f32>(at(cState, j), next);
    if (peep != 0) po = po + load<f32>(at(peep, H + j)) * next;
    store<f32>(at(m, j), activateF32(clipF32(po, clip), fAct) * activateF32(next, desc + LSTMP_F32.hAct));
  }
  matRowsF32(h, desc + LSTMP_F32.proj, m, 0, P);
}
