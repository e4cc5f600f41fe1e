/**
 * Seeded random pieces of fixed-point cells for the AssemblyScript-vs-TypeScript cell tests
 * (tests/fixed-cells.test.ts, tests/fixed-sru-qrnn-cells.test.ts): weights in full range,
 * per-row rescales aimed at mid-range outputs, activation tables or their PWL forms.
 */
import type { QAct, QMat } from '../../compiler/fixed/cells/common.ts';
import { sigmoidLut, tanhLut } from '../../compiler/fixed/lut.ts';
import { accumulatorBound } from '../../compiler/fixed/primitives.ts';

/** A V/W instantiation: stored vector and weight element types, and a plausible h format range. */
export interface Scheme { name: string; V: typeof Int8Array | typeof Int16Array; W: typeof Int8Array | typeof Int16Array; fh: [number, number] }
export const SCHEMES: Scheme[] = [
  { name: 'i16_i8', V: Int16Array, W: Int8Array, fh: [10, 15] }, // int8x16
  { name: 'i8_i8', V: Int8Array, W: Int8Array, fh: [4, 7] }, // int8
  { name: 'i16_i16', V: Int16Array, W: Int16Array, fh: [10, 15] }, // int16
];

export const NO_MAT: QMat = { rows: 0, cols: 0, w: new Int8Array(0), bias: new Int32Array(0), mult: new Int32Array(0), shift: new Int8Array(0), accShift: 0 };
export const fullRange = (a: Int8Array | Int16Array): [number, number] => (a instanceof Int8Array ? [-128, 127] : [-32768, 32767]);

export function randomCells(seed: number) {
  const rand = () => { // mulberry32: seeded so failures reproduce
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[randInt(0, xs.length - 1)];
  function randomFill<T extends Int8Array | Int16Array>(a: T): T {
    const [lo, hi] = fullRange(a);
    for (let i = 0; i < a.length; i++) a[i] = randInt(lo, hi);
    return a;
  }
  /** A per-row rescale (mult, shift): shift-only (mult 0, shift 4..20) or TFLite (mult in [2^30, 2^31), shift -20..2).
   * Aimed at |out| ≈ 2^13 from a typical |acc| of 2^logAcc, with jitter, so gates are not all saturated. */
  function randRescale(logAcc: number): [number, number] {
    const jitter = randInt(-3, 3);
    if (rand() < 0.5) return [0, Math.min(20, Math.max(4, Math.round(logAcc - 13) + jitter))];
    return [randInt(2 ** 30, 2 ** 31 - 1), Math.min(2, Math.max(-20, Math.round(13 - logAcc) + jitter))];
  }
  /** [rows, cols] weights in full range; biases ±2^20 (int8 W) or ±2^28 (int16 W). */
  function randMat(s: Scheme, rows: number, cols: number): QMat {
    const w = randomFill(new s.W(rows * cols));
    const wide = w instanceof Int16Array;
    const vMax = s.V === Int8Array ? 128 : 32768;
    // int16 W: accShift from the accumulator bound so the shifted sum fits i32, plus a spare 0..2
    // bits, or sometimes many more: then the row rescale is near 1× and the 64-bit rounding shows.
    const spare = rand() < 0.25 ? randInt(3, 16) : randInt(0, 2);
    const accShift = wide ? Math.max(0, Math.ceil(Math.log2(accumulatorBound(w, cols, vMax, 0))) - 30) + spare : 0;
    const bMax = wide ? 2 ** 28 : 2 ** 20;
    const typical = Math.sqrt(cols) * (wide ? 18919 : 74) * (vMax === 128 ? 74 : 18919) / 2 ** accShift; // rms of Σ w·v
    const mult = new Int32Array(rows), shift = new Int8Array(rows);
    for (let r = 0; r < rows; r++) [mult[r], shift[r]] = randRescale(Math.log2(typical));
    const bias = Int32Array.from({ length: rows }, () => randInt(-bMax, bMax));
    return { rows, cols, w, bias, mult, shift, accShift };
  }
  /** Sigmoid (gates) or tanh: a LUT (N = 256 or 32) or, one time in three, the PWL form. */
  function randAct(fn: 'sigmoid' | 'tanh', inFrac: number, outFrac: number): QAct {
    if (rand() < 1 / 3) return { kind: fn === 'sigmoid' ? 1 : 2, table: new Int16Array(0), log2N: 0, inFrac, outFrac };
    const log2N = pick([8, 5]);
    return { kind: 0, table: (fn === 'sigmoid' ? sigmoidLut : tanhLut)(inFrac, log2N, outFrac), log2N, inFrac, outFrac };
  }
  return { rand, randInt, pick, randomFill, randRescale, randMat, randAct };
}
