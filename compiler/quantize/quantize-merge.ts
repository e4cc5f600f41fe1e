/**
 * @fileoverview Formats and shifts of direction merges (Keras Bidirectional sum, ave, mul; the
 * cell and its math: compiler/fixed/cells/merge.ts). Called after each layer is quantized, so
 * a following layer or head sees the merged stream's format.
 *
 * The merged stream's format holds 1.25× its calibrated range (as a linear head's output),
 * but never more than the inputs' formats can reach (|a| + |b|, half that, or |a|·|b|) and
 * never finer than the exact result (Q(max(fa, fb)) for sum, +1 bit for ave, Q(fa + fb) for mul),
 * so the only rounding is the final shift's; values beyond the format saturate.
 */
import { fail } from '../errors.ts';
import type { MergeCell } from '../fixed/cells/merge.ts';
import { vecKey, type Merge } from '../lower/program.ts';
import type { Calibration } from './calibrate.ts';
import { fracFor } from './formats.ts';
import { newVec, type QProgram } from './quantize.ts';
import { isF32 } from './schemes.ts';

/** Quantizes the merges that run after layer l, setting their streams' formats. */
export function quantizeMerges(qp: QProgram, l: number, cal: Calibration | undefined): void {
  const merges = (qp.merges ??= []);
  qp.program.merges.forEach((m, i) => {
    if (m.after === l + 1) merges[i] = quantizeMerge(qp, m, i, cal);
  });
}

function quantizeMerge(qp: QProgram, m: Merge, i: number, cal: Calibration | undefined): MergeCell {
  const key = vecKey({ kind: 'merge', merge: i });
  const mul = m.mode === 'mul', ave = m.mode === 'ave';
  if (isF32(qp.options.scheme)) {
    qp.formats.set(key, { frac: 0, bits: 32 });
    return { mul, n: m.size, sa: 0, sb: 0, shift: 0, scale: ave ? 0.5 : 1, y: new Float32Array(m.size) };
  }
  if (!cal) return fail(`merge '${m.name}': calibration is needed for --quant ${qp.options.scheme.name}`);
  const vb = qp.options.scheme.vecBits as 8 | 16;
  const [fa, fb] = [m.a, m.b].map((r) => qp.formats.get(vecKey(r))!.frac);
  const reach = (f: number) => 2 ** (vb - 1 - f); // the largest magnitude a vector in Q(f) holds
  const bound = mul ? reach(fa) * reach(fb) : (reach(fa) + reach(fb)) / (ave ? 2 : 1);
  const F = Math.max(fa, fb);
  const exact = mul ? fa + fb : F + (ave ? 1 : 0);
  const fy = Math.min(exact, fracFor(Math.max(Math.min(bound, 1.25 * cal.range(key)), 2 ** -8), vb));
  const [sa, sb] = mul ? [0, 0] : [F - fa, F - fb];
  // Each shifted term must stay within 2^30 so the i32 sum is exact; the right shift within 31.
  if (Math.max(sa, sb) > 31 - vb || exact - fy > 31) {
    fail(`merge '${m.name}': the two directions' formats Q${fa} and Q${fb} are too far apart for an exact ${m.mode} in 32 bits`);
  }
  qp.formats.set(key, { frac: fy, bits: vb });
  return { mul, n: m.size, sa, sb, shift: exact - fy, scale: 1, y: newVec(vb, m.size) };
}
