/**
 * @fileoverview Float32 math of the f32 scheme (simulator), the specification that
 * runtime-as/f32/math.ts mirrors bit for bit. Every operation is one IEEE f32 + − × ÷ (here:
 * Math.fround of the exact-or-double result, which rounds the same way: double rounding is
 * innocuous for these four operations), a comparison, |x| or the 2^k bit pattern, in the same
 * order as the AssemblyScript. No Math.exp/Math.tanh (JS) or Mathf.exp (AS): they differ.
 *
 * expF32(x), Cephes' expf: clamp x to [−87, 88]; k = nearest(x·log2e) (round half to even, as
 * f32.nearest); r = x − k·C1 − k·C2 with ln2 = C1 + C2, C1 = 355/512 (k·C1 is exact);
 * e^r ≈ 1 + r + r²·P(r) (degree 5, Horner); times 2^k built as the bits (k + 127) << 23.
 * Defined results: NaN → NaN; x ≥ 88 → e^88 ≈ 1.65e38 (never +Inf); x ≤ −87 → e^−87 ≈ 1.65e−38
 * (never 0); ±0 → 1. Max relative error against Math.exp: see tests/f32-scheme.test.ts.
 *
 * sigmoidF32(x) = 1 / (1 + expF32(−x)): NaN → NaN, ±Inf → 1 and ≈ 6e−39.
 * tanhF32(x): ±0 → ±0; |x| < 0.25: x + x·x²·(c3 + x²·(c5 + x²·(c7 + x²·c9))) (Taylor, keeps the
 * relative accuracy of small x); else sign(x)·(1 − e)/(1 + e), e = expF32(−2|x|). NaN → NaN, ±Inf → ±1.
 *
 * logF32(x), Cephes' logf, for the log-softmax head (x = Σ exp ≥ 1): x = m·2^e with m from the
 * bits in [√½, √2); t = m − 1; ln x ≈ t − t²/2 + t³·Q(t) (degree 8, Horner) + e·C2 + e·C1.
 * Defined for normal x > 0; NaN and +Inf pass through. Max relative error: tests/f32-scheme.test.ts.
 */
const f = Math.fround;

export const EXP_HI = f(88), EXP_LO = f(-87);
const LOG2E = f(1.44269504088896341), C1 = f(0.693359375), C2 = f(-2.12194440e-4);
const P0 = f(1.9875691500e-4), P1 = f(1.3981999507e-3), P2 = f(8.3334519073e-3);
const P3 = f(4.1665795894e-2), P4 = f(1.6666665459e-1), P5 = f(5.0000001201e-1);
const T3 = f(-1 / 3), T5 = f(2 / 15), T7 = f(-17 / 315), T9 = f(62 / 2835);
const SQRTH = f(0.707106781186547524);
const L = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f);

const bits = new Int32Array(1), asFloat = new Float32Array(bits.buffer);

/** f32.nearest: round half to even (the argument is an f32 value). */
export function nearestF32(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function expF32(x: number): number {
  if (x !== x) return x;
  x = x > EXP_HI ? EXP_HI : x < EXP_LO ? EXP_LO : x;
  const k = nearestF32(f(x * LOG2E));
  let r = f(x - f(k * C1));
  r = f(r - f(k * C2));
  const z = f(r * r);
  let p = f(f(P0 * r) + P1);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P3);
  p = f(f(p * r) + P4);
  p = f(f(p * r) + P5);
  const y = f(f(f(p * z) + r) + 1);
  bits[0] = (k + 127) << 23;
  return f(y * asFloat[0]);
}

export function logF32(x: number): number {
  if (x !== x || x === Infinity) return x;
  asFloat[0] = x;
  let e = (bits[0] >>> 23) - 126;
  bits[0] = (bits[0] & 0x007fffff) | 0x3f000000; // the mantissa m in [0.5, 1)
  let t = asFloat[0];
  if (t < SQRTH) {
    e -= 1;
    t = f(f(t + t) - 1);
  } else {
    t = f(t - 1);
  }
  const z = f(t * t);
  let p = L[0];
  for (let i = 1; i < L.length; i++) p = f(f(p * t) + L[i]);
  let y = f(f(p * t) * z);
  y = f(y + f(e * C2));
  y = f(y + f(-0.5 * z));
  return f(f(t + y) + f(e * C1));
}

export function sigmoidF32(x: number): number {
  return f(1 / f(1 + expF32(-x)));
}

export function tanhF32(x: number): number {
  const a = Math.abs(x);
  if (a < 0.25) {
    if (a === 0) return x; // ±0 (x + ±0 would give +0 for −0)
    const x2 = f(x * x);
    let p = f(f(x2 * T9) + T7);
    p = f(f(x2 * p) + T5);
    p = f(f(x2 * p) + T3);
    return f(x + f(f(x * x2) * p));
  }
  const e = expF32(f(-2 * a));
  const t = f(f(1 - e) / f(1 + e));
  return x < 0 ? -t : t;
}

/** ONNX activation codes of the f32 cells (descriptor field `kind`); IDENTITY is for dense heads. */
export const F32_ACT = {
  Relu: 0, Tanh: 1, Sigmoid: 2, Affine: 3, LeakyRelu: 4, ThresholdedRelu: 5, ScaledTanh: 6,
  HardSigmoid: 7, Elu: 8, Softsign: 9, Identity: 10,
} as const;

/** An activation with its alpha/beta (already f32 values). */
export interface F32Act {
  kind: number;
  alpha: number;
  beta: number;
}

export function activateF32(x: number, a: F32Act): number {
  switch (a.kind) {
    case F32_ACT.Relu: return x > 0 ? x : 0;
    case F32_ACT.Tanh: return tanhF32(x);
    case F32_ACT.Sigmoid: return sigmoidF32(x);
    case F32_ACT.Affine: return f(f(a.alpha * x) + a.beta);
    case F32_ACT.LeakyRelu: return x >= 0 ? x : f(a.alpha * x);
    case F32_ACT.ThresholdedRelu: return x > a.alpha ? x : 0;
    case F32_ACT.ScaledTanh: return f(a.alpha * tanhF32(f(a.beta * x)));
    case F32_ACT.HardSigmoid: {
      const v = f(f(a.alpha * x) + a.beta);
      return v > 1 ? 1 : v < 0 ? 0 : v;
    }
    case F32_ACT.Elu: return x >= 0 ? x : f(a.alpha * f(expF32(x) - 1));
    case F32_ACT.Softsign: return f(x / f(1 + Math.abs(x)));
    default: return x;
  }
}

/** ONNX clip on a pre-activation: [−c, c]; c = +Inf means none. NaN passes through. */
export function clipF32(x: number, c: number): number {
  return x > c ? c : x < -c ? -c : x;
}
