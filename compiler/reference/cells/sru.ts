/**
 * @fileoverview SRU (float reference, float64 inside), in two phases as the `sru` package runs
 * it: the input projection U = x·Wᵀ for every step first (it does not depend on the state, which
 * is what makes SRU fast), then the elementwise recurrence step by step:
 *   f = σ(U_f + v_f ⊙ c + b_f),  r = σ(U_r + v_r ⊙ c + b_r)
 *   c' = f ⊙ c + (1 − f) ⊙ U_x̃
 *   h = r ⊙ g(c') + (1 − r) ⊙ x'    (x' = U_4 for k = 4, scale_x·x slice for k = 3; no term without highway)
 * Equations and layouts: compiler/ir/ops/sru.ts, docs/sru-qrnn.md.
 */

import type { GateObserver } from './common.ts';

const CANDIDATE = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

/** One direction's parameters as views into the op's inputs. */
export interface SruDirection {
  W: Float32Array; // [k·H, I], row blocks x̃, f, r, (highway)
  vf: Float32Array; // [H] forget peephole
  vr: Float32Array; // [H] reset peephole
  bf: Float32Array; // [H]
  br: Float32Array; // [H]
  inputSize: number;
  hidden: number;
  k: number;
  tanh: boolean;
  highway: boolean;
  scaleX: number;
}

/** u[m·H + j] = Σ_i W[(m·H + j)·I + i]·x[i] for the k matrices: one step's share of U. */
export function sruProject(u: Float64Array, x: ArrayLike<number>, p: SruDirection): void {
  const I = p.inputSize;
  for (let row = 0; row < p.k * p.hidden; row++) {
    let acc = 0;
    for (let i = 0; i < I; i++) acc += x[i] * p.W[row * I + i];
    u[row] = acc;
  }
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/**
 * One step of the recurrence: updates `c` in place and writes `h`. `u` is this step's
 * projection (k·H values); `xSlice` is this direction's H-slice of the input, read only for the
 * k = 3 highway. `observe` (calibration) receives the gate pre-activations 'f' and 'r', the
 * candidate 'cand' (U_x̃) and the highway input 'hw' (x'); it does not change any result.
 */
export function sruStep(h: Float64Array, c: Float64Array, u: Float64Array, xSlice: ArrayLike<number>, p: SruDirection, observe?: GateObserver): void {
  const H = p.hidden;
  const seen = observe ? { f: new Float64Array(H), r: new Float64Array(H), cand: new Float64Array(H), hw: new Float64Array(H) } : undefined;
  for (let j = 0; j < H; j++) {
    // Both gates read the previous cell state through their peepholes, before it is updated.
    const preF = u[FORGET * H + j] + p.vf[j] * c[j] + p.bf[j];
    const preR = u[RESET * H + j] + p.vr[j] * c[j] + p.br[j];
    const f = sigmoid(preF);
    const r = sigmoid(preR);
    const candidate = u[CANDIDATE * H + j];
    c[j] = f * c[j] + (1 - f) * candidate;
    const g = p.tanh ? Math.tanh(c[j]) : c[j];
    const skip = !p.highway ? 0 : p.k === 4 ? u[HIGHWAY * H + j] : p.scaleX * xSlice[j];
    if (seen) [seen.f[j], seen.r[j], seen.cand[j], seen.hw[j]] = [preF, preR, candidate, skip];
    h[j] = p.highway ? r * g + (1 - r) * skip : r * g;
  }
  if (seen) for (const [tag, v] of Object.entries(seen)) observe!(tag, v);
}
