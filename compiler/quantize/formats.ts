/**
 * @fileoverview Number formats and weight quantization. Vectors use power-of-two formats
 * (q / 2^frac); weight rows get their own scale, folded with the column formats and the target
 * format into one rescale per row: a multiplier and shift (TFLite style) or, in shift mode, a
 * power-of-two scale so the rescale is a single rounding shift.
 */
import { quantizeMultiplier } from '../fixed/primitives.ts';
import type { QMat } from '../fixed/cells/common.ts';
import { fail } from '../errors.ts';

export type RescaleMode = 'shift' | 'multiplier';

/** Largest frac such that maxAbs fits in a signed `bits`-bit value (maxAbs = 1 maps to 2^(bits−1) − 1). */
export function fracFor(maxAbs: number, bits: number): number {
  const m = Math.max(maxAbs, 2 ** -(2 * bits));
  return Math.min(2 * bits, Math.max(0, bits - 1 - Math.ceil(Math.log2(m))));
}

export function quantizeValue(x: number, frac: number, bits: number): number {
  const q = Math.round(x * 2 ** frac);
  const lim = 2 ** (bits - 1);
  return Math.min(lim - 1, Math.max(-lim, q));
}

export function quantizeVector(values: ArrayLike<number>, frac: number, bits: number): Int8Array | Int16Array {
  const out = bits === 8 ? new Int8Array(values.length) : new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i], frac, bits);
  return out;
}

export interface MatSpec {
  /** Real weights [rows, cols] row-major. */
  W: Float32Array | Float64Array;
  /** Real bias [rows] (already the sum of all bias terms). */
  b: ArrayLike<number>;
  rows: number;
  cols: number;
  /** Format of each input column. */
  colFrac: number[];
  /** Target format of each row's output. */
  rowFrac: number[];
  weightBits: 8 | 16;
  /** Bits of the vector the matrix multiplies (bounds the accumulator). */
  vecBits: 8 | 16;
  mode: RescaleMode;
  what: string;
}

export function quantizeMatrix(s: MatSpec): QMat {
  const { rows, cols, weightBits } = s;
  const qmax = 2 ** (weightBits - 1) - 1;
  const w = weightBits === 8 ? new Int8Array(rows * cols) : new Int16Array(rows * cols);
  const scales = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(s.W[r * cols + c] * 2 ** -s.colFrac[c]));
    if (maxAbs === 0) maxAbs = Math.max(Math.abs(s.b[r]) * 2 ** -20, 2 ** -40); // bias-only row: keep the bias precise
    let scale = maxAbs / qmax;
    if (s.mode === 'shift') scale = 2 ** Math.ceil(Math.log2(scale));
    scales[r] = scale;
    for (let c = 0; c < cols; c++) {
      w[r * cols + c] = Math.max(-qmax, Math.min(qmax, Math.round((s.W[r * cols + c] * 2 ** -s.colFrac[c]) / scale)));
    }
  }
  // Accumulator bound: int8 weights accumulate in i32 (must provably fit); int16 in i64, then shift.
  const vmax = 2 ** (s.vecBits - 1);
  let bound = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.abs(w[r * cols + c]);
    bound = Math.max(bound, sum * vmax);
  }
  const accShift = weightBits === 16 ? Math.max(0, Math.ceil(Math.log2(bound + 1)) - 30) : 0;
  const bias = new Int32Array(rows);
  const mult = new Int32Array(rows);
  const shift = new Int8Array(rows); // shifts are within ±31: one byte a row
  for (let r = 0; r < rows; r++) {
    const unit = scales[r] * 2 ** accShift; // real value of one accumulator step
    const bq = Math.round(s.b[r] / unit);
    if (weightBits === 8 && Math.abs(bq) + bound > 2 ** 31 - 1) {
      fail(`${s.what}: row ${r} could overflow the 32-bit accumulator (bias ${s.b[r]} is too large relative to its weights); use --quant int16`);
    }
    bias[r] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, bq));
    const real = unit * 2 ** s.rowFrac[r];
    if (s.mode === 'shift') {
      mult[r] = 0;
      shift[r] = Math.max(-31, Math.min(31, -Math.round(Math.log2(real))));
    } else {
      const q = quantizeMultiplier(real);
      // A multiplier too small to represent (0) would read as shift mode: use the largest shift instead.
      [mult[r], shift[r]] = q.multiplier === 0 ? [0, 31] : [q.multiplier, q.shift];
    }
  }
  // Shift mode needs no multipliers at all: an empty array (pointer 0 in the module) saves 4 bytes a row.
  return { rows, cols, w, bias, mult: mult.every((m) => m === 0) ? new Int32Array(0) : mult, shift, accShift };
}
