/**
 * @fileoverview Formats and integer parameters of attention pooling (the cell is
 * compiler/fixed/cells/attention.ts; the math in docs/attention.md).
 *
 * * scores s_t: int16 in Q(fs), fs from twice the calibrated range of the float scores (as the
 *   Softmax head's logits: the largest score matters most);
 * * additive: W·h_t + b rescaled per row into tanh's input format (calibrated, capped at ±8),
 *   tanh by table into Q15, then the row V over that int16 vector rescaled into Q(fs);
 *   dot: the single row scale·q over h_t rescaled into Q(fs);
 * * α_t in Q15 by the Softmax head's exp table and normalisation (fixed/cells/dense.ts softmaxQ);
 * * pooled: a convex combination of the h_t, so it keeps their format (the coarsest of its
 *   columns' if they differ): Σ_t α_t·h_t[j] in Q(15 + frac_j), shifted right per column;
 * * weights output: α_t in Q(vb − 1) of the vector type.
 */
import type { AttentionCell } from '../fixed/cells/attention.ts';
import type { QMat } from '../fixed/cells/common.ts';
import type { AttentionPool } from '../lower/program.ts';
import { poolKeys } from '../lower/lower-attention.ts';
import { inputFracFor, makeAct, softmaxExp, TANH } from './activations.ts';
import type { Calibration } from './calibrate.ts';
import { fracFor, quantizeMatrix } from './formats.ts';
import { emptyAct, newVec, type QuantOptions, type VecFormat } from './quantize.ts';

const EMPTY_MAT: QMat = { rows: 0, cols: 0, w: new Int8Array(0), bias: new Int32Array(0), mult: new Int32Array(0), shift: new Int8Array(0), accShift: 0 };

/** Pool i over input columns in formats colFrac; sets the formats of its pooled and weights streams. */
export function quantizePool(pool: AttentionPool, i: number, cal: Calibration, o: QuantOptions, colFrac: number[],
  formats: Map<string, VecFormat>): AttentionCell {
  const vb = o.scheme.vecBits as 8 | 16, wb = o.scheme.weightBits as 8 | 16;
  const { hidden: H, attention: A } = pool;
  const what = `attention '${pool.name}'`;
  const fp = colFrac.reduce((m, f) => Math.min(m, f), Infinity);
  const [pooledKey, weightsKey] = poolKeys(i);
  formats.set(pooledKey, { frac: fp, bits: vb });
  formats.set(weightsKey, { frac: vb - 1, bits: vb });
  const fs = fracFor(Math.max(2 * cal.range(`pool${i}.scores`), 2 ** -8), 16);
  const mat = (W: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number, cf: number[], rowFrac: number, vecBits: 8 | 16) =>
    quantizeMatrix({ W: Float64Array.from(W), b, rows, cols, colFrac: cf, rowFrac: new Array<number>(rows).fill(rowFrac), weightBits: wb, vecBits, mode: o.rescale, what });
  let W: QMat, V = EMPTY_MAT, act = emptyAct;
  if (pool.mode === 'additive') {
    const fu = inputFracFor(TANH, cal.range(`pool${i}.pre`));
    W = mat(pool.W, pool.b, A, H, colFrac, fu, vb);
    act = makeAct(TANH, fu, 15, o);
    V = mat(pool.V, [0], 1, A, new Array<number>(A).fill(15), fs, 16); // over the int16 Q15 tanh vector
  } else {
    W = mat(Float64Array.from(pool.W, (q) => q * pool.scale), [0], 1, H, colFrac, fs, vb); // scale folded in float64
  }
  const { act: exp, expShift } = softmaxExp(fs, 15, o);
  return {
    H, A, additive: pool.mode === 'additive' ? 1 : 0, W, act, V, exp, expShift,
    colShift: Int8Array.from(colFrac, (f) => Math.min(31, 15 + f - fp)), alphaShift: 15 - (vb - 1),
    y: newVec(vb, H), u: new Int32Array(Math.max(A, 1)), th: new Int16Array(A),
  };
}
