/** Comparisons the compile tests share. */
import type { Tensor } from '../../compiler/ir/types.ts';

/** Max |got − want| over all outputs, relative to the output's range where it exceeds 1. */
export function normalizedError(got: Tensor[], want: Tensor[]): number {
  let worst = 0;
  want.forEach((w, i) => {
    let err = 0, range = 0;
    for (let k = 0; k < w.data.length; k++) {
      err = Math.max(err, Math.abs(got[i].data[k] - w.data[k]));
      range = Math.max(range, Math.abs(w.data[k]));
    }
    worst = Math.max(worst, err / Math.max(1, range));
  });
  return worst;
}

/** Bit-for-bit equality of every output. */
export function same(a: Tensor[], b: Tensor[]): boolean {
  return a.length === b.length && a.every((t, i) => t.data.length === b[i].data.length && t.data.every((v, k) => Object.is(v, b[i].data[k])));
}
