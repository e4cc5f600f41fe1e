/**
 * @fileoverview Fixed-point SRU step (simulator), one direction; the sru package's recurrence
 * (compiler/reference/cells/sru.ts). The projection U reads only the input, so v = x:
 *   acc = rescale(U·x + b) for k·H rows: x̃ → Q(fc), f and r (with b_f, b_r) → the gates' input
 *     format, highway (k = 4) → Q(fw)
 *   f = σ(sat16(acc_f + peep(v_f ⊙ C)))   Q15;  likewise r with v_r (both read C before the update)
 *   C' = sat16(x̃ + f ⊙ (C − x̃))          Q(fc), x̃ = sat16(acc_x̃)
 *   g = tanh(C') by table into Q(fw), or C' shifted to Q(fw) (identity)
 *   y = x' + r ⊙ (g − x')  (highway; x' = sat16(acc_hw), or for k = 3 sat16(rescale(x[hwOff + j])))
 *   y = r ⊙ g              (no highway)
 *   h' = satVec(shiftRescale(y, fw − fh))  Q(fh)
 * Q(fw) is a 16-bit working format of h's range, so int8 vectors round only once, at the end.
 * peep(v ⊙ C)_j = rescale(v_j·C_j, peepMult[k], peepShift[k]) into the gate's input format.
 */
import { activate, matRows, mulQ15, preActivation, rescale, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { sat16, satAdd32, shiftRescale } from '../primitives.ts';

export interface SruCell {
  I: number;
  H: number;
  /** 3 or 4 matrices (4: the highway term is projected). */
  k: number;
  tanh: boolean;
  highway: boolean;
  /** k = 3 highway: the input column where this direction's H-slice starts (d·H). */
  hwOff: number;
  /** [k·H, I] row blocks x̃, f, r, (highway). */
  U: QMat;
  f: QAct; // sigmoid, output Q15 (both gates)
  g: QAct; // tanh: input Q(fc), output Q(fw); unused for identity
  /** Peepholes [2H] int16 (v_f, v_r), per-gate rescale. */
  peep: Int16Array;
  peepMult: Int32Array; // [2]
  peepShift: Int32Array; // [2]
  /** k = 3 highway: per unit, scale_x · 2^(fw − frac of x's column) as a rescale; else empty. */
  hwMult: Int32Array;
  hwShift: Int32Array;
  fc: number;
  fw: number;
  fh: number;
  h: Vec;
  cState: Int16Array;
  v: Vec; // [I]
  acc: Int32Array; // [k·H]
}

const CAND = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

/** σ(sat16(acc + peep(v_k,j ⊙ state))), Q15. */
function gate(c: SruCell, acc: number, k: number, j: number, state: number): number {
  const peep = rescale(c.peep[k * c.H + j] * state, c.peepMult[k], c.peepShift[k]); // |v·C| <= 2^30
  return activate(preActivation(satAdd32(acc, peep), 0), c.f);
}

/** x' in Q(fw): the projected highway row (k = 4) or this direction's input slice, rescaled (k = 3). */
function highwayInput(c: SruCell, j: number): number {
  if (c.k === 4) return sat16(c.acc[HIGHWAY * c.H + j]);
  return sat16(rescale(c.v[c.hwOff + j], c.hwMult[j], c.hwShift[j]));
}

export function sruStep(c: SruCell): void {
  const { H, h, acc, cState } = c;
  matRows(acc, c.U, c.v, 0, 0, c.k * H);
  for (let j = 0; j < H; j++) {
    const prev = cState[j];
    const f = gate(c, acc[FORGET * H + j], 0, j, prev);
    const r = gate(c, acc[RESET * H + j], 1, j, prev);
    const cand = sat16(acc[CAND * H + j]);
    const next = sat16(cand + mulQ15(f, prev - cand)); // f·C + (1 − f)·x̃ with one product
    cState[j] = next;
    const g = c.tanh ? activate(next, c.g) : sat16(shiftRescale(next, c.fc - c.fw));
    let y: number;
    if (c.highway) {
      const skip = highwayInput(c, j);
      y = skip + mulQ15(r, g - skip); // |g − x'| < 2^17: no overflow
    } else {
      y = mulQ15(r, g);
    }
    h[j] = satVec(h, shiftRescale(y, c.fw - c.fh));
  }
}
