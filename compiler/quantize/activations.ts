/**
 * @fileoverview Fixed-point activations: every ONNX activation becomes an interpolated table over
 * its input format (sigmoid and tanh may instead use the table-free piecewise-linear variant).
 * Input domains come from calibration; output formats from the function's range on that domain.
 */
import { applyActivation, type ResolvedActivation } from '../ir/activations.ts';
import { ACT_LUT, ACT_SIGMOID_PWL, ACT_TANH_PWL, type QAct } from '../fixed/cells/common.ts';
import { buildLut } from '../fixed/lut.ts';
import { fracFor } from './formats.ts';

export interface ActOptions {
  /** log2 of the table size (the target chooses: 8 → 256 intervals). */
  lutLog2N: number;
  /** 'pwl' replaces sigmoid/tanh tables with the piecewise-linear approximation. */
  sigmoidTanh: 'lut' | 'pwl';
}

/** Functions that are flat beyond ±8, so their domain never needs to be wider. */
const SATURATING = new Set(['Sigmoid', 'Tanh', 'HardSigmoid']);

/** Input format for an activation whose calibrated input magnitude is `range` (2× headroom). */
export function inputFracFor(act: ResolvedActivation, range: number): number {
  let domain = Math.max(2 * range, 1);
  if (SATURATING.has(act.name)) domain = Math.min(domain, 8);
  return fracFor(domain, 16);
}

/** Largest |f(x)| for x in the int16 domain of Q(inFrac). */
export function maxOutput(act: ResolvedActivation, inFrac: number): number {
  const limit = 2 ** (15 - inFrac);
  let m = 0;
  for (let i = 0; i <= 2048; i++) m = Math.max(m, Math.abs(applyActivation(act, -limit + (2 * limit * i) / 2048)));
  return m;
}

export function makeAct(act: ResolvedActivation, inFrac: number, outFrac: number, o: ActOptions): QAct {
  const none = new Int16Array(0);
  if (o.sigmoidTanh === 'pwl' && act.name === 'Sigmoid' && act.alpha === 0) return { kind: ACT_SIGMOID_PWL, table: none, log2N: 0, inFrac, outFrac };
  if (o.sigmoidTanh === 'pwl' && act.name === 'Tanh') return { kind: ACT_TANH_PWL, table: none, log2N: 0, inFrac, outFrac };
  const table = buildLut((x) => applyActivation(act, x), inFrac, outFrac, o.lutLog2N);
  return { kind: ACT_LUT, table, log2N: o.lutLog2N, inFrac, outFrac };
}

/**
 * Log-softmax heads: ln(1 + t/65536) in Q15 for the 16 fraction bits t of a sum's mantissa,
 * indexed by q = t − 32768 (so every int16 q is one mantissa; compiler/fixed/cells/dense.ts).
 */
export function lnMantissaTable(log2N: number): Int16Array {
  return buildLut((q) => Math.log1p((q + 32768) / 65536), 0, 15, log2N);
}

export const SIGMOID: ResolvedActivation = { name: 'Sigmoid', alpha: 0, beta: 0 };
export const TANH: ResolvedActivation = { name: 'Tanh', alpha: 0, beta: 0 };

/**
 * The exp table of an integer softmax over int16 values in Q(logitFrac), and the right shift into
 * its input format: differences d = z − max z in [−2^(16−logitFrac), 0] (or [−16, 0], where
 * exp(−16) ≈ 1e-7), Q15 out; only the table's non-positive half is read, so it gets one more bit.
 * Softmax heads (quantize.ts) and attention pooling (quantize-attention.ts) use it.
 */
export function softmaxExp(logitFrac: number, outFrac: number, o: ActOptions): { act: QAct; expShift: number } {
  const expFrac = Math.min(logitFrac - 1, 11);
  const log2N = Math.min(16, o.lutLog2N + 1);
  const table = buildLut((x) => Math.exp(Math.min(x, 0)), expFrac, 15, log2N);
  return { act: { kind: ACT_LUT, table, log2N, inFrac: expFrac, outFrac }, expShift: logitFrac - expFrac };
}
