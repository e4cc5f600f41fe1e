/**
 * @fileoverview The cycles section of docs/estimator-qemu.md (scripts/estimator-vs-qemu.ts --write):
 * per core, measured cycles (mix × timing table) against the cycle model, the out-of-sweep check,
 * the fitted per-class costs, the measured float-opcode costs, and every case.
 */
import type { CycleResult } from './cycle-model.ts';

export interface CycleCheck { label: string; arm: number; cycles: number; pred: number; err: number }

export const within = (errs: number[], t: number) => errs.filter((e) => Math.abs(e) <= t + 1e-12).length;
export const pct = (e: number) => `${e >= 0 ? '+' : '−'}${Math.abs(100 * e).toFixed(1)} %`;
export const share = (errs: number[], t: number) => (errs.length ? `${within(errs, t)}/${errs.length} (${Math.round((100 * within(errs, t)) / errs.length)} %)` : '—');

export function renderCycles(L: string[], cycleResults: CycleResult[], cycleChecks: CycleCheck[], NONFLOAT: readonly string[]): void {
  L.push('', '## Cycles: instruction mix × timing table', '',
    '**Measured cycles** of a step = its exact executed-instruction mix (QEMU exec trace, each PC mapped to its instruction by',
    '`arm-none-eabi-objdump -d`, taken branches inferred from the next executed PC, load pipelining and address-generation stalls',
    'from the previous instruction; compiler/build/mcu/mix.ts) × the core\'s timing table ([targets/timing.json](../targets/timing.json),',
    'every number sourced). The M0\'s ARMv6-M mixes are priced with both the Cortex-M0+ table (the devices\' core; stored) and the M0 table.',
    '**Predicted**: float opcodes at their measured cost on that core, built as the case was (soft-float; FPU for f32 on M4/M7), never',
    'fitted; every other opcode class at a cycle cost fitted on the *fit* half of that core\'s cases. *CPI method*: the previous estimator,',
    'predicted instructions × one CPI per core (`targets/costs.json` `cpi`).', '',
    '| core (timing table) | cases | measured cycles / instruction | CPI method ±10 % / ±20 % | held-out ±10 % | held-out ±20 % | all ±10 % / ±20 % | leave-one-out ±10 % / ±20 % | held-out error range | band (RMS held-out) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of cycleResults) {
    const held = r.rows.filter((x) => x.half === 'held out').map((x) => x.err), all = r.rows.map((x) => x.err), loo = r.rows.map((x) => x.loo), cpi = r.rows.map((x) => x.cpiErr);
    const cpiMeasured = r.rows.reduce((a, x) => a + x.cycles, 0) / r.rows.reduce((a, x) => a + x.arm, 0);
    L.push(`| ${r.core.toUpperCase()} (${r.timing}) | ${r.rows.length} | ${cpiMeasured.toFixed(2)} | ${share(cpi, 0.1)} / ${share(cpi, 0.2)} | ${share(held, 0.1)} | ${share(held, 0.2)} | ` +
      `${share(all, 0.1)} / ${share(all, 0.2)} | ${share(loo, 0.1)} / ${share(loo, 0.2)} | ${pct(Math.min(...held))} … ${pct(Math.max(...held))} | ${r.band} |`);
  }
  L.push('', 'Held-out cases by group (within ±10 % / ±20 %):', '', '| core (timing table) | f32 | int16 | int8x16 | int8 | H 16 | H 32 | H 64 | H 128 |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of cycleResults) {
    const held = r.rows.filter((x) => x.half === 'held out');
    const g = (q: (x: (typeof held)[number]) => boolean) => { const e = held.filter(q).map((x) => x.err); return e.length ? `${within(e, 0.1)}/${e.length} / ${within(e, 0.2)}/${e.length}` : '—'; };
    L.push(`| ${r.core.toUpperCase()} (${r.timing}) | ${['f32', 'int16', 'int8x16', 'int8'].map((q) => g((x) => x.quant === q)).join(' | ')} | ${[16, 32, 64, 128].map((h) => g((x) => x.hidden === h)).join(' | ')} |`);
  }
  L.push('', 'Out-of-sweep check (the docs/mcu.md modules on the Cortex-M4, never fitted):', '',
    '| module | measured ARM instr | measured cycles | predicted cycles | error |', '| --- | ---: | ---: | ---: | ---: |',
    ...cycleChecks.map((k) => `| ${k.label} | ${k.arm} | ${Math.round(k.cycles)} | ${Math.round(k.pred)} | ${pct(k.err)} |`),
    '', `Within ±10 %: ${share(cycleChecks.map((k) => k.err), 0.1)}; within ±20 %: ${share(cycleChecks.map((k) => k.err), 0.2)}.`);
  L.push('', 'Fitted cycles per wasm opcode (float opcodes: measured, below):', '', `| core | ${NONFLOAT.join(' | ')} |`, `| --- | ${NONFLOAT.map(() => '---:').join(' | ')} |`,
    ...cycleResults.map((r) => `| ${r.timing} | ${r.costs.map((x) => x.toFixed(2)).join(' | ')} |`));
  const ops = Object.keys(cycleResults[0].softFloat);
  L.push('', 'Measured cycles per float opcode (wasm2c translation, libgcc soft-float; FPU (hard-float build) where the core has one):', '',
    `| core | ${ops.join(' | ')} |`, `| --- | ${ops.map(() => '---:').join(' | ')} |`);
  for (const r of cycleResults) {
    L.push(`| ${r.timing} soft-float | ${ops.map((op) => r.softFloat[op].toFixed(1)).join(' | ')} |`);
    if (r.fpu) L.push(`| ${r.timing} FPU | ${ops.map((op) => r.fpu![op].toFixed(1)).join(' | ')} |`);
  }
  for (const r of cycleResults) {
    L.push('', `### ${r.core.toUpperCase()} per case (cycles, ${r.timing} table)`, '',
      '| case | measured ARM instr | measured cycles | float cycles | predicted cycles | error | leave-one-out | CPI method |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of r.rows) {
      L.push(`| ${x.cell}-${x.hidden} ${x.quant}${x.hardFloat ? ' (FPU)' : ''} | ${x.arm} | ${Math.round(x.cycles)} | ${Math.round(x.floatCycles)} | ${Math.round(x.pred)} | ${pct(x.err)} ${x.half === 'fit' ? '(fit)' : '(held out)'} | ${pct(x.loo)} | ${pct(x.cpiErr)} |`);
    }
  }
}
