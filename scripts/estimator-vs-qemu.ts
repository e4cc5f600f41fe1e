/**
 * @fileoverview Validates (and refits) the wasm2c cost profile against QEMU: for every model of the
 * cell sweep (src/report/cells.ts: RNN, GRU, LSTM, SRU, QRNN × hidden 16/32/64/128 × f32, int16,
 * int8x16, int8; input 32; loop kernels, io f32, streaming) on every emulated core whose RAM holds it
 * (scripts/mcu/sweep-cases.ts), each module is run once in Node instrumented (executed wasm opcodes
 * of one step() after reset, src/estimate/counts.ts) and once in QEMU with the same input
 * (compiler/build/mcu: exact executed ARM instructions of the second step(), the first with a non-zero
 * state, and their mix; the opcodes do not depend on the data).
 * Integer schemes are built soft-float; f32 hard-float on the M4 (Cortex-M4F) and M7, soft-float on
 * the M0 and M3.
 *
 * Instructions (scripts/mcu/instr-model.ts): float opcodes at their measured instructions, 11 other
 * classes fitted on the *fit* half of the M4 cases (a checkerboard over cell × hidden × scheme) and
 * evaluated on the held-out half and by leave-one-out.
 * Cycles (scripts/mcu/cycle-model.ts): per core, measured cycles = mix × the core's timing table
 * (targets/timing.json); float opcodes at their measured cost (compiler/build/mcu/float-ops.ts,
 * soft- or hard-float as built), never fitted; the other classes fitted on that core's fit half.
 *
 *   node scripts/run-ts.js estimator-vs-qemu.ts [--fit-only] [--write]
 *
 * Measurements are cached in $TMPDIR/rnnc-estimator-qemu-mix.json (keyed by case) and
 * $TMPDIR/rnnc-estimator-qemu-float.json, so a rerun only fits (RNNC_QEMU_TIMEOUT_S raises QEMU's
 * per-run limit for the long soft-float traces). --write stores the fitted tables in
 * targets/costs.json (wasm2c: arm_per_op, cycles_per_op_by_core, float costs) and writes
 * docs/estimator-qemu.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mixCycles, type McuCore } from '../compiler/build/mcu/index.ts';
import { measureFloatOps, type FloatOpCost } from '../compiler/build/mcu/float-ops.ts';
import { costData } from '../src/estimate/profile.ts';
import { timingProfiles } from '../src/targets.ts';
import { CORE_ORDER, measureAll, measureChecks, type Measured } from './mcu/sweep-cases.ts';
import { dot, evaluateCore, FEATURES, featureVector, floatInstructions, floatPart, isFloat, previousPrediction, rel } from './mcu/instr-model.ts';
import { cycleModel, type CycleResult } from './mcu/cycle-model.ts';
import { writeOutputs } from './mcu/write-outputs.ts';
import { pct, share } from './mcu/cycle-report.ts';

const args = process.argv.slice(2);
const fitOnly = args.includes('--fit-only');

const { measured, skipped } = await measureAll(fitOnly);

/** Float opcode costs (compiler/build/mcu/float-ops.ts): soft-float on every core, FPU on M4 and M7; cached. */
async function floatCosts(): Promise<Record<string, FloatOpCost[]>> {
  const file = join(tmpdir(), 'rnnc-estimator-qemu-float.json');
  const cache: Record<string, FloatOpCost[]> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const [key, core, hard] of [['m0-soft', 'm0', false], ['m3-soft', 'm3', false], ['m4-soft', 'm4', false], ['m7-soft', 'm7', false], ['m4-hard', 'm4', true], ['m7-hard', 'm7', true]] as [string, McuCore, boolean][]) {
    if (cache[key] || fitOnly) continue;
    cache[key] = await measureFloatOps(core, hard);
    writeFileSync(file, JSON.stringify(cache));
    console.log(`float ops ${key}: ${cache[key].map((c) => `${c.op} ${c.instructions.toFixed(1)}`).join(', ')}`);
  }
  return cache;
}
const floats = await floatCosts();
const floatKey = (c: { core: string; hardFloat?: boolean }) => `${c.core}-${c.hardFloat ? 'hard' : 'soft'}`;
const floatInstr = (c: Measured) => floatInstructions(floats[floatKey(c)]);

// ---- instructions ----------------------------------------------------------------------------
const byCore = new Map(CORE_ORDER.map((core) => [core, measured.filter((m) => m.core === core)]));
const m4 = evaluateCore(byCore.get('m4')!, floatInstr);
const checks = (await measureChecks(fitOnly)).map((k) => {
  const fi = floatPart(k.opcodes, floatInstr(k));
  return { ...k, old: rel(previousPrediction(k.opcodes), k.arm), m4table: rel(dot(m4.costs, featureVector(k.opcodes)) + fi, k.arm) };
});
console.log(`out-of-sweep M4 checks: M4 table ${checks.map((k) => pct(k.m4table)).join(' ')}; previous ${checks.map((k) => pct(k.old)).join(' ')}`);
const results = CORE_ORDER.map((core) => ({ core, ...(core === 'm4' ? m4 : evaluateCore(byCore.get(core)!, floatInstr, m4.costs)) }));
for (const r of results) {
  const held = r.rows.filter((x) => x.half === 'held out').map((x) => x.fitted);
  console.log(`${r.core}: ${r.rows.length} cases; previous profile ±10 % ${share(r.rows.map((x) => x.old), 0.1)}; ` +
    `M4 table ±10 % ${share(r.rows.map((x) => x.m4table), 0.1)} ±20 % ${share(r.rows.map((x) => x.m4table), 0.2)}; ` +
    `own fit held-out ±10 % ${share(held, 0.1)}; LOO ±10 % ${share(r.rows.map((x) => x.loo), 0.1)} ±20 % ${share(r.rows.map((x) => x.loo), 0.2)}`);
  console.log(`   costs ${FEATURES.map((f, j) => `${f} ${r.costs[j].toFixed(2)}`).join(', ')}`);
}

// ---- cycles: mix × timing table per core, and the per-core cycle model ----------------------
const timing = new Map(timingProfiles().map((t) => [t.name, t]));
/** Emulated core → timing table; the M0's ARMv6-M mixes are priced as M0+ (the devices' core) and as M0. */
const TIMED: { core: McuCore; timing: string; stored: boolean }[] = [
  { core: 'm4', timing: 'cortex-m4f', stored: true }, { core: 'm3', timing: 'cortex-m3', stored: true }, { core: 'm7', timing: 'cortex-m7', stored: true },
  { core: 'm0', timing: 'cortex-m0plus', stored: true }, { core: 'm0', timing: 'cortex-m0', stored: false },
];
/**
 * Pull of the cycle fit towards a prior: the core's instruction costs (the M4 table for Thumb-2
 * cores, the M0's own fit for ARMv6-M) × that core's measured cycles per instruction. Stronger than
 * the instruction fit's pull, so that nearly collinear classes (branches) keep a plausible cost.
 */
const CYCLE_PRIOR_WEIGHT = Number(process.env.CYCLE_PRIOR_WEIGHT ?? 0.01);
const cpiOf = costData().cpi;
function cyclePrior(instrCosts: number[], t: { core: McuCore; timing: string }): number[] {
  const cases = byCore.get(t.core)!.filter((c) => !c.hardFloat), table = timing.get(t.timing)!.cycles;
  const cpi = cases.reduce((a, c) => a + mixCycles(c.mix, table), 0) / cases.reduce((a, c) => a + c.arm, 0);
  return FEATURES.map((_, j) => Math.max(0.1, instrCosts[j] * cpi));
}
const cycleResults: CycleResult[] = TIMED.map((t) => {
  const instrCosts = t.core === 'm0' ? results.find((r) => r.core === 'm0')!.costs : m4.costs;
  const cpi = cpiOf[t.timing] ?? cpiOf['cortex-m0plus'];
  return cycleModel({
    core: t.core, timing: t.timing, cases: byCore.get(t.core)!, table: timing.get(t.timing)!.cycles,
    soft: floats[`${t.core}-soft`], hard: floats[`${t.core}-hard`], classVector: featureVector, isFloat,
    prior: cyclePrior(instrCosts, t), priorWeight: CYCLE_PRIOR_WEIGHT,
    cpiPrediction: (ops, hard) => (dot(instrCosts, featureVector(ops)) + floatPart(ops, floatInstructions(floats[`m4-${hard ? 'hard' : 'soft'}`]))) * cpi,
  });
});
for (const r of cycleResults) {
  const held = r.rows.filter((x) => x.half === 'held out'), all = r.rows.map((x) => x.err);
  const by = (q: (x: (typeof held)[number]) => boolean) => held.filter(q).map((x) => x.err);
  console.log(`${r.core} (${r.timing}) cycles: held-out ±10 % ${share(held.map((x) => x.err), 0.1)} ±20 % ${share(held.map((x) => x.err), 0.2)} ` +
    `[f32 ${share(by((x) => x.quant === 'f32'), 0.1)}, integer ${share(by((x) => x.quant !== 'f32'), 0.1)}, H128 ${share(by((x) => x.hidden === 128), 0.1)}]; all ±10 % ${share(all, 0.1)}; ` +
    `LOO ±10 % ${share(r.rows.map((x) => x.loo), 0.1)}; CPI method ±10 % ${share(r.rows.map((x) => x.cpiErr), 0.1)}; band ${r.band}`);
  console.log(`   cycle costs ${FEATURES.map((f, j) => `${f} ${r.costs[j].toFixed(2)}`).join(', ')}`);
  const misses = r.rows.filter((x) => Math.abs(x.err) > 0.1);
  if (misses.length) console.log(`   beyond ±10 %: ${misses.map((x) => `${x.cell}-${x.hidden} ${x.quant} ${pct(x.err)} (${x.half}, float ${pct(x.floatCycles / x.cycles)} of cycles)`).join('; ')}`);
}

/** The out-of-sweep M4 modules (never fitted) under the M4 cycle model (soft-float builds). */
const m4cycles = cycleResults[0];
const cycleChecks = checks.filter((k) => k.mix).map((k) => {
  const cycles = mixCycles(k.mix, timing.get('cortex-m4f')!.cycles);
  const pred = dot(m4cycles.costs, featureVector(k.opcodes)) + floatPart(k.opcodes, m4cycles.softFloat);
  return { label: k.cell, arm: k.arm, cycles, pred, err: pred / cycles - 1 };
});
console.log(`out-of-sweep M4 cycles: ${cycleChecks.map((k) => pct(k.err)).join(' ')}`);
for (const s of skipped) console.log(`not measured: ${s.cell}-${s.hidden} ${s.quant} on ${s.core}: ${s.reason}`);

if (args.includes('--write')) {
  writeOutputs({
    measured, skipped, m4, results, checks, cycleResults, cycleChecks, floats, cyclePriorWeight: CYCLE_PRIOR_WEIGHT,
    stored: (timingName) => TIMED.find((t) => t.timing === timingName)!.stored,
  });
}
