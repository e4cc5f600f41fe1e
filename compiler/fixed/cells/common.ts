/**
 * @fileoverview Shared integer steps of the fixed-point cells (TypeScript, the simulator). The
 * AssemblyScript cells in runtime-as/cells mirror these bit for bit; the field order of each
 * descriptor is the memory layout the AS cells read (see ./layout.ts).
 *
 * Number formats: a vector element q with `frac` bits means q / 2^frac. Weight rows carry
 * their own scale, folded with the input formats into a per-row rescale (mult, shift) that
 * maps the int32 accumulator straight to the target format (a gate's pre-activation format).
 */
import { lutInterp, sigmoidPwl, tanhPwl } from '../lut.ts';
import {
  I32_MAX, I32_MIN, multiplyByQuantizedMultiplier, sat16, sat32FromI64, sat8, satAdd32, shiftRescale,
} from '../primitives.ts';

/** Stored vectors: int16 (int8x16, int16 schemes) or int8 (int8 scheme). */
export type Vec = Int8Array | Int16Array;

/** A weight matrix with per-row rescale. acc_r = bias_r + Σ_c w[r,c]·v[c]; out_r = rescale(acc_r). */
export interface QMat {
  rows: number;
  cols: number;
  /** [rows, cols] row-major; Int16Array means int16 weights with a 64-bit accumulator. */
  w: Int8Array | Int16Array;
  bias: Int32Array;
  /** Per row: mult = 0 → shiftRescale(acc, shift); else multiplyByQuantizedMultiplier(acc, mult, shift).
   * Empty when every row is shift-only (--rescale shift): the module stores no multipliers. */
  mult: Int32Array;
  shift: Int8Array; // within ±31
  /** int16 weights only: the 64-bit sum is rounding-shifted right by this before bias and rescale. */
  accShift: number;
}

/** An activation: int16 in Q(inFrac) → int16 in Q(outFrac). kind 0 = table, 1 = sigmoid PWL, 2 = tanh PWL. */
export interface QAct {
  kind: number;
  table: Int16Array;
  log2N: number;
  inFrac: number;
  outFrac: number;
}

export const ACT_LUT = 0, ACT_SIGMOID_PWL = 1, ACT_TANH_PWL = 2;

export function satVec(v: Vec, x: number): number {
  return v instanceof Int8Array ? sat8(x) : sat16(x);
}

export function rescale(acc: number, mult: number, shift: number): number {
  return mult === 0 ? shiftRescale(acc, shift) : multiplyByQuantizedMultiplier(acc, mult, shift);
}

/** (x + 2^(k−1)) >> k on a 64-bit value, k >= 0 (round half up). Exact here for |x| < 2^52. */
export function roundingShiftRight64(x: number, k: number): number {
  return k === 0 ? x : Math.floor((x + 2 ** (k - 1)) / 2 ** k);
}

/**
 * out[r] for rows [row0, row0+count) of m over vector v (cols elements from vOff): rescaled
 * accumulators (int32, not yet saturated to 16 bits).
 */
export function matRows(out: Int32Array, m: QMat, v: Vec, vOff: number, row0: number, count: number): void {
  const { w, cols } = m;
  for (let r = row0; r < row0 + count; r++) {
    let sum = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) sum += w[base + c] * v[vOff + c]; // |w·v| <= 2^30, cols < 2^22: exact
    let acc: number;
    if (w instanceof Int16Array) {
      acc = satAdd32(sat32FromI64(roundingShiftRight64(sum, m.accShift)), m.bias[r]);
    } else {
      acc = sum + m.bias[r];
      // The AS kernel accumulates in i32: the quantizer must have proven this cannot overflow.
      if (acc < I32_MIN || acc > I32_MAX) throw new RangeError(`int8 accumulator overflow in row ${r}`);
    }
    out[r - row0] = rescale(acc, m.mult.length ? m.mult[r] : 0, m.shift[r]);
  }
}

export function activate(q: number, a: QAct): number {
  if (a.kind === ACT_LUT) return lutInterp(q, a.table, a.log2N);
  const y = a.kind === ACT_SIGMOID_PWL ? sigmoidPwl(q, a.inFrac) : tanhPwl(q, a.inFrac);
  return sat16(shiftRescale(y, 15 - a.outFrac));
}

/** Pre-activation to int16, then the ONNX clip (clipQ = 0 means none). */
export function preActivation(pre32: number, clipQ: number): number {
  const q = sat16(pre32);
  return clipQ > 0 ? Math.min(clipQ, Math.max(-clipQ, q)) : q;
}

/** (gate·b + 2^14) >> 15 in 64 bits, saturated to int32: a Q15 gate value times any int32. */
export function mulQ15(gate: number, b: number): number {
  return sat32FromI64(Math.floor((gate * b + 16384) / 32768)); // |gate·b| < 2^47: exact
}
