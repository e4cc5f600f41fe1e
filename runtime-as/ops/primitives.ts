// Fixed-point integer primitives for generated kernels (AssemblyScript).
// Mirror: compiler/fixed/primitives.ts — same names, same results bit for bit.
// Everything here is pure and compiles to MVP wasm: no sign-extension, bulk-memory or
// non-trapping float ops, so it runs on the oldest microcontroller runtimes.

const I32_MIN: i32 = -2147483648;
const I32_MAX: i32 = 2147483647;
const TWO_POW_31: i64 = 2147483648;

/** Clamp an i32 to the int8 range [-128, 127]. */
export function sat8(x: i32): i32 {
  return x < -128 ? -128 : x > 127 ? 127 : x;
}

/** Clamp an i32 to the int16 range [-32768, 32767]. */
export function sat16(x: i32): i32 {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/** Clamp an i64 to the i32 range and narrow it. */
export function sat32FromI64(x: i64): i32 {
  // Selects, not branches (binaryen turns the nested ternary into an if): the executed path
  // must not depend on data, which rnnc's static op counts rely on.
  const high = select<i64>(<i64>I32_MAX, x, x > <i64>I32_MAX);
  return <i32>select<i64>(<i64>I32_MIN, high, high < <i64>I32_MIN);
}

/** a + b saturated to i32 (the sum is exact in i64). */
export function satAdd32(a: i32, b: i32): i32 {
  return sat32FromI64(<i64>a + <i64>b);
}

/** a - b saturated to i32 (the difference is exact in i64). */
export function satSub32(a: i32, b: i32): i32 {
  return sat32FromI64(<i64>a - <i64>b);
}

/** TFLite SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties away from zero. */
export function roundingDoublingHighMul(a: i32, b: i32): i32 {
  const ab: i64 = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
  // Division by 2^31 truncating toward zero (TFLite's rounding with the nudge), without i64.div_s:
  // negative values get 2^31 − 1 added before the arithmetic shift. A 64-bit divide is a
  // library call on 32-bit cores (wasm2c/AOT) and a slow handler in interpreters.
  const x = ab + nudge;
  const q = <i32>((x + ((x >> 63) & (TWO_POW_31 - 1))) >> 31);
  // The only product whose doubled high half overflows i32. A select, not a branch: the
  // executed path is the same for every input (rnnc's static op counts rely on it).
  return select<i32>(I32_MAX, q, <i32>(a == I32_MIN) & <i32>(b == I32_MIN));
}

/** TFLite RoundingDivideByPOT: x / 2^e rounded half away from zero, 0 <= e <= 31. */
export function roundingShiftRight(x: i32, e: i32): i32 {
  // For e = 31, (1 << 31) - 1 wraps to 0x7fffffff: exactly the mask wanted.
  const mask: i32 = (1 << e) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + <i32>(x < 0);
  return (x >> e) + <i32>(remainder > threshold);
}

/** x * 2^e saturated to i32, 0 <= e <= 31 (exact in i64: |x| * 2^31 < 2^62). */
export function saturatingShiftLeft(x: i32, e: i32): i32 {
  return sat32FromI64(<i64>x << <i64>e);
}

/**
 * Rescale x by multiplier * 2^(shift - 31), TFLite style; multiplier in [2^30, 2^31) or 0,
 * shift in [-31, 31]. Left shifts saturate before the multiply.
 */
export function multiplyByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  if (shift > 0) return roundingDoublingHighMul(saturatingShiftLeft(x, shift), multiplier);
  return roundingShiftRight(roundingDoublingHighMul(x, multiplier), -shift);
}

/** Power-of-two rescale: shift >= 0 divides (rounded), shift < 0 multiplies (saturated). */
export function shiftRescale(x: i32, shift: i32): i32 {
  return shift >= 0 ? roundingShiftRight(x, shift) : saturatingShiftLeft(x, -shift);
}

// ---------------------------------------------------------------------------------------
// Matrix-vector kernels. Pointers are byte addresses into linear memory:
//   out: i32[rows], w: row-major [rows][cols], x: [cols], bias: i32[rows] or 0 (no bias).
// out[r] = sat32(bias[r] + sum_c w[r*cols + c] * x[c]), the sum computed exactly.
// Address 0 is reserved to mean "no bias": the module layout never places a tensor there.
// ---------------------------------------------------------------------------------------

/**
 * int8 weights x int16 inputs. PRECONDITION: |bias[r]| + sum_c |w[r,c]|*|x|max <= 2^31 - 1
 * (checked at compile time with accumulatorBound), so the i32 accumulator never wraps and
 * equals the exact, unsaturated sum.
 */
export function matVecI8xI16(out: usize, w: usize, x: usize, bias: usize, rows: i32, cols: i32): void {
  let wp = w;
  for (let r = 0; r < rows; r++) {
    let acc: i32 = bias != 0 ? load<i32>(bias + (<usize>r << 2)) : 0;
    for (let c = 0; c < cols; c++) {
      acc += <i32>load<i8>(wp + <usize>c) * <i32>load<i16>(x + (<usize>c << 1));
    }
    store<i32>(out + (<usize>r << 2), acc);
    wp += <usize>cols;
  }
}

/** int8 weights x int8 inputs. Same no-overflow PRECONDITION as matVecI8xI16. */
export function matVecI8xI8(out: usize, w: usize, x: usize, bias: usize, rows: i32, cols: i32): void {
  let wp = w;
  for (let r = 0; r < rows; r++) {
    let acc: i32 = bias != 0 ? load<i32>(bias + (<usize>r << 2)) : 0;
    for (let c = 0; c < cols; c++) {
      acc += <i32>load<i8>(wp + <usize>c) * <i32>load<i8>(x + <usize>c);
    }
    store<i32>(out + (<usize>r << 2), acc);
    wp += <usize>cols;
  }
}

/**
 * int16 weights x int16 inputs. Each product fits i32 (|p| <= 2^30) but sums may not, so
 * accumulate in i64 and saturate once at the end. Exact for cols < 2^32.
 */
export function matVecI16xI16(out: usize, w: usize, x: usize, bias: usize, rows: i32, cols: i32): void {
  let wp = w;
  for (let r = 0; r < rows; r++) {
    let acc: i64 = bias != 0 ? <i64>load<i32>(bias + (<usize>r << 2)) : 0;
    for (let c = 0; c < cols; c++) {
      acc += <i64>(<i32>load<i16>(wp + (<usize>c << 1)) * <i32>load<i16>(x + (<usize>c << 1)));
    }
    store<i32>(out + (<usize>r << 2), sat32FromI64(acc));
    wp += <usize>cols << 1;
  }
}
