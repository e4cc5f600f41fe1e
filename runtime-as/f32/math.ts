// Float32 math of the f32 scheme (AssemblyScript).
// Mirror: compiler/fixed/f32/math.ts — same operations in the same order, same results bit for
// bit (see there for the definitions and the edge cases). Only MVP f32 ops: + − × ÷, compare,
// abs, nearest, and reinterpret for 2^k. Never Mathf.exp: its results differ from the simulator's.
import { FACT } from './desc';

const EXP_HI: f32 = 88;
const EXP_LO: f32 = -87;
const LOG2E: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const T3: f32 = <f32>(-1.0 / 3.0);
const T5: f32 = <f32>(2.0 / 15.0);
const T7: f32 = <f32>(-17.0 / 315.0);
const T9: f32 = <f32>(62.0 / 2835.0);
const SQRTH: f32 = 0.707106781186547524;
const L0: f32 = 7.0376836292e-2;
const L1: f32 = -1.1514610310e-1;
const L2: f32 = 1.1676998740e-1;
const L3: f32 = -1.2420140846e-1;
const L4: f32 = 1.4249322787e-1;
const L5: f32 = -1.6668057665e-1;
const L6: f32 = 2.0000714765e-1;
const L7: f32 = -2.4999993993e-1;
const L8: f32 = 3.3333331174e-1;
const HALF: f32 = 0.5;
const ONE: f32 = 1;
const ZERO: f32 = 0;

// The functions below are branch-free (selects): the executed instructions are the same for every
// input, which rnnc's static op counts rely on. Their results equal the simulator's branching form.

export function expF32(input: f32): f32 {
  const nan = input != input;
  // NaN goes through the polynomial as 0 (i32 conversion of NaN would trap) and comes back at the end.
  let x = select<f32>(ZERO, input, nan);
  x = select<f32>(EXP_HI, x, x > EXP_HI);
  x = select<f32>(EXP_LO, x, x < EXP_LO);
  const k = nearest<f32>(x * LOG2E);
  let r = x - k * C1;
  r = r - k * C2;
  const z = r * r;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const y = p * z + r + ONE;
  return select<f32>(input, y * reinterpret<f32>((<i32>k + 127) << 23), nan);
}

export function logF32(x: f32): f32 {
  const special = <i32>(x != x) | <i32>(x == Infinity); // returned as they are
  const b = reinterpret<i32>(x);
  let e = <f32>((b >>> 23) - 126);
  let t = reinterpret<f32>((b & 0x007fffff) | 0x3f000000); // the mantissa m in [0.5, 1)
  const low = t < SQRTH;
  e = select<f32>(e - ONE, e, low);
  t = select<f32>(t + t - ONE, t - ONE, low);
  const z = t * t;
  let p = L0 * t + L1;
  p = p * t + L2;
  p = p * t + L3;
  p = p * t + L4;
  p = p * t + L5;
  p = p * t + L6;
  p = p * t + L7;
  p = p * t + L8;
  let y = p * t * z;
  y = y + e * C2;
  y = y + -HALF * z;
  return select<f32>(x, t + y + e * C1, special);
}

export function sigmoidF32(x: f32): f32 {
  return ONE / (ONE + expF32(-x));
}

export function tanhF32(x: f32): f32 {
  const a = abs<f32>(x);
  // |x| < 0.25: the odd polynomial; ±0 as it is (x + ±0 would give +0 for −0).
  const x2 = x * x;
  let p = x2 * T9 + T7;
  p = x2 * p + T5;
  p = x2 * p + T3;
  const small = select<f32>(x, x + x * x2 * p, a == ZERO);
  // Otherwise through exp.
  const e = expF32(<f32>-2 * a);
  const t = (ONE - e) / (ONE + e);
  return select<f32>(small, select<f32>(-t, t, x < ZERO), a < <f32>0.25);
}

/** The activation descriptor at `a` (FACT: kind, alpha, beta) applied to x. Codes: math.ts F32_ACT. */
export function activateF32(x: f32, a: usize): f32 {
  const kind = load<i32>(a + FACT.kind);
  const alpha = load<f32>(a + FACT.alpha);
  const beta = load<f32>(a + FACT.beta);
  switch (kind) {
    case 0: return x > ZERO ? x : ZERO; // Relu
    case 1: return tanhF32(x);
    case 2: return sigmoidF32(x);
    case 3: return alpha * x + beta; // Affine
    case 4: return x >= ZERO ? x : alpha * x; // LeakyRelu
    case 5: return x > alpha ? x : ZERO; // ThresholdedRelu
    case 6: return alpha * tanhF32(beta * x); // ScaledTanh
    case 7: { // HardSigmoid
      const v = alpha * x + beta;
      return v > ONE ? ONE : v < ZERO ? ZERO : v;
    }
    case 8: return x >= ZERO ? x : alpha * (expF32(x) - ONE); // Elu
    case 9: return x / (ONE + abs<f32>(x)); // Softsign
    default: return x; // 10: identity (dense heads without activation)
  }
}

/** ONNX clip on a pre-activation: [−c, c]; c = +Inf means none. NaN passes through. */
export function clipF32(x: f32, c: f32): f32 {
  return x > c ? c : x < -c ? -c : x;
}
