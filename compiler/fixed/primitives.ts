// Bit-exact TypeScript mirror of runtime-as/ops/primitives.ts (the simulator's integer math).
// Same names, same results. All values are int32 JS numbers unless stated otherwise.
// JS numbers do not wrap like i32.mul, so every product here is either provably below 2^53
// (one factor is at most 16 bits, or a power of two) or split into exact partial products.

export const I32_MIN = -2147483648;
export const I32_MAX = 2147483647;
const TWO_30 = 1073741824;
const TWO_31 = 2147483648;

function clamp32(x: number): number {
  return x < I32_MIN ? I32_MIN : x > I32_MAX ? I32_MAX : x;
}

/** Clamp an int32 to the int8 range [-128, 127]. */
export function sat8(x: number): number {
  return x < -128 ? -128 : x > 127 ? 127 : x;
}

/** Clamp an int32 to the int16 range [-32768, 32767]. */
export function sat16(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/** Clamp a 64-bit integer to i32. Accepts a bigint, or a number that is a safe integer. */
export function sat32FromI64(x: bigint | number): number {
  if (typeof x === 'bigint') return x < -2147483648n ? I32_MIN : x > 2147483647n ? I32_MAX : Number(x);
  return clamp32(x);
}

/** a + b saturated to i32 (exact: |a + b| < 2^32). */
export function satAdd32(a: number, b: number): number {
  return clamp32(a + b);
}

/** a - b saturated to i32. */
export function satSub32(a: number, b: number): number {
  return clamp32(a - b);
}

/** TFLite SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties away from zero. */
export function roundingDoublingHighMul(a: number, b: number): number {
  if (a === I32_MIN && b === I32_MIN) return I32_MAX;
  // TFLite: trunc((ab + nudge) / 2^31). For ab >= 0 that is floor((|ab| + 2^30) / 2^31);
  // for ab < 0 it is -floor((|ab| + 2^30 - 1) / 2^31). Work on magnitudes.
  const negative = a !== 0 && b !== 0 && (a < 0) !== (b < 0);
  const absA = Math.abs(a); // <= 2^31
  const absB = Math.abs(b);
  const bHi = Math.floor(absB / 65536); // <= 2^15
  const bLo = absB - bHi * 65536; // < 2^16
  const hi = absA * bHi; // <= 2^46: exact
  const lo = absA * bLo; // < 2^47: exact
  // |ab| = hi*2^16 + lo; write hi = q*2^15 + r so that |ab| = q*2^31 + (r*2^16 + lo).
  const q = Math.floor(hi / 32768);
  const r = hi - q * 32768;
  const rest = r * 65536 + lo + (negative ? TWO_30 - 1 : TWO_30); // < 2^48: exact
  const magnitude = q + Math.floor(rest / TWO_31);
  return (negative ? -magnitude : magnitude) | 0; // | 0 also turns -0 into 0
}

/** TFLite RoundingDivideByPOT: x / 2^e rounded half away from zero, 0 <= e <= 31. */
export function roundingShiftRight(x: number, e: number): number {
  const mask = ((1 << e) - 1) | 0; // e = 31: 0x7fffffff, as in i32 arithmetic
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> e) + (remainder > threshold ? 1 : 0)) | 0;
}

/** x * 2^e saturated to i32, 0 <= e <= 31 (scaling by a power of two is exact in doubles). */
export function saturatingShiftLeft(x: number, e: number): number {
  return clamp32(x * 2 ** e);
}

/**
 * Rescale x by multiplier * 2^(shift - 31), TFLite style; multiplier in [2^30, 2^31) or 0,
 * shift in [-31, 31]. Left shifts saturate before the multiply.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  if (shift > 0) return roundingDoublingHighMul(saturatingShiftLeft(x, shift), multiplier);
  return roundingShiftRight(roundingDoublingHighMul(x, multiplier), -shift);
}

/** Power-of-two rescale: shift >= 0 divides (rounded), shift < 0 multiplies (saturated). */
export function shiftRescale(x: number, shift: number): number {
  return shift >= 0 ? roundingShiftRight(x, shift) : saturatingShiftLeft(x, -shift);
}

/**
 * Compile time only: real ~= multiplier * 2^(shift - 31) with multiplier in [2^30, 2^31)
 * (TFLite QuantizeMultiplier). Reals too small for shift >= -31 become multiplier 0.
 */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (!Number.isFinite(real) || real < 0) throw new RangeError(`quantizeMultiplier: need a finite real >= 0, got ${real}`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  let m = real / 2 ** shift; // in [0.5, 1) up to log2 rounding; fixed up below
  while (m >= 1) { m /= 2; shift++; }
  while (m < 0.5) { m *= 2; shift--; }
  let multiplier = Math.round(m * TWO_31);
  if (multiplier === TWO_31) { multiplier = TWO_30; shift++; }
  if (shift > 31) throw new RangeError(`quantizeMultiplier: ${real} is too large (needs shift ${shift} > 31)`);
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier, shift };
}

// ---------------------------------------------------------------------------------------
// Matrix-vector kernels: out: [rows], w: row-major [rows][cols], x: [cols], bias: [rows] or
// null. out[r] = sat32(bias[r] + sum_c w[r*cols + c] * x[c]). `off` gives start offsets into
// each array (the AS versions take byte pointers instead).
// ---------------------------------------------------------------------------------------

export interface MatVecOffsets { out?: number; w?: number; x?: number; bias?: number }

type Ints = Int8Array | Int16Array | Int32Array;

function matVecExact(name: string, wrapsIfOverflow: boolean, out: Int32Array, w: Ints, x: Ints,
  bias: Int32Array | null, rows: number, cols: number, off: MatVecOffsets): void {
  // Products are at most 2^30 and the sum is kept exact as a double: needs cols * 2^30 < 2^53.
  if (cols > 1 << 22) throw new RangeError(`${name}: cols ${cols} exceeds 2^22`);
  const o = off.out ?? 0, wo = off.w ?? 0, xo = off.x ?? 0, bo = off.bias ?? 0;
  for (let r = 0; r < rows; r++) {
    let acc = bias ? bias[bo + r] : 0;
    const row = wo + r * cols;
    for (let c = 0; c < cols; c++) acc += w[row + c] * x[xo + c]; // <= 16 x 16 bits: exact
    if (wrapsIfOverflow && (acc < I32_MIN || acc > I32_MAX)) {
      // The AS kernel accumulates in i32 and would wrap here: the codegen broke its promise.
      throw new RangeError(`${name}: row ${r} accumulator ${acc} overflows i32 (precondition violated)`);
    }
    out[o + r] = clamp32(acc);
  }
}

/** int8 weights x int16 inputs; throws if the exact sum leaves i32 (the AS kernel would wrap). */
export function matVecI8xI16(out: Int32Array, w: Int8Array, x: Int16Array, bias: Int32Array | null,
  rows: number, cols: number, off: MatVecOffsets = {}): void {
  matVecExact('matVecI8xI16', true, out, w, x, bias, rows, cols, off);
}

/** int8 weights x int8 inputs; same precondition as matVecI8xI16. */
export function matVecI8xI8(out: Int32Array, w: Int8Array, x: Int8Array, bias: Int32Array | null,
  rows: number, cols: number, off: MatVecOffsets = {}): void {
  matVecExact('matVecI8xI8', true, out, w, x, bias, rows, cols, off);
}

/** int16 weights x int16 inputs; exact sum saturated to i32 (AS accumulates in i64). */
export function matVecI16xI16(out: Int32Array, w: Int16Array, x: Int16Array, bias: Int32Array | null,
  rows: number, cols: number, off: MatVecOffsets = {}): void {
  matVecExact('matVecI16xI16', false, out, w, x, bias, rows, cols, off);
}

/**
 * Largest |accumulator| any row can reach: max_r (biasMaxAbs + xMaxAbs * sum_c |W[r,c]|).
 * Pass xMaxAbs = 32768 (128 for int8) for the full input range. The int8 kernels are legal
 * when the result is <= I32_MAX.
 */
export function accumulatorBound(rowsW: Int8Array | Int16Array, cols: number, xMaxAbs: number,
  biasMaxAbs: number): number {
  if (cols <= 0 || rowsW.length % cols !== 0) throw new RangeError(`accumulatorBound: ${rowsW.length} weights is not a multiple of cols ${cols}`);
  let worst = 0;
  for (let row = 0; row < rowsW.length; row += cols) {
    let sumAbs = 0;
    for (let c = 0; c < cols; c++) sumAbs += Math.abs(rowsW[row + c]);
    worst = Math.max(worst, biasMaxAbs + xMaxAbs * sumAbs); // exact: < 2^53 for real sizes
  }
  return worst;
}
