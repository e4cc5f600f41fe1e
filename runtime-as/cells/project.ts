// Input projections of CHUNK time steps at once, for run(n) of SRU and QRNN (AssemblyScript).
// Their matrices read only the input, so run(n) projects CHUNK steps as one matrix–matrix
// product: each weight row is loaded once per chunk (8 columns at a time into locals) and
// multiplied by the CHUNK input vectors, with the CHUNK sums in locals. The sums are exact and
// the bias, rescale and saturation per row and step are matRows' (./common.ts), so every value
// equals what the per-step path (and the simulator, compiler/fixed/cells/common.ts) computes.
// Layouts (compiler/codegen/ahead.ts plans them in static memory):
//   xs:  V[I][SLOTS], column-major: xs[c·SLOTS + 1 + s] = x_{t0+s}[c]; slot 0 holds x_{t0−1}
//        (QRNN window 2). One pointer walks the columns; each step's element is an immediate offset.
//   out: P[rows][CHUNK]: out[r·CHUNK + s] = rescaled row r at step t0 + s; P = i32 (not yet
//        saturated, as matRows leaves it) or i16 (saturated: for rows only ever read through sat16).
import { sat16, sat32FromI64, satAdd32 } from '../ops/primitives';
import { loadAt, rescale, roundingShiftRight64 } from './common';
import { MAT } from './desc';

// compiler/codegen/ahead.ts has the same two numbers; the unrolled bodies below assume them.
export const CHUNK: i32 = 4;
export const SLOTS: i32 = 5;

/** xs column c: dst[c·SLOTS] = src[c] for n elements (one step into its slot). */
export function toColumn<V>(dst: usize, src: usize, n: i32): void {
  for (let c = 0; c < n; c++) store<V>(dst + <usize>(c * 5) * sizeof<V>(), load<V>(src + <usize>c * sizeof<V>()));
}

/** dst[c] = src[c·SLOTS] for n elements (one slot out of xs). */
export function fromColumn<V>(dst: usize, src: usize, n: i32): void {
  for (let c = 0; c < n; c++) store<V>(dst + <usize>c * sizeof<V>(), load<V>(src + <usize>(c * 5) * sizeof<V>()));
}

// Σ_{c<8} w_c·x[c·SLOTS] for one step's slot x; weights already in locals.
@inline function dot8I32<V>(x: usize, w0: i32, w1: i32, w2: i32, w3: i32, w4: i32, w5: i32, w6: i32, w7: i32): i32 {
  return w0 * <i32>load<V>(x) + w1 * <i32>load<V>(x, 5 * sizeof<V>()) + w2 * <i32>load<V>(x, 10 * sizeof<V>())
    + w3 * <i32>load<V>(x, 15 * sizeof<V>()) + w4 * <i32>load<V>(x, 20 * sizeof<V>()) + w5 * <i32>load<V>(x, 25 * sizeof<V>())
    + w6 * <i32>load<V>(x, 30 * sizeof<V>()) + w7 * <i32>load<V>(x, 35 * sizeof<V>());
}

// The same for int16 weights: each product fits i32 (|w·x| <= 2^30), the sum is exact in i64.
@inline function dot8I64<V>(x: usize, w0: i32, w1: i32, w2: i32, w3: i32, w4: i32, w5: i32, w6: i32, w7: i32): i64 {
  return <i64>(w0 * <i32>load<V>(x)) + <i64>(w1 * <i32>load<V>(x, 5 * sizeof<V>())) + <i64>(w2 * <i32>load<V>(x, 10 * sizeof<V>()))
    + <i64>(w3 * <i32>load<V>(x, 15 * sizeof<V>())) + <i64>(w4 * <i32>load<V>(x, 20 * sizeof<V>())) + <i64>(w5 * <i32>load<V>(x, 25 * sizeof<V>()))
    + <i64>(w6 * <i32>load<V>(x, 30 * sizeof<V>())) + <i64>(w7 * <i32>load<V>(x, 35 * sizeof<V>()));
}

/** matRows' last step for one row and step: rescale, then store as P. */
@inline function storeRow<P>(o: usize, acc: i32, mult: i32, shift: i32): void {
  const y = rescale(acc, mult, shift);
  if (sizeof<P>() == 2) store<i16>(o, sat16(y));
  else store<i32>(o, y);
}

/**
 * out = the rescaled rows of the `mat` descriptor at m for CHUNK steps: row r's columns are
 * `taps` blocks of I, block p multiplying x_{t−p} (slot s + 1 − p of xs).
 */
export function projectChunk<V, W, P>(out: usize, m: usize, xs: usize, I: i32, taps: i32): void {
  const w = load<usize>(m + MAT.w); // W[rows, taps·I]
  const bias = load<usize>(m + MAT.bias);
  const mult = load<usize>(m + MAT.mult); // 0: every row shift-only
  const shift = load<usize>(m + MAT.shift);
  const rows = load<i32>(m + MAT.rows);
  const accShift = load<i32>(m + MAT.accShift);
  const SW = sizeof<W>(), SV = sizeof<V>();
  let row = w, o = out;
  for (let r = 0; r < rows; r++) {
    const mr = mult ? loadAt<i32>(mult, r) : 0;
    const sr = loadAt<i8>(shift, r);
    const b = loadAt<i32>(bias, r);
    if (SW == 1) {
      // int8 weights: i32 sums from the bias (the quantizer proved they cannot overflow).
      let a0 = b, a1 = b, a2 = b, a3 = b;
      for (let p = 0; p < taps; p++) {
        let wp = row + <usize>(p * I), xp = xs + <usize>(1 - p) * SV;
        const end8 = wp + <usize>(I & ~7), end = wp + <usize>I;
        while (wp < end8) {
          const w0 = <i32>load<i8>(wp), w1 = <i32>load<i8>(wp, 1), w2 = <i32>load<i8>(wp, 2), w3 = <i32>load<i8>(wp, 3);
          const w4 = <i32>load<i8>(wp, 4), w5 = <i32>load<i8>(wp, 5), w6 = <i32>load<i8>(wp, 6), w7 = <i32>load<i8>(wp, 7);
          a0 += dot8I32<V>(xp, w0, w1, w2, w3, w4, w5, w6, w7);
          a1 += dot8I32<V>(xp + SV, w0, w1, w2, w3, w4, w5, w6, w7);
          a2 += dot8I32<V>(xp + 2 * SV, w0, w1, w2, w3, w4, w5, w6, w7);
          a3 += dot8I32<V>(xp + 3 * SV, w0, w1, w2, w3, w4, w5, w6, w7);
          wp += 8;
          xp += 40 * SV;
        }
        while (wp < end) {
          const w0 = <i32>load<i8>(wp);
          a0 += w0 * <i32>load<V>(xp);
          a1 += w0 * <i32>load<V>(xp, sizeof<V>());
          a2 += w0 * <i32>load<V>(xp, 2 * sizeof<V>());
          a3 += w0 * <i32>load<V>(xp, 3 * sizeof<V>());
          wp += 1;
          xp += 5 * SV;
        }
      }
      storeRow<P>(o, a0, mr, sr);
      storeRow<P>(o + sizeof<P>(), a1, mr, sr);
      storeRow<P>(o + 2 * sizeof<P>(), a2, mr, sr);
      storeRow<P>(o + 3 * sizeof<P>(), a3, mr, sr);
    } else {
      // int16 weights: exact i64 sums, rounding-shifted by accShift, then the bias, saturating.
      let a0: i64 = 0, a1: i64 = 0, a2: i64 = 0, a3: i64 = 0;
      for (let p = 0; p < taps; p++) {
        let wp = row + (<usize>(p * I) << 1), xp = xs + <usize>(1 - p) * SV;
        const end4 = wp + (<usize>(I & ~7) << 1), end = wp + (<usize>I << 1);
        while (wp < end4) {
          const w0 = <i32>load<i16>(wp), w1 = <i32>load<i16>(wp, 2), w2 = <i32>load<i16>(wp, 4), w3 = <i32>load<i16>(wp, 6);
          const w4 = <i32>load<i16>(wp, 8), w5 = <i32>load<i16>(wp, 10), w6 = <i32>load<i16>(wp, 12), w7 = <i32>load<i16>(wp, 14);
          a0 += dot8I64<V>(xp, w0, w1, w2, w3, w4, w5, w6, w7);
          a1 += dot8I64<V>(xp + SV, w0, w1, w2, w3, w4, w5, w6, w7);
          a2 += dot8I64<V>(xp + 2 * SV, w0, w1, w2, w3, w4, w5, w6, w7);
          a3 += dot8I64<V>(xp + 3 * SV, w0, w1, w2, w3, w4, w5, w6, w7);
          wp += 16;
          xp += 40 * SV;
        }
        while (wp < end) {
          const w0 = <i32>load<i16>(wp);
          a0 += <i64>(w0 * <i32>load<V>(xp));
          a1 += <i64>(w0 * <i32>load<V>(xp, sizeof<V>()));
          a2 += <i64>(w0 * <i32>load<V>(xp, 2 * sizeof<V>()));
          a3 += <i64>(w0 * <i32>load<V>(xp, 3 * sizeof<V>()));
          wp += 2;
          xp += 5 * SV;
        }
      }
      storeRow<P>(o, satAdd32(sat32FromI64(roundingShiftRight64(a0, accShift)), b), mr, sr);
      storeRow<P>(o + sizeof<P>(), satAdd32(sat32FromI64(roundingShiftRight64(a1, accShift)), b), mr, sr);
      storeRow<P>(o + 2 * sizeof<P>(), satAdd32(sat32FromI64(roundingShiftRight64(a2, accShift)), b), mr, sr);
      storeRow<P>(o + 3 * sizeof<P>(), satAdd32(sat32FromI64(roundingShiftRight64(a3, accShift)), b), mr, sr);
    }
    row += <usize>(taps * I) * SW;
    o += 4 * sizeof<P>();
  }
}
