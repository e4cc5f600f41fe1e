/**
 * @fileoverview The float boundary of a fixed-point module, bit-exact with the module's own
 * conversion: q = clamp(roundHalfEven(x · 2^frac)) (f32.nearest), NaN → 0; and back,
 * x = q · 2^−frac (exact in float32).
 */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantizeInput(x: number, frac: number, bits: number): number {
  const lim = 2 ** (bits - 1);
  const v = Math.fround(x) * 2 ** frac;
  if (Number.isNaN(v)) return 0;
  const r = roundHalfEven(v);
  return r < -lim ? -lim : r > lim - 1 ? lim - 1 : r;
}

export function dequantize(q: number, frac: number): number {
  return Math.fround(q * 2 ** -frac);
}
