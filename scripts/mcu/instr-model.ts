/**
 * @fileoverview The instruction model of scripts/estimator-vs-qemu.ts: ARM instructions of one
 * step() = Σ n_op · c_op over the executed wasm opcodes. Float opcodes (src/estimate/profile.ts
 * isFloatOp) are priced at their measured instructions (compiler/build/mcu/float-ops.ts, soft- or
 * hard-float as the case was built, on the case's core) and never fitted; the other opcodes fall in
 * 11 classes whose costs are fitted by non-negative least squares on relative error (with a weak
 * pull towards the previous 3-parameter table) on the *fit* half, and evaluated on the held-out half
 * and by leave-one-out.
 */
import { classOf } from '../../compiler/build/instrument.ts';
import type { FloatOpCost } from '../../compiler/build/mcu/float-ops.ts';
import { costData, isFloatOp } from '../../src/estimate/profile.ts';
import { nnls } from './nnls.ts';
import type { Measured } from './sweep-cases.ts';

/** Fitted classes: ARM instructions per executed opcode of each; locals, constants, drop and structure cost 0. */
export const FEATURES = ['load8', 'load16', 'load32', 'store', 'i32', 'i32.mul', 'i64', 'compare/select', 'branch', 'call', 'convert/other'] as const;
export type Feature = (typeof FEATURES)[number];

/** 'float': priced at its measured cost, not fitted; null: costs 0. */
export function featureOf(op: string): Feature | 'float' | null {
  const c = classOf(op);
  if (c === null || c === 'local' || c === 'const' || c === 'drop') return null;
  if (c === 'control') return op === 'else' ? 'branch' : null;
  if (c === 'load8' || c === 'load16' || c === 'store') return c;
  if (c === 'load32' || c === 'load64') return 'load32';
  if (isFloatOp(op)) return 'float';
  if (c === 'i32' || c === 'i32.mul' || c === 'i64' || c === 'branch' || c === 'call') return c;
  if (c === 'compare' || c === 'select') return 'compare/select';
  return 'convert/other';
}
export const isFloat = (op: string) => featureOf(op) === 'float';

export const featureVector = (opcodes: Record<string, number>) => FEATURES.map((f) => Object.entries(opcodes).reduce((a, [op, n]) => a + (featureOf(op) === f ? n : 0), 0));
export const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Σ n_op · cost_op over the float opcodes of a step; throws on a float opcode float-ops.ts does not measure. */
export function floatPart(opcodes: Record<string, number>, costs: Record<string, number>): number {
  return Object.entries(opcodes).reduce((a, [op, n]) => {
    if (!isFloat(op)) return a;
    if (costs[op] === undefined) throw new Error(`no measured cost for ${op} (compiler/build/mcu/float-ops.ts FLOAT_OPS)`);
    return a + n * costs[op];
  }, 0);
}
export const floatInstructions = (c: FloatOpCost[]) => Object.fromEntries(c.map((x) => [x.op, Math.max(0, x.instructions)]));

/**
 * Prior: the previous 3-parameter table (memory access 3.53, i64 1.98, other 2.87). The sweep's modules
 * share one code structure, so their class counts are nearly collinear and an unregularised fit puts
 * everything on a few classes; a weak pull towards the prior keeps every class at a plausible cost.
 */
const PRIOR: Record<Feature, number> = {
  load8: 3.53, load16: 3.53, load32: 3.53, store: 3.53, i32: 2.87, 'i32.mul': 2.87, i64: 1.98, 'compare/select': 2.87,
  branch: 2.87, call: 2.87, 'convert/other': 2.87,
};
export const PRIOR_WEIGHT = Number(process.env.PRIOR_WEIGHT ?? 0.001);

/** The wasm2c table this script replaced (targets/costs.json before its first --write), priced the way profile.ts prices. */
const PREVIOUS: Record<string, number> = {
  'local.get': 0, 'local.set': 0, 'local.tee': 0, 'class:const': 0, drop: 0, '(br_if not taken)': 0,
  'class:load8': 3.53, 'class:load16': 3.53, 'class:load32': 3.53, 'class:load64': 3.53, 'class:store': 3.53, 'class:i64': 1.98,
  'class:float': 40, 'class:other': 2.87,
};
const previousPerOp = (op: string) => PREVIOUS[op] ?? PREVIOUS[`class:${classOf(op)}`] ?? PREVIOUS['class:other'];
export const previousPrediction = (opcodes: Record<string, number>) => Object.entries(opcodes).reduce((a, [op, n]) => a + n * previousPerOp(op), 0);

export interface Evaluated extends Measured {
  f: number[]; floatInstr: number; ops: number; old: number; current: number; half: 'fit' | 'held out'; fitted: number; loo: number; m4table: number;
}
export const rel = (pred: number, meas: number) => pred / meas - 1;

/**
 * Per core: fit the non-float classes on the *fit* half (targets minus the measured float part),
 * evaluate the held-out half, and leave-one-out over all. `floatCosts(case)`: measured instructions
 * per float opcode for that case's core and float ABI; `m4costs`: the stored M4 table, to evaluate on
 * other cores.
 */
export function evaluateCore(cases: Measured[], floatCosts: (c: Measured) => Record<string, number>, m4costs?: number[]) {
  const rows = cases.map((c) => ({ ...c, f: featureVector(c.opcodes), floatInstr: floatPart(c.opcodes, floatCosts(c)), half: c.half ?? 'fit' }));
  const fit = (rs: typeof rows) => nnls(rs.map((r) => ({ f: r.f, target: r.arm - r.floatInstr, scale: r.arm })), FEATURES.map((f) => PRIOR[f]), PRIOR_WEIGHT);
  const costs = fit(rows.filter((r) => r.half === 'fit'));
  const wasm2c = costData().runtimes.get('wasm2c')!;
  const out: Evaluated[] = rows.map((r, i) => ({
    ...r, ops: Object.entries(r.opcodes).reduce((a, [op, n]) => a + (classOf(op) ? n : 0), 0),
    old: rel(previousPrediction(r.opcodes), r.arm),
    current: rel(Object.entries(r.opcodes).reduce((a, [op, n]) => a + n * wasm2c.perOp(op, undefined, !!r.hardFloat), 0), r.arm),
    fitted: rel(dot(costs, r.f) + r.floatInstr, r.arm), loo: rel(dot(fit(rows.filter((_, j) => j !== i)), r.f) + r.floatInstr, r.arm),
    m4table: rel(dot(m4costs ?? costs, r.f) + r.floatInstr, r.arm),
  }));
  return { costs, rows: out };
}
