/**
 * @fileoverview The f32 scheme's SRU and QRNN cells (simulator), the reference cells'
 * equations (compiler/reference/cells/{sru,qrnn}.ts) in float32. runtime-as/f32/sru-qrnn.ts
 * mirrors them bit for bit, as ./cells.ts's cells: every value an f32, every operation one
 * rounded f32 op, in the same order. Descriptor layouts: ../cells/layout.ts (SRU_F32, QRNN_F32).
 *
 *   SRU:  acc = U·x + [0 | b_f | b_r | 0] (rows x̃, f, r, highway; bias first, columns in order)
 *         f = σ(acc_f + v_f·C), r = σ(acc_r + v_r·C)       (both read C before the update)
 *         C' = f·C + (1 − f)·x̃;  g = tanh(C') or C'
 *         h = r·g + (1 − r)·x'  (x' = acc_highway for k = 4, scale_x·x[hwOff + j] for k = 3);  h = r·g without highway
 *   QRNN: v = [x_t; x_{t−1}] (x_{t−1} is state, zero after reset); acc = W·v + b (rows z, f, o)
 *         z = tanh(acc_z), f = σ(acc_f);  C' = f·C + (1 − f)·z;  h = σ(acc_o)·C' (fo) or C' (f)
 */
import { matRowsF32, type F32Mat } from './cells.ts';
import { sigmoidF32, tanhF32 } from './math.ts';

const f = Math.fround;

export interface SruF32Cell {
  I: number;
  H: number;
  k: number;
  tanh: boolean;
  highway: boolean;
  /** k = 3 highway: the input column where this direction's H-slice starts (d·H). */
  hwOff: number;
  U: F32Mat; // [k·H, I]
  peep: Float32Array; // [2H] v_f, v_r
  /** f32; read for the k = 3 highway only. */
  scaleX: number;
  h: Float32Array; // [H] output
  cState: Float32Array; // [H] state
  v: Float32Array; // [I]
  acc: Float32Array; // [k·H]
}

export interface QrnnF32Cell {
  I: number;
  H: number;
  window: number;
  fo: boolean;
  gates: F32Mat; // [G·H, window·I] over [x_t; x_{t−1}]
  h: Float32Array; // [H] output
  cState: Float32Array; // [H] state
  xPrev: Float32Array; // [I] state (window 2) or empty
  v: Float32Array; // [window·I]
  acc: Float32Array; // [G·H]
}

const CAND = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

export function sruStepF32(c: SruF32Cell): void {
  const { H, h, acc, cState, peep } = c;
  matRowsF32(acc, c.U, c.v, 0, 0, c.k * H);
  for (let j = 0; j < H; j++) {
    const prev = cState[j];
    const fg = sigmoidF32(f(acc[FORGET * H + j] + f(peep[j] * prev)));
    const r = sigmoidF32(f(acc[RESET * H + j] + f(peep[H + j] * prev)));
    const next = f(f(fg * prev) + f(f(1 - fg) * acc[CAND * H + j]));
    cState[j] = next;
    const g = c.tanh ? tanhF32(next) : next;
    if (c.highway) {
      const skip = c.k === 4 ? acc[HIGHWAY * H + j] : f(c.scaleX * c.v[c.hwOff + j]);
      h[j] = f(f(r * g) + f(f(1 - r) * skip));
    } else {
      h[j] = f(r * g);
    }
  }
}

export function qrnnStepF32(c: QrnnF32Cell): void {
  const { I, H, h, v, acc, cState, xPrev } = c;
  const twoTaps = c.window === 2;
  if (twoTaps) v.set(xPrev, I);
  matRowsF32(acc, c.gates, v, 0, 0, (c.fo ? 3 : 2) * H);
  if (twoTaps) xPrev.set(v.subarray(0, I));
  for (let j = 0; j < H; j++) {
    const z = tanhF32(acc[j]), fg = sigmoidF32(acc[H + j]);
    const next = f(f(fg * cState[j]) + f(f(1 - fg) * z));
    cState[j] = next;
    h[j] = c.fo ? f(sigmoidF32(acc[2 * H + j]) * next) : next;
  }
}
