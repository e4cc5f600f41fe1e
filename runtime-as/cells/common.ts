// Shared integer steps of the fixed-point cells (AssemblyScript).
// Mirror: compiler/fixed/cells/common.ts — same names, same results bit for bit.
//
// Generic parameters: V is the stored vector element (i16 for the int8x16 and int16 schemes,
// i8 for the int8 scheme), W the weight element (i8, or i16 with a 64-bit accumulator).
// Every type decision is `sizeof<T>()`, a compile-time constant, so each instantiation keeps
// only its own branch: no runtime type tests. MVP only: no sign-extension or bulk-memory ops
// (loads of i8/i16 are load8_s/load16_s; narrowing stores take an already-saturated i32).
import { lutInterp, sigmoidPwl, tanhPwl } from '../ops/lut';
import {
  multiplyByQuantizedMultiplier, sat16, sat32FromI64, sat8, satAdd32, shiftRescale,
} from '../ops/primitives';
import { ACT, MAT } from './desc';
// Generated per module: specialised matrix kernels chosen by the target's cost (see
// compiler/codegen/kernels.ts); the default file has none, so every matrix uses the loop below.
import { matRowsFor } from '../../kernels';

export const ACT_LUT: i32 = 0;
export const ACT_SIGMOID_PWL: i32 = 1;
export const ACT_TANH_PWL: i32 = 2;

/** Element `index` of a T array at byte address `base`, widened to i32 (T: i8, i16, i32). */
export function loadAt<T>(base: usize, index: i32): i32 {
  return <i32>load<T>(base + <usize>index * sizeof<T>());
}

/** Stores x into element `index`; x must already be in T's range (store8/16 keep low bits). */
export function storeAt<T>(base: usize, index: i32, x: i32): void {
  store<T>(base + <usize>index * sizeof<T>(), x);
}

/** Saturate to the stored vector type V. */
export function satVec<V>(x: i32): i32 {
  return sizeof<V>() == 1 ? sat8(x) : sat16(x);
}

/** mult = 0 selects the power-of-two rescale (shift only); else the TFLite multiplier. */
export function rescale(acc: i32, mult: i32, shift: i32): i32 {
  return mult == 0 ? shiftRescale(acc, shift) : multiplyByQuantizedMultiplier(acc, mult, shift);
}

/** (x + 2^(k−1)) >> k on i64, k >= 0: round half up (the TS uses floor, as does shr_s). */
export function roundingShiftRight64(x: i64, k: i32): i64 {
  if (k == 0) return x;
  return (x + (<i64>1 << <i64>(k - 1))) >> <i64>k;
}

/** (gate·b + 2^14) >> 15 in i64, saturated to i32: a Q15 gate times any i32 (|gate·b| < 2^47). */
export function mulQ15(gate: i32, b: i32): i32 {
  return sat32FromI64((<i64>gate * <i64>b + 16384) >> 15);
}

/**
 * out: i32[count] = rescaled accumulators of rows [row0, row0+count) of the `mat` descriptor
 * at `m` over V vector v[vOff : vOff+cols]; not yet saturated to 16 bits.
 * W = i16: exact i64 sum, rounding-shifted by accShift, saturated, then bias added saturating.
 * W = i8: i32 sum from the bias. The quantizer proved |bias| + Σ|w·v| < 2^31, and i32 addition
 * is exact modulo 2^32, so intermediate wrap-around cannot change the final value.
 */
export function matRows<V, W>(out: usize, m: usize, v: usize, vOff: i32, row0: i32, count: i32): void {
  if (matRowsFor(out, m, v, vOff, row0, count)) return;
  matRowsLoop<V, W>(out, m, v, vOff, row0, count);
}

/** The reference loop kernel behind matRows (compact code; every matrix, any size). */
export function matRowsLoop<V, W>(out: usize, m: usize, v: usize, vOff: i32, row0: i32, count: i32): void {
  const w = load<usize>(m + MAT.w); // W[rows, cols] row-major
  const bias = load<usize>(m + MAT.bias); // i32[rows]
  const mult = load<usize>(m + MAT.mult); // i32[rows], or 0: every row shift-only
  const shift = load<usize>(m + MAT.shift); // i8[rows]
  const cols = load<i32>(m + MAT.cols);
  const accShift = load<i32>(m + MAT.accShift);
  const x = v + <usize>vOff * sizeof<V>();
  for (let r = row0; r < row0 + count; r++) {
    const row = w + <usize>(r * cols) * sizeof<W>();
    let acc: i32;
    if (sizeof<W>() == 2) {
      acc = satAdd32(sat32FromI64(roundingShiftRight64(dotI64<V>(row, x, cols), accShift)), loadAt<i32>(bias, r));
    } else {
      acc = loadAt<i32>(bias, r) + dotI32<V>(row, x, cols);
    }
    storeAt<i32>(out, r - row0, rescale(acc, mult ? loadAt<i32>(mult, r) : 0, loadAt<i8>(shift, r)));
  }
}

// The dot products are the hot loop. Indexed loops (index × size + base per element, bound test
// at the top) cost ~23 wasm instructions per MAC; moving pointers, immediate offsets and 8-way
// unrolling bring that to about 7. Integer sums are exact, so the grouping does not change results.

/** Σ w[c]·x[c], int8 weights, i32 sum (the quantizer proved it cannot overflow). */
@inline function dotI32<V>(w: usize, x: usize, cols: i32): i32 {
  let acc: i32 = 0;
  const end8 = w + <usize>(cols & ~7);
  const end = w + <usize>cols;
  while (w < end8) {
    acc += <i32>load<i8>(w) * <i32>load<V>(x) + <i32>load<i8>(w, 1) * <i32>load<V>(x, sizeof<V>())
      + <i32>load<i8>(w, 2) * <i32>load<V>(x, 2 * sizeof<V>()) + <i32>load<i8>(w, 3) * <i32>load<V>(x, 3 * sizeof<V>())
      + <i32>load<i8>(w, 4) * <i32>load<V>(x, 4 * sizeof<V>()) + <i32>load<i8>(w, 5) * <i32>load<V>(x, 5 * sizeof<V>())
      + <i32>load<i8>(w, 6) * <i32>load<V>(x, 6 * sizeof<V>()) + <i32>load<i8>(w, 7) * <i32>load<V>(x, 7 * sizeof<V>());
    w += 8;
    x += 8 * sizeof<V>();
  }
  while (w < end) {
    acc += <i32>load<i8>(w) * <i32>load<V>(x);
    w += 1;
    x += sizeof<V>();
  }
  return acc;
}

/** Σ w[c]·x[c], int16 weights, exact in i64 (each product fits i32: |w·x| <= 2^30). */
@inline function dotI64<V>(w: usize, x: usize, cols: i32): i64 {
  let sum: i64 = 0;
  const end4 = w + (<usize>(cols & ~3) << 1);
  const end = w + (<usize>cols << 1);
  while (w < end4) {
    sum += <i64>(<i32>load<i16>(w) * <i32>load<V>(x)) + <i64>(<i32>load<i16>(w, 2) * <i32>load<V>(x, sizeof<V>()))
      + <i64>(<i32>load<i16>(w, 4) * <i32>load<V>(x, 2 * sizeof<V>())) + <i64>(<i32>load<i16>(w, 6) * <i32>load<V>(x, 3 * sizeof<V>()));
    w += 8;
    x += 4 * sizeof<V>();
  }
  while (w < end) {
    sum += <i64>(<i32>load<i16>(w) * <i32>load<V>(x));
    w += 2;
    x += sizeof<V>();
  }
  return sum;
}

/** The `act` descriptor at `a` applied to q: int16 Q(inFrac) → int16 Q(outFrac). */
export function activate(q: i32, a: usize): i32 {
  const kind = load<i32>(a + ACT.kind);
  if (kind == ACT_LUT) return lutInterp(q, load<usize>(a + ACT.table), load<i32>(a + ACT.log2N));
  const inFrac = load<i32>(a + ACT.inFrac);
  const y = kind == ACT_SIGMOID_PWL ? sigmoidPwl(q, inFrac) : tanhPwl(q, inFrac); // Q15
  return sat16(shiftRescale(y, 15 - load<i32>(a + ACT.outFrac)));
}

/** Pre-activation to int16, then the ONNX clip (clipQ = 0 means none). */
export function preActivation(pre32: i32, clipQ: i32): i32 {
  const q = sat16(pre32);
  if (clipQ <= 0) return q;
  // selects, not branches: the executed path must not depend on data (static op counts).
  const low = select<i32>(-clipQ, q, q < -clipQ);
  return select<i32>(clipQ, low, low > clipQ);
}

/** dst[at : at+n] = src[0 : n] for T arrays, element by element (no memory.copy in MVP). */
export function copyElems<T>(dst: usize, at: i32, src: usize, n: i32): void {
  for (let j = 0; j < n; j++) storeAt<T>(dst, at + j, loadAt<T>(src, j));
}
