/**
 * @fileoverview Executed wasm opcodes per time step of a compiled module, two independent ways:
 * measured by running an instrumented copy (compiler/build/instrument.ts) in Node through the
 * module's ABI, and derived statically (compiler/build/static-count.ts) from the module, its
 * constant data and the loop trip counts the descriptors fix — the same for every input.
 */
import { classTotals, countInstructions, countOpcodes, instrumentModule, resetCounts, type ClassCounts } from '../../compiler/build/instrument.ts';
import { DataDependentError, staticCounts } from '../../compiler/build/static-count.ts';
import type { Manifest } from '../manifest.ts';

export interface StepCounts {
  /** Executions per opcode name for one time step (averaged over a sequence for run-only modules). */
  opcodes: Record<string, number>;
  classes: ClassCounts;
  /** How they were obtained. */
  method: string;
  /** Host → module calls per time step: 1 for step(), 1/T for a run(T)-only module (default 1). */
  entries_per_step?: number;
}

export async function measureStepCounts(wasm: Uint8Array, m: Manifest): Promise<StepCounts> {
  const inst = await instrumentModule(wasm);
  const { instance } = (await WebAssembly.instantiate(inst.wasm, {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  const ex = instance.exports as unknown as { reset(): void; step(): number; run(n: number): number; memory: WebAssembly.Memory };
  ex.reset();
  const view = new DataView(ex.memory.buffer);
  // A mid-range input: data-dependent branches (saturation) take their common path.
  const steps = m.streamable ? 1 : m.max_steps;
  for (let i = 0; i < steps * m.input.size; i++) {
    const v = 0.25 * Math.sin(i);
    if (m.io === 'f32') view.setFloat32(m.input.ptr + 4 * i, v, true);
    else if (m.io === 'int16') view.setInt16(m.input.ptr + 2 * i, Math.round(v * 2 ** m.input.frac), true);
    else view.setInt8(m.input.ptr + i, Math.round(v * 2 ** m.input.frac));
  }
  resetCounts(instance);
  if (m.streamable) ex.step();
  else ex.run(steps);
  const scale = (x: number) => x / steps;
  const opcodes = Object.fromEntries(Object.entries(countOpcodes(instance)).map(([k, v]) => [k, scale(v)]));
  const classes = Object.fromEntries(Object.entries(countInstructions(instance)).map(([k, v]) => [k, scale(v)])) as ClassCounts;
  return { opcodes, classes, method: m.streamable ? 'instrumented module, one step()' : `instrumented module, run(${steps}) / ${steps}`, entries_per_step: 1 / steps };
}

/**
 * The same figures as measureStepCounts without running the module on data: one step() of a
 * streamable module, run(max_steps) / max_steps otherwise, with every buffer (input, state,
 * scratch) unknown. Throws DataDependentError if the executed path depends on the data.
 */
export function staticStepCounts(wasm: Uint8Array, m: Manifest): StepCounts {
  const steps = m.streamable ? 1 : m.max_steps;
  const raw = m.streamable ? staticCounts(wasm, 'step', [], m.memory.constants) : staticCounts(wasm, 'run', [steps], m.memory.constants);
  const scale = (x: number) => x / steps; // as measureStepCounts scales, so both agree to the last bit
  const opcodes = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, scale(v)]));
  const classes = Object.fromEntries(Object.entries(classTotals(raw)).map(([k, v]) => [k, scale(v)])) as ClassCounts;
  return { opcodes, classes, method: m.streamable ? 'static, one step()' : `static, run(${steps}) / ${steps}`, entries_per_step: 1 / steps };
}

/**
 * The counts the estimator uses: static (valid for every input) when the module's executed path
 * does not depend on data — every module rnnc generates today — else measured, and `method` says so.
 */
export async function stepCounts(wasm: Uint8Array, m: Manifest): Promise<StepCounts> {
  try {
    return staticStepCounts(wasm, m);
  } catch (e) {
    if (!(e instanceof DataDependentError)) throw e;
    const measured = await measureStepCounts(wasm, m);
    return { ...measured, method: `${measured.method} (${e.message})` };
  }
}
