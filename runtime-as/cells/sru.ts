// Fixed-point SRU step (AssemblyScript reference kernel), one direction.
// Mirror: compiler/fixed/cells/sru.ts — same results bit for bit.
//   acc = rescale(U·x + b) for k·H rows (the caller has put x in v): x̃ → Q(fc),
//     f, r → the gates' input format, highway (k = 4) → Q(fw)
//   f = σ(sat16(acc_f + peep(v_f ⊙ C))), r likewise: Q15, both from C before the update
//   C' = sat16(x̃ + f ⊙ (C − x̃))                      Q(fc)
//   g = tanh(C') into Q(fw) by table, or C' shifted to Q(fw) (identity)
//   y = x' + r ⊙ (g − x') with highway, else r ⊙ g;   h' = satVec(shiftRescale(y, fw − fh))
// x' = sat16(acc_hw) (k = 4) or sat16(rescale(x[hwOff + j], hwMult[j], hwShift[j])) (k = 3).
// run(n) projects CHUNK steps at once (sruProject, ./project.ts), then runs sruRecur per step:
// the same integers, so the same results as step() and the simulator.
import { sat16, satAdd32, shiftRescale } from '../ops/primitives';
import { activate, loadAt, matRows, mulQ15, preActivation, rescale, satVec, storeAt } from './common';
import { SRU } from './desc';
import { CHUNK, SLOTS, projectChunk } from './project';

const CAND = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

export function sruStep<V, W>(desc: usize): void {
  const acc = load<usize>(desc + SRU.acc); // i32[k·H]
  const v = load<usize>(desc + SRU.v); // V[I]
  matRows<V, W>(acc, desc + SRU.U, v, 0, 0, load<i32>(desc + SRU.k) * load<i32>(desc + SRU.H));
  sruElementwise<V>(desc, acc, 4, v, sizeof<V>());
}

/** run(n): U for CHUNK steps of xs (./project.ts layouts) into proj: i32[k·H][CHUNK]. */
export function sruProject<V, W>(desc: usize, xs: usize, proj: usize): void {
  projectChunk<V, W, i32>(proj, desc + SRU.U, xs, load<i32>(desc + SRU.I), 1);
}

/** run(n): the recurrence of step s of the chunk, from sruProject's rows and xs (the k = 3 highway). */
export function sruRecur<V>(desc: usize, proj: usize, xs: usize, s: i32): void {
  sruElementwise<V>(desc, proj + (<usize>s << 2), <usize>CHUNK * 4, xs + <usize>(s + 1) * sizeof<V>(), <usize>SLOTS * sizeof<V>());
}

// Everything after the projection. acc row r at acc + r·accStride (i32); the input element c
// at x + c·xStride (the k = 3 highway). Inlined with constant strides: step() keeps its code.
@inline function sruElementwise<V>(desc: usize, acc: usize, accStride: usize, x: usize, xStride: usize): void {
  const H = load<i32>(desc + SRU.H);
  const k = load<i32>(desc + SRU.k);
  const h = load<usize>(desc + SRU.h); // V[H]
  const cState = load<usize>(desc + SRU.cState); // i16[H] Q(fc)
  const tanh = load<i32>(desc + SRU.tanh) != 0;
  const highway = load<i32>(desc + SRU.highway) != 0;
  const fc = load<i32>(desc + SRU.fc);
  const fw = load<i32>(desc + SRU.fw);
  const fh = load<i32>(desc + SRU.fh);
  for (let j = 0; j < H; j++) {
    const prev = loadAt<i16>(cState, j);
    const f = gate(desc, load<i32>(acc + <usize>(FORGET * H + j) * accStride), 0, j, prev);
    const r = gate(desc, load<i32>(acc + <usize>(RESET * H + j) * accStride), 1, j, prev);
    const cand = sat16(load<i32>(acc + <usize>(CAND * H + j) * accStride));
    const next = sat16(cand + mulQ15(f, prev - cand));
    storeAt<i16>(cState, j, next);
    const g = tanh ? activate(next, desc + SRU.g) : sat16(shiftRescale(next, fc - fw));
    let y: i32;
    if (highway) {
      const skip = k == 4 ? sat16(load<i32>(acc + <usize>(HIGHWAY * H + j) * accStride)) : scaledInput<V>(desc, x, xStride, j);
      y = skip + mulQ15(r, g - skip); // |g − x'| < 2^17: no overflow
    } else {
      y = mulQ15(r, g);
    }
    storeAt<V>(h, j, satVec<V>(shiftRescale(y, fw - fh)));
  }
}

/** σ(sat16(acc + rescale(v_kk,j · state))), Q15: gate kk 0 = forget, 1 = reset. */
function gate(desc: usize, acc: i32, kk: i32, j: i32, state: i32): i32 {
  const H = load<i32>(desc + SRU.H);
  const p = loadAt<i16>(load<usize>(desc + SRU.peep), kk * H + j) * state; // |p| <= 2^30
  const peep = rescale(p, loadAt<i32>(load<usize>(desc + SRU.peepMult), kk), loadAt<i32>(load<usize>(desc + SRU.peepShift), kk));
  return activate(preActivation(satAdd32(acc, peep), 0), desc + SRU.f);
}

/** k = 3 highway: this direction's input element, scale_x and the format change as one rescale. */
function scaledInput<V>(desc: usize, v: usize, stride: usize, j: i32): i32 {
  const x = <i32>load<V>(v + <usize>(load<i32>(desc + SRU.hwOff) + j) * stride);
  return sat16(rescale(x, loadAt<i32>(load<usize>(desc + SRU.hwMult), j), loadAt<i32>(load<usize>(desc + SRU.hwShift), j)));
}
