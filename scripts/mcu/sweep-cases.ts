/**
 * @fileoverview The cases of scripts/estimator-vs-qemu.ts and their QEMU measurements: every model
 * of the cell sweep (`rnnc bench cells`: src/report/cells.ts SWEEP_HIDDEN × SWEEP_QUANTS × the cell
 * types; input 32, loop kernels, io f32, streaming, synthetic calibration) on every emulated core
 * whose RAM holds it (cores.ts fitsCore), plus out-of-sweep checks on the M4. Integer schemes are
 * built soft-float on every core (as before); the f32 scheme hard-float on the FPU cores (M4 as a
 * Cortex-M4F with fpv4-sp-d16, M7 with fpv5-d16) and soft-float on the M0 and M3.
 *
 * Measured step: the **second** step() after reset(). The first runs with a zero state, and libgcc's
 * soft-float multiply and add take their fast paths on a zero operand: for an f32 model on a
 * soft-float core that step is up to ~20 % cheaper than every later one (the recurrent half of the
 * MACs multiplies the zero state). The executed wasm opcodes do not depend on the data (every rnnc
 * module's path is static: src/estimate/counts.ts staticStepCounts), so Node's count of the first
 * step is that of the second; `armFirst` keeps QEMU's first-step count for comparison.
 *
 * Fit/held-out split: a checkerboard over (cell, hidden, scheme) — (cell index + hidden index +
 * scheme index) even is *fit* — so every scheme, size and cell type has cases on both sides.
 * Measurements are cached in $TMPDIR/rnnc-estimator-qemu-mix.json, keyed by case id.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORES, fitsCore, runOnQemu, toolsAvailable, type InstructionMix, type McuCore } from '../../compiler/build/mcu/index.ts';
import { packageRoot } from '../../compiler/paths.ts';
import { compileGraph, compileModel, DEFAULT_COMPILE } from '../../src/compile.ts';
import { measureStepCounts } from '../../src/estimate/counts.ts';
import { SWEEP_HIDDEN, SWEEP_INPUT_SIZE, SWEEP_QUANTS } from '../../src/report/cells.ts';
import { CELL_TYPES, syntheticModelDir } from '../../src/report/synthetic-models.ts';

export const CACHE = join(tmpdir(), 'rnnc-estimator-qemu-mix.json');
export const CORE_ORDER: McuCore[] = ['m4', 'm3', 'm7', 'm0'];

export interface Case { cell: string; hidden: number; quant: string; core: McuCore; hardFloat?: boolean }
export interface Measured extends Case {
  id: string; opcodes: Record<string, number>; arm: number; highWater: number; seconds: number;
  /** ARM instructions of the first step() (zero state); `arm` and `mix` are the second's. */
  armFirst?: number;
  /** Executed-instruction mix of the step (compiler/build/mcu/mix.ts). */
  mix: InstructionMix;
  /** Set on loading (not cached): the checkerboard half. */
  half?: 'fit' | 'held out';
}
/** A sweep case that was not measured: it does not fit the core's RAM, or was not reached. */
export interface Skipped extends Case { reason: string; highWater?: number }

export const caseId = (c: Case) => `${c.cell}-${c.hidden}-${c.quant}-${c.core}${c.hardFloat ? '-hard' : ''}`;
export const halfOf = (c: Case): 'fit' | 'held out' =>
  (CELL_TYPES.findIndex((t) => t.name === c.cell) + SWEEP_HIDDEN.indexOf(c.hidden) + SWEEP_QUANTS.indexOf(c.quant)) % 2 === 0 ? 'fit' : 'held out';

/** Every sweep model on every core, in sweep order per core; f32 hard-float where the core has an FPU. */
export function plannedCases(): Case[] {
  const out: Case[] = [];
  for (const core of CORE_ORDER) {
    for (const cell of CELL_TYPES) {
      for (const hidden of SWEEP_HIDDEN) {
        for (const quant of SWEEP_QUANTS) out.push({ cell: cell.name, hidden, quant, core, ...(quant === 'f32' && CORES[core].fpu ? { hardFloat: true } : {}) });
      }
    }
  }
  return out;
}

/** Measuring order when the cache lacks cases: cheap and M4 first, the long soft-float f32 traces last. */
function priority(c: Case): number {
  const softF32 = c.quant === 'f32' && !c.hardFloat;
  if (c.core === 'm4') return c.hidden;
  if (c.core === 'm0') return 100 + c.hidden;
  if (c.core === 'm7' && c.quant === 'f32') return 200 + c.hidden;
  if (softF32) return c.hidden <= 32 ? 400 + c.hidden : 800 + c.hidden;
  return 300 + 2 * c.hidden;
}

/** Mid-range input, identical to measureStepCounts's first step (0.25·sin i); step t continues the series. */
export const inputStep = (size: number, t: number) => Float32Array.from({ length: size }, (_, i) => 0.25 * Math.sin(t * size + i));
/** Steps 0 and 1, in the module's I/O type; QEMU counts both and the second is kept. */
const twoSteps = (m: { io: string; input: { size: number; frac: number } }) =>
  [0, 1].map((t) => (m.io === 'f32' ? inputStep(m.input.size, t) : Float32Array.from(inputStep(m.input.size, t), (v) => Math.round(v * 2 ** m.input.frac))));
const secondStep = (c: Omit<Measured, 'arm' | 'mix' | 'armFirst'>, got: Awaited<ReturnType<typeof runOnQemu>>): Measured => {
  if (got.stepCounts.length !== 2) throw new Error(`${c.id}: expected 2 counted steps, got ${got.stepCounts.length}`);
  return { ...c, arm: got.stepCounts[1], armFirst: got.stepCounts[0], mix: got.stepMixes![1] };
};

const readCache = (): Record<string, Measured> => (existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, 'utf8')) : {});

/** Measures the planned cases missing from the cache (unless fitOnly); returns measured and skipped cases. */
export async function measureAll(fitOnly: boolean): Promise<{ measured: Measured[]; skipped: Skipped[] }> {
  const cache = readCache();
  const save = () => { Object.assign(cache, { ...readCache(), ...cache }); writeFileSync(`${CACHE}.tmp`, JSON.stringify(cache)); renameSync(`${CACHE}.tmp`, CACHE); };
  const planned = plannedCases();
  const skipped = new Map<string, Skipped>();
  const todo = planned.filter((c) => !cache[caseId(c)]).sort((a, b) => priority(a) - priority(b));
  const dir = syntheticModelDir();
  const compiled = new Map<string, Awaited<ReturnType<typeof compileGraph>>>();
  const compile = async (c: Case) => {
    const key = `${c.cell}-${c.hidden}-${c.quant}`;
    if (!compiled.has(key)) {
      const graph = CELL_TYPES.find((t) => t.name === c.cell)!.graph(dir, SWEEP_INPUT_SIZE, c.hidden, c.hidden);
      compiled.set(key, await compileGraph(graph, { ...DEFAULT_COMPILE, quant: c.quant, syntheticCalibration: true, kernel: 'loop' }));
    }
    return compiled.get(key)!;
  };
  if (todo.length && !fitOnly) {
    const tools = toolsAvailable();
    if (!tools.ok) throw new Error(`QEMU tools missing: ${tools.missing.join('; ')}`);
    // Two QEMU/gcc pipelines at a time (2 cores); compiles run on the main thread in between.
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const c = todo[next++];
        const t0 = Date.now();
        const r = await compile(c);
        const m = r.manifest;
        if (!fitsCore(c.core, m.memory.high_water)) { console.log(`${caseId(c)}: high-water ${m.memory.high_water} B does not fit`); continue; }
        try {
          const counts = await measureStepCounts(r.module.wasm, m);
          const got = await runOnQemu({ wasm: r.module.wasm, manifest: m, core: c.core, steps: twoSteps(m), countSteps: 2, mix: true, hardFloat: c.hardFloat });
          cache[caseId(c)] = secondStep({ ...c, id: caseId(c), opcodes: counts.opcodes, highWater: m.memory.high_water, seconds: (Date.now() - t0) / 1000 }, got);
          save();
          console.log(`${caseId(c)}: ${got.stepCounts.join(' / ')} ARM instr (steps 1 / 2; ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        } catch (e) {
          console.log(`${caseId(c)}: failed after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${String(e).slice(0, 300)}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
  }
  for (const c of planned) {
    if (cache[caseId(c)]) continue;
    const r = await compile(c);
    const hw = r.manifest.memory.high_water;
    skipped.set(caseId(c), { ...c, highWater: hw, reason: fitsCore(c.core, hw) ? 'not measured (time)' : `high-water ${hw} B + harness + stack > ${CORES[c.core].ramBytes / 1024} KiB RAM` });
  }
  const measured = planned.map((c) => cache[caseId(c)]).filter((x): x is Measured => !!x).map((m) => ({ ...m, half: halfOf(m) }));
  return { measured, skipped: [...skipped.values()] };
}

/**
 * Out-of-sweep check (never fitted): the docs/mcu.md modules — trained fixtures with other sizes,
 * stacked/bidirectional/reverse layers and integer I/O — on the Cortex-M4 (soft-float).
 */
const FIX = `${packageRoot()}/tests/fixtures`;
const CHECKS: { label: string; dir: string; quant: string; io: 'f32' | 'int16' | 'int8' }[] = [
  { label: 'GRU-64 (fixture) int8x16', dir: `${FIX}/bench/gru_i32_h64_s100`, quant: 'int8x16', io: 'f32' },
  { label: 'GRU-64 (fixture) int8, io int8', dir: `${FIX}/bench/gru_i32_h64_s100`, quant: 'int8', io: 'int8' },
  { label: 'GRU-64 (fixture) int16, io int16', dir: `${FIX}/bench/gru_i32_h64_s100`, quant: 'int16', io: 'int16' },
  { label: 'LSTM-64 (fixture) int8x16', dir: `${FIX}/bench/lstm_i32_h64_s100`, quant: 'int8x16', io: 'f32' },
  { label: 'LSTM-64 (fixture) int16, io int16', dir: `${FIX}/bench/lstm_i32_h64_s100`, quant: 'int16', io: 'int16' },
  { label: 'LSTM-32 in 16 int8x16', dir: `${FIX}/conformance/generated/lstm_initial_states_large`, quant: 'int8x16', io: 'f32' },
  { label: 'GRU-16 2 layers int16, io int16', dir: `${FIX}/conformance/generated/gru_stacked_2layer`, quant: 'int16', io: 'int16' },
  { label: 'RNN-8 relu int8x16', dir: `${FIX}/conformance/generated/rnn_relu`, quant: 'int8x16', io: 'f32' },
];

export async function measureChecks(fitOnly: boolean): Promise<Measured[]> {
  const cache = readCache();
  const out: Measured[] = [];
  for (const k of CHECKS) {
    const id = `check:${k.label}`;
    if (!cache[id] && !fitOnly) {
      const t0 = Date.now();
      const r = await compileModel(k.dir, { ...DEFAULT_COMPILE, quant: k.quant, io: k.io, data: `${k.dir}/test_data_set_0` });
      const m = r.manifest;
      if (!m.streamable) throw new Error(`${k.label}: expected a streaming module`);
      const counts = await measureStepCounts(r.module.wasm, m);
      const got = await runOnQemu({ wasm: r.module.wasm, manifest: m, core: 'm4', steps: twoSteps(m), countSteps: 2, mix: true });
      cache[id] = secondStep({ cell: k.label, hidden: 0, quant: k.quant, core: 'm4', id, opcodes: counts.opcodes, highWater: m.memory.high_water, seconds: (Date.now() - t0) / 1000 }, got);
      const onDisk = readCache();
      writeFileSync(`${CACHE}.tmp`, JSON.stringify({ ...onDisk, [id]: cache[id] })); renameSync(`${CACHE}.tmp`, CACHE);
      console.log(`${id}: ${got.stepCounts.join(' / ')}`);
    }
    if (cache[id]) out.push(cache[id]);
  }
  return out;
}
