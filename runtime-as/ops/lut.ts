// Integer-only activations (AssemblyScript): table lookup with linear interpolation, a
// table-free piecewise-linear sigmoid/tanh, and the simple ONNX activations.
// Mirror: compiler/fixed/lut.ts — same names, same results bit for bit.
import {
  multiplyByQuantizedMultiplier, roundingShiftRight, satAdd32, sat16, shiftRescale,
} from './primitives';

/**
 * Interpolated table lookup. q: int16 input (clamped to int16 first); table: byte pointer to
 * N+1 int16 samples of f over q in [-32768, 32768] (N = 2^log2N, 1 <= log2N <= 16).
 * y = T[i] + round((T[i+1] - T[i]) * frac / 2^k), k = 16 - log2N, ties away from zero.
 */
export function lutInterp(q: i32, table: usize, log2N: i32): i32 {
  const k = 16 - log2N;
  const u = sat16(q) + 32768; // 0..65535
  const i = u >> k;
  const frac = u & ((1 << k) - 1);
  const p = table + (<usize>i << 1);
  const t0 = <i32>load<i16>(p);
  const t1 = <i32>load<i16>(p, 2);
  // |t1 - t0| < 2^16 and frac < 2^15, so the product fits i32.
  return t0 + roundingShiftRight((t1 - t0) * frac, k);
}

// PLAN sigmoid (Amin, Curtis & Hayes-Gill 1997) for ax = |x| * 2^inFrac, 0 <= ax <= 5 * 2^inFrac.
// Returns Q15 in [16384, 32768]: slopes 1/4, 1/8, 1/32 are power-of-two rescales of ax.
// The PWL functions are branch-free: every segment is computed and one selected, so the executed
// instructions are the same for every input (rnnc's static op counts and constant-time steps).
function planPositive(ax: i32, inFrac: i32): i32 {
  const near = shiftRescale(ax, inFrac - 13) + 16384; // x/4 + 0.5
  const mid = shiftRescale(ax, inFrac - 12) + 20480; // x/8 + 0.625
  const far = shiftRescale(ax, inFrac - 10) + 27648; // x/32 + 0.84375
  let y = select<i32>(mid, near, ax >= 1 << inFrac);
  y = select<i32>(far, y, (ax << 3) >= 19 << inFrac);
  return select<i32>(32768, y, ax >= 5 << inFrac);
}

function sigmoidPwlRaw(q: i32, inFrac: i32): i32 {
  const limit = 5 << inFrac; // beyond |x| = 5 PLAN is flat; clamping first avoids |INT32_MIN|
  let c = select<i32>(-limit, q, q < -limit);
  c = select<i32>(limit, c, c > limit);
  const p = planPositive(select<i32>(c, -c, c >= 0), inFrac);
  return select<i32>(p, 32768 - p, c >= 0);
}

/** PLAN sigmoid of q / 2^inFrac (0 <= inFrac <= 25) as Q15 in [0, 32767]; no table. */
export function sigmoidPwl(q: i32, inFrac: i32): i32 {
  const y = sigmoidPwlRaw(q, inFrac);
  return y > 32767 ? 32767 : y;
}

/** tanh(x) = 2 sigmoid(2x) - 1 as Q15 in [-32768, 32767], 1 <= inFrac <= 25; no table. */
export function tanhPwl(q: i32, inFrac: i32): i32 {
  // 2x with the same integer q is simply one fractional bit fewer.
  const y = 2 * sigmoidPwlRaw(q, inFrac - 1) - 32768;
  return y > 32767 ? 32767 : y;
}

/** max(x, 0); the scale is unchanged. */
export function relu(x: i32): i32 {
  return x > 0 ? x : 0;
}

/** x >= 0 ? x : alpha * x, alpha = alphaMultiplier * 2^(alphaShift - 31). */
export function leakyRelu(x: i32, alphaMultiplier: i32, alphaShift: i32): i32 {
  return x >= 0 ? x : multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift);
}

/** x > theta ? x : 0, theta pre-quantized to the scale of x. */
export function thresholdedRelu(x: i32, thetaQ: i32): i32 {
  return x > thetaQ ? x : 0;
}

/**
 * alpha * x + beta, saturated. The multiplier folds alpha and the input->output scale change;
 * it may be negated for a negative alpha. betaQ is beta in the output scale.
 */
export function affine(x: i32, alphaMultiplier: i32, alphaShift: i32, betaQ: i32): i32 {
  return satAdd32(multiplyByQuantizedMultiplier(x, alphaMultiplier, alphaShift), betaQ);
}

/** clip(alpha * x + beta, 0, 1) with oneQ = 1.0 in the output scale (e.g. 32767 for Q15). */
export function hardSigmoid(x: i32, alphaMultiplier: i32, alphaShift: i32, betaQ: i32, oneQ: i32): i32 {
  const y = affine(x, alphaMultiplier, alphaShift, betaQ);
  return y < 0 ? 0 : y > oneQ ? oneQ : y;
}
