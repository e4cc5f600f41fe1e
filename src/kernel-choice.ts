/**
 * @fileoverview Kernel strategy chosen by cost: build the module with each matrix-kernel strategy,
 * count executed wasm opcodes per step, and keep the one the target runtime's cost profile
 * predicts cheapest among those that fit the device (`--kernel` overrides). If none fits, the
 * compact loop kernel: the smallest, and the one to shrink the model from.
 */
import { buildModule, type BuiltModule } from '../compiler/build/module.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';
import { immediateCodeBytes, kernelsSource, KERNEL_STRATEGIES, type KernelStrategy } from '../compiler/codegen/kernels.ts';
import type { ModulePlan } from '../compiler/codegen/plan.ts';
import { fail } from '../compiler/errors.ts';
import { measureStepCounts } from './estimate/counts.ts';
import { estimate } from './estimate/estimate.ts';
import { costData } from './estimate/profile.ts';
import type { Manifest } from './manifest.ts';
import type { Target } from './targets.ts';

/** RAM for an interpreter's compiled form of `codeBytes` of wasm code: the runtime profile's
 * code_ram_per_wasm_byte (targets/costs.json, with its derivation); 0 for AOT and unknown runtimes. */
export function interpreterCodeRamBytes(runtime: string, codeBytes: number): number {
  return Math.round(codeBytes * (costData().runtimes.get(runtime)?.codeRamPerWasmByte ?? 0));
}

export interface KernelCandidate {
  strategy: KernelStrategy;
  /** Estimated, when the candidate was not built (see `why`). */
  code_bytes: number;
  module_bytes?: number;
  wasm_instructions_per_step?: number;
  /** Core instructions per step under the target runtime's cost profile (if it has one). */
  predicted_core_instructions_per_step?: number;
  /** Cycles per step on the target device (what the choice compares when there is a device). */
  predicted_cycles_per_step?: number;
  /** Interpreters: RAM for the runtime's compiled form of the code (targets/costs.json code_ram_per_wasm_byte). */
  code_ram_bytes?: number;
  fits?: boolean;
  /** Why it does not fit, when it does not. */
  why?: string;
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
  const forced = requested !== undefined && requested !== 'auto';
  const cost = target ? costData().runtimes.get(target.runtime.name) : undefined;
  // Weights as immediates only for interpreters unless forced: under wasm2c on a QEMU Cortex-M4 the
  // int8 GRU-64's immediate kernel ran 10.3 ARM instructions per MAC with 438 KB of text, where the
  // AOT profile (fitted on loop kernels) predicts 4.9 and ~200 KB — a budget check it cannot pass honestly.
  const interpreter = cost !== undefined && cost.codeRamPerWasmByte > 0;
  const strategies: KernelStrategy[] = forced ? [requested as KernelStrategy]
    : cost ? KERNEL_STRATEGIES.filter((k) => k !== 'immediate' || interpreter) : ['loop'];
  let byCycleTable = false;
  const skipped: KernelCandidate[] = [];
  const built: { strategy: KernelStrategy; kernels: string; module: BuiltModule; candidate: KernelCandidate }[] = [];
  for (const strategy of strategies) {
    const tooBig = !forced && strategy === 'immediate' && target?.device && cost ? clearlyTooBig(plan, cost.name, cost.flashBytes, cost.ramBytes, target.device) : undefined;
    if (tooBig) {
      // Seconds to minutes of asc/binaryen for a module that cannot fit anyway: not built.
      skipped.push({ strategy, code_bytes: immediateCodeBytes(plan), fits: false, why: `${tooBig} (estimated; not built)` });
      continue;
    }
    const kernels = kernelsSource(plan, strategy);
    const module = await buildModule(plan, source, features, kernels);
    const counts = await measureStepCounts(module.wasm, manifestFor(module));
    const wasmInstructions = Object.entries(counts.classes).reduce((s, [k, v]) => (k === 'control' ? s : s + v), 0);
    const candidate: KernelCandidate = {
      strategy, code_bytes: module.stats.codeBytes, module_bytes: module.stats.moduleBytes, wasm_instructions_per_step: Math.round(wasmInstructions),
    };
    if (cost) {
      let core = 0;
      for (const [op, n] of Object.entries(counts.opcodes)) core += n * cost.perOp(op, target?.device?.core, target?.device?.fpu);
      candidate.predicted_core_instructions_per_step = Math.round(core);
      if (cost.codeRamPerWasmByte > 0) candidate.code_ram_bytes = interpreterCodeRamBytes(cost.name, module.stats.codeBytes);
      if (target?.device) {
        const e = estimate(target.device, cost, costData(), counts, module.stats, { rate: 1, batteryMah: 1, batteryVolts: 3 });
        candidate.predicted_cycles_per_step = e.cycles_per_step;
        if (e.cycles_from === 'cycle table') byCycleTable = true;
        // estimate() counts the interpreter's compiled code in ram_bytes (code_ram_per_wasm_byte).
        candidate.fits = e.fits;
        if (!e.fits) candidate.why = candidate.code_ram_bytes ? `${e.why} (incl. ${candidate.code_ram_bytes} B of compiled code)` : e.why;
      }
    }
    built.push({ strategy, kernels, module, candidate });
  }
  const fitting = built.filter((b) => b.candidate.fits !== false);
  // Cycles on the device when there is one (without a per-op cycle table they order as instructions do).
  const price = (c: KernelCandidate) => c.predicted_cycles_per_step ?? c.predicted_core_instructions_per_step ?? Infinity;
  const cheapest = (pool: typeof built) => pool.reduce((a, b) => (price(b.candidate) < price(a.candidate) ? b : a));
  const best = fitting.length ? cheapest(fitting) : built.find((b) => b.strategy === 'loop') ?? built[0];
  const device = target?.device ? ` that fits ${target.device.name}` : '';
  const reason = forced ? `--kernel ${requested}`
    : strategies.length === 1 ? 'no cost profile for the target runtime: the compact loop kernel'
      : fitting.length ? `lowest predicted ${target!.runtime.name} ${byCycleTable ? 'cycles' : 'instructions'} per step${device}`
        : `no strategy fits ${target!.device!.name} (${best.candidate.why}): the compact loop kernel`;
  return { strategy: best.strategy, module: best.module, kernels: best.kernels, candidates: [...built.map((b) => b.candidate), ...skipped], reason };
}

/** Why the immediate kernel cannot fit the device even at 80 % of its estimated code size; undefined if it might. */
function clearlyTooBig(plan: ModulePlan, runtime: string, runtimeFlash: number, runtimeRam: number, device: NonNullable<Target['device']>): string | undefined {
  const code = 0.8 * immediateCodeBytes(plan);
  const flash = Math.round(code + runtimeFlash), ram = Math.round(plan.image.end + runtimeRam + interpreterCodeRamBytes(runtime, code));
  if (flash > device.flash_kb * 1024) return `flash ${flash} B > ${device.flash_kb} KB`;
  if (ram > device.sram_kb * 1024) return `RAM ${ram} B with compiled code > ${device.sram_kb} KB`;
  return undefined;
}
