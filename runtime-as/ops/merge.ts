// Merge of two direction streams, Keras Bidirectional merge_mode sum / ave / mul (AssemblyScript).
// Mirror: compiler/fixed/cells/merge.ts — same shifts, same rounding, same saturation. Branch-free
// on data (saturation by select): rnnc's static op counts need the executed path to depend only
// on the constants the generated code passes.
import { roundingShiftRight } from './primitives';

/** Saturates to the vector type V (i8 or i16); the bounds are compile-time constants. */
@inline function satV<V>(x: i32): i32 {
  const hi: i32 = sizeof<V>() == 1 ? 127 : 32767;
  const y = select<i32>(hi, x, x > hi);
  return select<i32>(-hi - 1, y, y < -hi - 1);
}

/**
 * dst = sat(roundingShiftRight((a << sa) + (b << sb), shift)) over n elements: a sum (or, with
 * one more bit of shift, an average) exact in i32 (each term within 2^30, checked at compile time).
 */
export function mergeSum<V>(dst: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32, shift: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) * sizeof<V>();
    const x = (<i32>load<V>(a + o) << sa) + (<i32>load<V>(b + o) << sb);
    store<V>(dst + o, satV<V>(roundingShiftRight(x, shift)));
  }
}

/** dst = sat(roundingShiftRight(a · b, shift)) over n elements (the product is exact in i32). */
export function mergeMul<V>(dst: usize, a: usize, b: usize, n: i32, shift: i32): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) * sizeof<V>();
    store<V>(dst + o, satV<V>(roundingShiftRight(<i32>load<V>(a + o) * <i32>load<V>(b + o), shift)));
  }
}
