/**
 * @fileoverview The per-core cycle model of scripts/estimator-vs-qemu.ts. "Measured" cycles of a
 * step = its executed-instruction mix (QEMU) × the core's timing table (targets/timing.json). The
 * model predicts them from executed wasm opcodes: float opcodes at their measured cost (the
 * float-ops module on the same core, built as the case was: libgcc soft-float, or hard-float with
 * the FPU), never fitted; every other opcode class at a cost fitted by non-negative least squares on
 * relative error over the *fit* half of the cases (sweep-cases.ts), and evaluated on the held-out
 * half and by leave-one-out.
 */
import { mixCycles, type InstructionMix } from '../../compiler/build/mcu/mix.ts';
import type { FloatOpCost } from '../../compiler/build/mcu/float-ops.ts';
import { nnls } from './nnls.ts';

export interface CycleCase {
  id: string; cell: string; hidden: number; quant: string; opcodes: Record<string, number>; mix: InstructionMix; arm: number; highWater: number;
  hardFloat?: boolean; half?: 'fit' | 'held out';
}
export interface CycleRow extends CycleCase { cycles: number; floatCycles: number; pred: number; err: number; loo: number; cpiErr: number; half: 'fit' | 'held out' }
export interface CycleResult {
  core: string; timing: string; costs: number[]; rows: CycleRow[];
  /** Cycles per float opcode: soft-float (measured on this core), and with the FPU where measured. */
  softFloat: Record<string, number>; fpu?: Record<string, number>;
  /** Relative 1-sigma band: RMS of the held-out errors. */
  band: number;
}

export interface CycleModelInput {
  core: string; timing: string; cases: CycleCase[]; table: Record<string, number>;
  soft: FloatOpCost[]; hard?: FloatOpCost[];
  /** Non-float class counts of a step (the fitted classes), and whether an opcode is a float one. */
  classVector: (opcodes: Record<string, number>) => number[]; isFloat: (op: string) => boolean;
  prior: number[]; priorWeight: number;
  /** The previous method, for comparison: predicted instructions × the core's CPI. */
  cpiPrediction: (opcodes: Record<string, number>, hardFloat: boolean) => number;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

export function floatCycles(costs: FloatOpCost[], table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(costs.map((c) => [c.op, Math.max(0, mixCycles(c.mix, table))]));
}

export function cycleModel(o: CycleModelInput): CycleResult {
  const softFloat = floatCycles(o.soft, o.table), fpu = o.hard && floatCycles(o.hard, o.table);
  const floatPart = (ops: Record<string, number>, hard: boolean) => Object.entries(ops).reduce((a, [op, n]) => {
    if (!o.isFloat(op)) return a;
    const t = hard ? fpu : softFloat;
    if (t?.[op] === undefined) throw new Error(`no measured ${hard ? 'FPU' : 'soft-float'} cost for ${op} on ${o.core} (compiler/build/mcu/float-ops.ts FLOAT_OPS)`);
    return a + n * t[op];
  }, 0);
  const rows = o.cases.map((c, i) => {
    const cycles = mixCycles(c.mix, o.table);
    return { ...c, cycles, floatCycles: floatPart(c.opcodes, !!c.hardFloat), f: o.classVector(c.opcodes), half: c.half ?? ((i % 2 === 0 ? 'fit' : 'held out') as 'fit' | 'held out') };
  });
  const fit = (rs: typeof rows) => nnls(rs.map((r) => ({ f: r.f, target: r.cycles - r.floatCycles, scale: r.cycles })), o.prior, o.priorWeight);
  const costs = fit(rows.filter((r) => r.half === 'fit'));
  const out: CycleRow[] = rows.map((r, i) => {
    const pred = dot(costs, r.f) + r.floatCycles;
    const looPred = dot(fit(rows.filter((_, j) => j !== i)), r.f) + r.floatCycles;
    const { f: _f, ...rest } = r;
    return { ...rest, pred, err: pred / r.cycles - 1, loo: looPred / r.cycles - 1, cpiErr: o.cpiPrediction(r.opcodes, !!r.hardFloat) / r.cycles - 1 };
  });
  const held = out.filter((r) => r.half === 'held out').map((r) => r.err);
  const band = Math.max(0.02, Math.ceil(100 * Math.sqrt(held.reduce((a, e) => a + e * e, 0) / held.length)) / 100);
  return { core: o.core, timing: o.timing, costs, rows: out, softFloat, fpu, band };
}
