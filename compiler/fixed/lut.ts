// Integer-only activations, TypeScript mirror of runtime-as/ops/lut.ts (bit-exact), plus the
// compile-time table builders and error measurement used to choose table sizes.
import {
  multiplyByQuantizedMultiplier, roundingShiftRight, satAdd32, sat16, shiftRescale,
} from './primitives.ts';

/**
 * Interpolated table lookup. q: int16 input (clamped to int16 first); table: N+1 int16 samples
 * of f over q in [-32768, 32768] starting at tableOffset (N = 2^log2N, 1 <= log2N <= 16).
 * y = T[i] + round((T[i+1] - T[i]) * frac / 2^k), k = 16 - log2N, ties away from zero.
 */
export function lutInterp(q: number, table: Int16Array, log2N: number, tableOffset = 0): number {
  const k = 16 - log2N;
  const u = sat16(q) + 32768;
  const i = tableOffset + (u >> k);
  const frac = u & ((1 << k) - 1);
  const t0 = table[i];
  return t0 + roundingShiftRight((table[i + 1] - t0) * frac, k); // < 2^16 * 2^15: exact
}

/** Round half away from zero (the integer kernels' rounding), then saturate to int16. */
function roundSat16(v: number): number {
  if (Number.isNaN(v)) throw new RangeError('buildLut: f returned NaN');
  const r = Math.sign(v) * Math.round(Math.abs(v));
  return r < -32768 ? -32768 : r > 32767 ? 32767 : r;
}

/**
 * Compile time: sample f at x_i = (-32768 + i * 2^(16 - log2N)) / 2^inFrac, i = 0..N, and
 * store round(f(x_i) * 2^outFrac) saturated to int16. Works for any f (Elu, Softplus, ...).
 */
export function buildLut(f: (x: number) => number, inFrac: number, outFrac: number, log2N: number): Int16Array {
  if (!Number.isInteger(log2N) || log2N < 1 || log2N > 16) throw new RangeError(`buildLut: log2N ${log2N} outside 1..16`);
  const n = 1 << log2N;
  const step = 65536 / n;
  const table = new Int16Array(n + 1);
  for (let i = 0; i <= n; i++) table[i] = roundSat16(f((-32768 + i * step) / 2 ** inFrac) * 2 ** outFrac);
  return table;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Sigmoid table, output Q(outFrac), default Q15 (1.0 saturates to 32767). */
export function sigmoidLut(inFrac: number, log2N: number, outFrac = 15): Int16Array {
  return buildLut(sigmoid, inFrac, outFrac, log2N);
}

/** tanh table, output Q(outFrac), default Q15. */
export function tanhLut(inFrac: number, log2N: number, outFrac = 15): Int16Array {
  return buildLut(Math.tanh, inFrac, outFrac, log2N);
}

/** Worst |lutInterp(q)/2^outFrac - f(q/2^inFrac)| over all 65536 int16 inputs, in real units. */
export function lutMaxError(f: (x: number) => number, inFrac: number, outFrac: number, log2N: number): number {
  const table = buildLut(f, inFrac, outFrac, log2N);
  let worst = 0;
  for (let q = -32768; q <= 32767; q++) {
    const err = Math.abs(lutInterp(q, table, log2N) / 2 ** outFrac - f(q / 2 ** inFrac));
    if (err > worst) worst = err;
  }
  return worst;
}

/**
 * A priori bound for lutMaxError when f stays inside the output range: linear interpolation
 * error h^2/8 * max|f''| (h = table step in real units), plus 1 LSB for a table entry (0.5 for
 * rounding, up to 1 where 1.0 saturates to 32767/32768) plus 0.5 LSB for the final rounding.
 */
export function lutErrorBound(maxAbsSecondDerivative: number, inFrac: number, outFrac: number, log2N: number): number {
  const h = 2 ** (16 - log2N) / 2 ** inFrac;
  return (h * h / 8) * maxAbsSecondDerivative + 1.5 / 2 ** outFrac;
}

// PLAN sigmoid (Amin, Curtis & Hayes-Gill 1997) for ax = |x| * 2^inFrac, 0 <= ax <= 5 * 2^inFrac.
// Returns Q15 in [16384, 32768]: slopes 1/4, 1/8, 1/32 are power-of-two rescales of ax.
function planPositive(ax: number, inFrac: number): number {
  if (ax >= 5 * 2 ** inFrac) return 32768;
  if (ax * 8 >= 19 * 2 ** inFrac) return shiftRescale(ax, inFrac - 10) + 27648; // x/32 + 0.84375
  if (ax >= 2 ** inFrac) return shiftRescale(ax, inFrac - 12) + 20480; // x/8 + 0.625
  return shiftRescale(ax, inFrac - 13) + 16384; // x/4 + 0.5
}

// Sigmoid in Q15 before the final clamp: [0, 32768]. sigma(-x) = 1 - sigma(x).
function sigmoidPwlRaw(q: number, inFrac: number): number {
  const limit = 5 * 2 ** inFrac; // equals AS `5 << inFrac` for inFrac <= 25
  const c = q < -limit ? -limit : q > limit ? limit : q;
  return c >= 0 ? planPositive(c, inFrac) : 32768 - planPositive(-c, inFrac);
}

/** PLAN sigmoid of q / 2^inFrac (0 <= inFrac <= 25) as Q15 in [0, 32767]; no table. */
export function sigmoidPwl(q: number, inFrac: number): number {
  const y = sigmoidPwlRaw(q, inFrac);
  return y > 32767 ? 32767 : y;
}

/** tanh(x) = 2 sigmoid(2x) - 1 as Q15 in [-32768, 32767], 1 <= inFrac <= 25; no table. */
export function tanhPwl(q: number, inFrac: number): number {
  const y = 2 * sigmoidPwlRaw(q, inFrac - 1) - 32768; // 2x: one fractional bit fewer
  return y > 32767 ? 32767 : y;
}

/** max(x, 0); the scale is unchanged. */
export function relu(x: number): number {
  return x > 0 ? x : 0;
}

/** x >= 0 ? x : alpha * x, alpha = alphaMultiplier * 2^(alphaShift - 31). */
export function leakyRelu(x: number, alphaMultiplier: number, alphaShift: number): number {
  return x >= 0 ? x : multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift);
}

/** x > theta ? x : 0, theta pre-quantized to the scale of x. */
export function thresholdedRelu(x: number, thetaQ: number): number {
  return x > thetaQ ? x : 0;
}

/**
 * alpha * x + beta, saturated. The multiplier folds alpha and the input->output scale change;
 * it may be negated for a negative alpha. betaQ is beta in the output scale.
 */
export function affine(x: number, alphaMultiplier: number, alphaShift: number, betaQ: number): number {
  return satAdd32(multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift), betaQ);
}

/** clip(alpha * x + beta, 0, 1) with oneQ = 1.0 in the output scale (e.g. 32767 for Q15). */
export function hardSigmoid(x: number, alphaMultiplier: number, alphaShift: number, betaQ: number, oneQ: number): number {
  const y = affine(x, alphaMultiplier, alphaShift, betaQ);
  return y < 0 ? 0 : y > oneQ ? oneQ : y;
}
