/**
 * @fileoverview --write of scripts/estimator-vs-qemu.ts: the fitted wasm2c tables into
 * targets/costs.json (arm_per_op, cycles_per_op_by_core, cycles_band_by_core, float costs) and
 * docs/estimator-qemu.md (instructions here, cycles in cycle-report.ts).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { FloatOpCost } from '../../compiler/build/mcu/float-ops.ts';
import { packageRoot } from '../../compiler/paths.ts';
import { SWEEP_HIDDEN, SWEEP_QUANTS } from '../../src/report/cells.ts';
import { CELL_TYPES } from '../../src/report/synthetic-models.ts';
import type { CycleResult } from './cycle-model.ts';
import { pct, renderCycles, share, type CycleCheck } from './cycle-report.ts';
import { FEATURES, PRIOR_WEIGHT, type Evaluated } from './instr-model.ts';
import { CORE_ORDER, type Measured, type Skipped } from './sweep-cases.ts';

export interface Outputs {
  measured: Measured[]; skipped: Skipped[];
  m4: { costs: number[]; rows: Evaluated[] };
  results: { core: string; costs: number[]; rows: Evaluated[] }[];
  checks: (Measured & { old: number; m4table: number })[];
  cycleResults: CycleResult[]; cycleChecks: CycleCheck[];
  floats: Record<string, FloatOpCost[]>; cyclePriorWeight: number;
  stored: (timing: string) => boolean;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const round = (t: Record<string, number>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, r2(v)]));
const withClass = (t: Record<string, number>) => ({ ...round(t), 'class:float': r2(Object.values(t).reduce((a, x) => a + x, 0) / Object.values(t).length) });

/** An opcode-keyed wasm2c table from the 11 class costs (locals, constants, structure 0). */
function opTable(costs: number[]): Record<string, number> {
  const c = Object.fromEntries(FEATURES.map((f, j) => [f, r2(costs[j])])) as Record<string, number>;
  return {
    'local.get': 0, 'local.set': 0, 'local.tee': 0, 'class:const': 0, drop: 0, 'class:control': 0, '(br_if not taken)': 0,
    'class:load8': c.load8, 'class:load16': c.load16, 'class:load32': c.load32, 'class:load64': c.load32, 'class:store': c.store,
    'class:i32': c.i32, 'i32.mul': c['i32.mul'], 'class:i64': c.i64, 'class:compare': c['compare/select'], select: c['compare/select'],
    else: c.branch, br_if: c.branch, if: c.branch, br: c.branch, br_table: c.branch, return: c.branch, 'class:call': c.call,
    'class:convert': c['convert/other'], 'class:signext': c['convert/other'], 'class:global': c['convert/other'], 'class:other': c['convert/other'],
  };
}

/** Cases covered per core (cells × hidden × schemes), for the sources and the doc. */
export function coverage(o: Outputs): string {
  return CORE_ORDER.map((core) => {
    const n = o.measured.filter((m) => m.core === core).length, out = o.skipped.filter((s) => s.core === core);
    const names = out.length <= 5 ? `: ${out.map((s) => `${s.cell}-${s.hidden} ${s.quant}`).join(', ')}` : ' (docs/estimator-qemu.md)';
    return `${core.toUpperCase()} ${n}${out.length ? ` (${out.length} do not fit its RAM${names})` : ''}`;
  }).join('; ');
}

export function writeOutputs(o: Outputs): void {
  const root = packageRoot();
  const rows = o.m4.rows, fitN = rows.filter((r) => r.half === 'fit').length, heldErr = rows.filter((r) => r.half === 'held out').map((r) => r.fitted), looErr = rows.map((r) => r.loo);
  const softInstr = Object.fromEntries(o.floats['m4-soft'].map((c) => [c.op, Math.max(0, c.instructions)]));
  const others = o.results.filter((r) => r.core !== 'm4').map((r) => `${r.core.toUpperCase()} ${share(r.rows.map((x) => x.m4table), 0.1)}`).join(', ');
  const path = `${root}/targets/costs.json`;
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const w = json.runtimes.wasm2c;
  w.arm_per_op = { ...opTable(o.m4.costs), ...withClass(softInstr) };
  w.source = `≈ fitted by scripts/estimator-vs-qemu.ts: float opcodes at their measured instructions (float_instructions; soft-float values repeated here), ` +
    `non-negative least squares on relative error for ${FEATURES.length} other per-class costs (${FEATURES.join(', ')}; weak prior weight ${PRIOR_WEIGHT} per class towards the ` +
    `previous 3-parameter table; locals, constants, drop, block/loop/end 0), fitted on ${fitN} of the ${rows.length} Cortex-M4 cell-sweep modules (RNN/GRU/LSTM/SRU/QRNN, ` +
    `input 32, H ${SWEEP_HIDDEN.join('/')}, ${SWEEP_QUANTS.join('/')}, loop kernels, io f32; f32 built hard-float; a checkerboard over cell × H × scheme) against exact QEMU ` +
    `instruction counts of the second step() after reset() (wasm2c 1.0.32 with software bounds checks, GCC 12.2 -O2 Thumb-2). Held-out half: ${share(heldErr, 0.1)} within ±10 %, ` +
    `${share(heldErr, 0.2)} within ±20 %, max |error| ${pct(Math.max(...heldErr.map(Math.abs)))}; leave-one-out over all ${rows.length}: ${share(looErr, 0.1)} within ±10 %. ` +
    `Out-of-sweep docs/mcu.md modules (never fitted): ${share(o.checks.map((k) => k.m4table), 0.1)} within ±10 %, ${share(o.checks.map((k) => k.m4table), 0.2)} within ±20 %. ` +
    `Same table on other cores within ±10 %: ${others} (docs/estimator-qemu.md).`;
  const stored = o.cycleResults.filter((r) => o.stored(r.timing));
  w.cycles_per_op_by_core = Object.fromEntries(stored.map((r) => [r.timing, opTable(r.costs)]));
  w.cycles_band_by_core = Object.fromEntries(stored.map((r) => [r.timing, r.band]));
  w.float_cycles_by_core = Object.fromEntries(stored.map((r) => [r.timing, { soft: withClass(r.softFloat), ...(r.fpu ? { fpu: withClass(r.fpu) } : {}) }]));
  const instr = (k: string) => withClass(Object.fromEntries(o.floats[k].map((c) => [c.op, Math.max(0, c.instructions)])));
  w.float_instructions = { soft: instr('m4-soft'), fpu: instr('m4-hard') };
  w.float_source = '✔ measured by compiler/build/mcu/float-ops.ts: per f32 opcode, the wasm2c 1.0.32 + GCC 12.2 -O2 translation of a one-opcode export minus a same-signature baseline export, ' +
    'mean over 8 operand pairs, exact QEMU instruction mix × the core\'s timing table (targets/timing.json): soft-float (libgcc __aeabi_*, newlib nearbyintf) on M0/M3/M4/M7, hard-float ' +
    '(-mfpu=fpv4-sp-d16 on the M4, fpv5-d16 on the M7) for FPU cores. float_instructions: the M4 builds (used where a core has no cycle table: instructions × CPI). class:float = mean of the measured opcodes.';
  const summary = stored.map((r) => {
    const held = r.rows.filter((x) => x.half === 'held out');
    const f32 = held.filter((x) => x.quant === 'f32').map((x) => x.err);
    return `${r.timing} (QEMU ${r.core.toUpperCase()}, ${r.rows.length} cases) held-out ${share(held.map((x) => x.err), 0.1)} within ±10 %, ${share(held.map((x) => x.err), 0.2)} within ±20 % (f32 ${share(f32, 0.1)}), band ${r.band}`;
  }).join('; ');
  w.cycles_source = `≈ fitted by scripts/estimator-vs-qemu.ts: per core, cycles of the second step() after reset() = exact QEMU instruction mix × the core's timing table (targets/timing.json); ` +
    `float opcodes at their measured cost (float_cycles_by_core: soft-float for the integer schemes' io conversions and f32 on M0/M3, FPU for f32 on M4/M7), never fitted; the other ${FEATURES.length} opcode classes by non-negative least squares on relative error ` +
    `(prior weight ${o.cyclePriorWeight} per class towards the core's instruction costs × its measured cycles per instruction) on a checkerboard half (cell × H × scheme) of that core's cell-sweep cases, the rest held out: ${summary}. ` +
    `Cases per core: ${coverage(o)}. Band = RMS held-out error (not the timing table's own band, added by the estimator).`;
  writeFileSync(`${path}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  writeFileSync(`${root}/docs/estimator-qemu.md`, renderDoc(o));
  console.log('wrote targets/costs.json (wasm2c) and docs/estimator-qemu.md');
}

function renderDoc(o: Outputs): string {
  const L: string[] = [];
  const date = new Date().toISOString().slice(0, 10);
  L.push('# wasm2c cost model vs QEMU instruction counts and instruction-mix cycles', '',
    `Generated by \`node scripts/run-ts.js estimator-vs-qemu.ts --write\` (${date}); do not edit by hand.`, '',
    `Each case is a model of the cell sweep (\`rnnc bench cells\`: ${CELL_TYPES.map((c) => c.name).join(', ')} × hidden ${SWEEP_HIDDEN.join('/')} × ${SWEEP_QUANTS.join('/')};`,
    'input 32, one layer, loop kernels, io f32, streaming, synthetic calibration), compiled with rnnc, on every emulated core whose',
    'RAM holds it. **Measured**: exact ARM instructions executed by the **second** `step()` after `reset()` on QEMU (wasm2c 1.0.32 with',
    'software bounds checks, arm-none-eabi-gcc 12.2 -O2 Thumb-2; see [mcu.md](mcu.md)). Not the first: it runs on a zero state, and',
    'libgcc\'s soft-float multiply and add take fast paths on a zero operand, so on soft-float cores an f32 model\'s first step is',
    'up to ~20 % cheaper than the steady state (the *step 1* column of the per-case tables). Integer schemes are built soft-float (their',
    'float opcodes are the io f32 conversions); **f32 is built hard-float on the M4 (Cortex-M4F, fpv4-sp-d16) and M7 (fpv5-d16), soft-float',
    'on the M0 and M3**. **Predicted**: Σ n_op · c_op with n_op the executed wasm opcodes of the same step (same input, instrumented',
    'module in Node; the executed opcodes do not depend on the data, so step 1\'s count is step 2\'s); float opcodes at their measured cost (compiler/build/mcu/float-ops.ts, same core, same float ABI), never fitted.',
    'Cycles (the instruction mix × the core\'s timing table, and the per-core cycle model the estimator uses) are in',
    '[Cycles](#cycles-instruction-mix--timing-table).', '',
    `**Fit / held out**: a checkerboard over the grid — (cell index + hidden index + scheme index) even is *fit* — so each scheme,`,
    'size and cell type has cases on both sides; the held-out cases were not used.', '',
    '## Cases', '', 'A case runs where the model\'s linear-memory high-water mark + 512 B of harness + the minimum stack (4 KiB; 1 KiB on the',
    'microbit) fits the RAM the firmware gets (cores.ts `fitsCore`; the linker script checks it again). *Not run* lists the others with',
    'their high-water mark; none was left out for time.', '',
    '| core | RAM given | cases run | not run: does not fit (high-water) |', '| --- | ---: | ---: | --- |');
  for (const core of CORE_ORDER) {
    const out = o.skipped.filter((s) => s.core === core);
    const why = (s: Skipped) => (s.reason.startsWith('high-water') ? `${((s.highWater ?? 0) / 1024).toFixed(1)} KiB` : s.reason);
    L.push(`| ${core.toUpperCase()} | ${core === 'm0' ? '16 KiB (microbit)' : '256 KiB (of the board\'s 4 MiB)'} | ${o.measured.filter((m) => m.core === core).length} | ${out.length ? out.map((s) => `${s.cell}-${s.hidden} ${s.quant} (${why(s)})`).join(', ') : '—'} |`);
  }
  const c = o.m4.costs;
  L.push('', '## Fitted per-class costs (Cortex-M4, written to `targets/costs.json` `wasm2c`)', '',
    `Non-negative least squares on relative error (targets minus the measured float part) with a weak pull (weight ${PRIOR_WEIGHT} per`,
    'class) towards the previous 3-parameter table, on the M4 cases marked *fit*. Leave-one-out refits on all other cases of the same core.', '',
    '| class | ARM instructions per wasm op |', '| --- | ---: |',
    ...FEATURES.map((f, j) => `| ${f} | ${c[j].toFixed(2)} |`), '| float opcodes | measured (float-ops.ts) |', '| locals, constants, drop, block/loop/end | 0 |', '');
  L.push('## Summary per core', '',
    '*previous profile*: the 3-parameter table (float 40 instructions) this replaced. *M4 table*: the fitted table above (its costs do',
    'not depend on the core; float opcodes at the core\'s own measured cost). *own fit*: the same procedure fitted on that core\'s own half.', '',
    '| core | cases | previous profile ±10 % | M4 table ±10 % | M4 table ±20 % | M4 table held-out ±10 % | own fit held-out ±10 % / ±20 % | own fit leave-one-out ±10 % / ±20 % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of o.results) {
    const all = r.rows, held = all.filter((x) => x.half === 'held out');
    const m4held = r.core === 'm4' ? share(held.map((x) => x.m4table), 0.1) : `${share(all.map((x) => x.m4table), 0.1)} (all held out)`;
    L.push(`| ${r.core.toUpperCase()} | ${all.length} | ${share(all.map((x) => x.old), 0.1)} | ${share(all.map((x) => x.m4table), 0.1)} | ${share(all.map((x) => x.m4table), 0.2)} | ${m4held} | ` +
      `${share(held.map((x) => x.fitted), 0.1)} / ${share(held.map((x) => x.fitted), 0.2)} | ${share(all.map((x) => x.loo), 0.1)} / ${share(all.map((x) => x.loo), 0.2)} |`);
  }
  L.push('', '## Out-of-sweep check (Cortex-M4, never fitted)', '',
    'The docs/mcu.md modules: trained fixtures, other sizes, stacked layers, integer I/O (second step() after reset, same inputs in',
    'Node and QEMU; soft-float builds).', '',
    '| module | measured ARM instr/step | previous profile | M4 table |', '| --- | ---: | ---: | ---: |',
    ...o.checks.map((k) => `| ${k.cell} | ${k.arm} | ${pct(k.old)} | ${Math.round((1 + k.m4table) * k.arm)} (${pct(k.m4table)}) |`),
    '', `Within ±10 %: ${share(o.checks.map((k) => k.m4table), 0.1)} (previous profile ${share(o.checks.map((k) => k.old), 0.1)}); within ±20 %: ${share(o.checks.map((k) => k.m4table), 0.2)}.`);
  L.push('', 'Own-fit costs per core (same classes, same order as above):', '');
  for (const r of o.results) L.push(`- ${r.core.toUpperCase()}: ${FEATURES.map((f, j) => `${f} ${r.costs[j].toFixed(2)}`).join(', ')}`);
  renderCycles(L, o.cycleResults, o.cycleChecks, FEATURES);
  for (const r of o.results) {
    L.push('', `## ${r.core.toUpperCase()} per case (instructions)`, '',
      '| case | high-water B | wasm ops/step | measured ARM instr/step (step 1) | float instr (measured) | previous profile | M4 table | own fit (half) | own fit LOO |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of r.rows) {
      L.push(`| ${x.cell}-${x.hidden} ${x.quant}${x.hardFloat ? ' (FPU)' : ''} | ${x.highWater} | ${Math.round(x.ops)} | ${x.arm} (${x.armFirst ?? '—'}) | ${Math.round(x.floatInstr)} | ${pct(x.old)} | ${Math.round((1 + x.m4table) * x.arm)} (${pct(x.m4table)}) | ${pct(x.fitted)} ${x.half === 'fit' ? '(fit)' : '(held out)'} | ${pct(x.loo)} |`);
    }
  }
  return `${L.join('\n')}\n`;
}
