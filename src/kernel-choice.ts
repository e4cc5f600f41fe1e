/**
 * @fileoverview Kernel strategy chosen by cost: build the module with each matrix-kernel strategy,
 * count executed wasm opcodes per step, and keep the one the target runtime's cost profile
 * predicts cheapest among those that fit the device (`--kernel` overrides).
 */
import { buildModule, type BuiltModule } from '../compiler/build/module.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';
import { kernelsSource, KERNEL_STRATEGIES, type KernelStrategy } from '../compiler/codegen/kernels.ts';
import type { ModulePlan } from '../compiler/codegen/plan.ts';
import { fail } from '../compiler/errors.ts';
import { measureStepCounts } from './estimate/counts.ts';
import { estimate } from './estimate/estimate.ts';
import { costData } from './estimate/profile.ts';
import type { Manifest } from './manifest.ts';
import type { Target } from './targets.ts';

export interface KernelCandidate {
  strategy: KernelStrategy;
  code_bytes: number;
  module_bytes: number;
  wasm_instructions_per_step: number;
  /** Core instructions per step under the target runtime's cost profile (if it has one). */
  predicted_core_instructions_per_step?: number;
  fits?: boolean;
}

export interface KernelChoice {
  strategy: KernelStrategy;
  module: BuiltModule;
  kernels: string;
  candidates: KernelCandidate[];
  reason: string;
}

export async function chooseKernel(plan: ModulePlan, source: string, features: WasmFeatures, target: Target | undefined,
  requested: string | undefined, manifestFor: (m: BuiltModule) => Manifest): Promise<KernelChoice> {
  if (requested !== undefined && requested !== 'auto' && !KERNEL_STRATEGIES.includes(requested as KernelStrategy)) {
    fail(`--kernel ${requested}: expected ${KERNEL_STRATEGIES.join(', ')} or auto`);
  }
  const cost = target ? costData().runtimes.get(target.runtime.name) : undefined;
  const strategies: KernelStrategy[] = requested && requested !== 'auto' ? [requested as KernelStrategy] : cost ? KERNEL_STRATEGIES : ['loop'];
  const built = [];
  for (const strategy of strategies) {
    const kernels = kernelsSource(plan, strategy);
    const module = await buildModule(plan, source, features, kernels);
    const counts = await measureStepCounts(module.wasm, manifestFor(module));
    const wasmInstructions = Object.entries(counts.classes).reduce((s, [k, v]) => (k === 'control' ? s : s + v), 0);
    const candidate: KernelCandidate = {
      strategy, code_bytes: module.stats.codeBytes, module_bytes: module.stats.moduleBytes, wasm_instructions_per_step: Math.round(wasmInstructions),
    };
    if (cost) {
      let core = 0;
      for (const [op, n] of Object.entries(counts.opcodes)) core += n * cost.perOp(op, target?.device?.core);
      candidate.predicted_core_instructions_per_step = Math.round(core);
      if (target?.device) candidate.fits = estimate(target.device, cost, costData(), counts, module.stats, { rate: 1, batteryMah: 1, batteryVolts: 3 }).fits;
    }
    built.push({ strategy, kernels, module, candidate });
  }
  const fitting = built.filter((b) => b.candidate.fits !== false);
  const pool = fitting.length ? fitting : built;
  const best = pool.reduce((a, b) => ((b.candidate.predicted_core_instructions_per_step ?? Infinity) < (a.candidate.predicted_core_instructions_per_step ?? Infinity) ? b : a));
  const reason = strategies.length === 1
    ? (requested && requested !== 'auto' ? `--kernel ${requested}` : 'no cost profile for the target runtime: the compact loop kernel')
    : `lowest predicted ${target!.runtime.name} instructions per step${target?.device ? ` that fits ${target.device.name}` : ''}`;
  return { strategy: best.strategy, module: best.module, kernels: best.kernels, candidates: built.map((b) => b.candidate), reason };
}
