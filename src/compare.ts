/**
 * @fileoverview Error metrics between computed and expected tensors, as `validate` reports them.
 */
import type { Tensor } from '../compiler/ir/types.ts';

export interface OutputComparison {
  name: string;
  max_abs_err: number;
  /** Max of |got − want| / |want| over elements with |want| > atol (relative error is meaningless near zero). */
  max_rel_err: number;
  rmse: number;
  ref_max_abs: number;
  pass: boolean;
}

export function compareTensors(name: string, got: Tensor, want: Tensor, atol: number, rtol: number): OutputComparison {
  const sameShape = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
  if (!sameShape) {
    return { name, max_abs_err: Infinity, max_rel_err: Infinity, rmse: Infinity, ref_max_abs: maxAbs(want), pass: false };
  }
  let maxAbsErr = 0, maxRel = 0, sq = 0, pass = true;
  for (let i = 0; i < want.data.length; i++) {
    const e = want.data[i];
    const d = Math.abs(got.data[i] - e);
    if (!(d <= atol + rtol * Math.abs(e))) pass = false; // NaN fails too
    maxAbsErr = Math.max(maxAbsErr, Number.isNaN(d) ? Infinity : d);
    if (Math.abs(e) > atol) maxRel = Math.max(maxRel, d / Math.abs(e));
    sq += d * d;
  }
  const n = want.data.length;
  return { name, max_abs_err: maxAbsErr, max_rel_err: maxRel, rmse: n ? Math.sqrt(sq / n) : 0, ref_max_abs: maxAbs(want), pass };
}

function maxAbs(t: Tensor): number {
  let m = 0;
  for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i]));
  return m;
}
