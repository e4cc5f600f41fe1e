/**
 * @fileoverview Merge of two direction streams (Keras Bidirectional merge_mode sum, ave, mul): the
 * simulator's specification, mirrored bit for bit by runtime-as/ops/merge.ts (integer schemes)
 * and runtime-as/f32/merge.ts (f32). Formats are chosen in compiler/quantize/quantize-merge.ts.
 *
 * Integer: a in Q(fa), b in Q(fb), y in Q(fy), all of the vector type.
 * * sum/ave: both inputs are shifted left into Q(F), F = max(fa, fb), where the sum is exact in
 *   i32 (|a·2^sa| ≤ 2^30); then one rounding shift right by F (+1 for ave) − fy, saturated.
 * * mul: the product a·b is exact in i32 (≤ 2^30) in Q(fa + fb); one rounding shift right by
 *   fa + fb − fy, saturated. Every shift is ≥ 0: fy never has more fraction bits than the exact value.
 * f32: y = (a + b)·scale (scale 1, or 0.5 for ave: exactly Keras's (a + b)·0.5), or y = a·b.
 */
import { roundingShiftRight, sat16, sat8 } from '../primitives.ts';
import { vecKey, type Merge } from '../../lower/program.ts';
import type { Vec } from './common.ts';

export interface MergeCell {
  mul: boolean;
  n: number;
  /** Integer schemes: left shifts of a and b into Q(F) (sum/ave) and the rounding right shift to Q(fy). */
  sa: number;
  sb: number;
  shift: number;
  /** f32 sum/ave: 1 or 0.5. */
  scale: number;
  /** The merged vector (the final value; per-step values are copied out by the simulator). */
  y: Vec | Float32Array;
}

export function mergeStep(m: MergeCell, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const { y } = m;
  if (y instanceof Float32Array) {
    for (let j = 0; j < m.n; j++) y[j] = m.mul ? Math.fround(a[j] * b[j]) : Math.fround(Math.fround(a[j] + b[j]) * m.scale);
    return;
  }
  const sat = y instanceof Int8Array ? sat8 : sat16;
  for (let j = 0; j < m.n; j++) {
    // Both exact: |a|, |b| ≤ 2^15 and shifts keep each term within 2^30 (checked when quantizing).
    const x = m.mul ? Math.imul(a[j], b[j]) : a[j] * 2 ** m.sa + b[j] * 2 ** m.sb;
    y[j] = sat(roundingShiftRight(x, m.shift));
  }
}

type Stream = Vec | Float32Array;

/** Runs the program's merges that follow layer l (merge i with cells[i]) on the streams computed so far. */
export function simulateMerges(merges: Merge[], cells: MergeCell[] | undefined, l: number, seq: Map<string, Stream[]>, final: Map<string, Stream>): void {
  merges.forEach((m, i) => {
    if (m.after !== l + 1) return;
    const cell = cells![i];
    const [ka, kb, ky] = [vecKey(m.a), vecKey(m.b), vecKey({ kind: 'merge', merge: i })];
    const run = (a: Stream, b: Stream) => (mergeStep(cell, a, b), cell.y.slice());
    if (m.timing === 'seq') seq.set(ky, seq.get(ka)!.map((a, t) => run(a, seq.get(kb)![t])));
    else final.set(ky, run(final.get(ka)!, final.get(kb)!));
  });
}
