/**
 * @fileoverview Estimates for a model: compile it (calibration data optional: sizes and op counts
 * do not depend on it), count executed opcodes per step, and evaluate every requested
 * device × runtime.
 */
import { fail } from '../../compiler/errors.ts';
import { compileModel, type CompileOptions, type Compiled } from '../compile.ts';
import { deviceProfiles, type DeviceProfile } from '../targets.ts';
import { immediateCodeBytes } from '../../compiler/codegen/kernels.ts';
import { stepCounts, type StepCounts } from './counts.ts';
import { estimate, type Estimate, type UsageOptions } from './estimate.ts';
import { costData } from './profile.ts';

export interface ModelEstimates {
  quant: string;
  counts: StepCounts;
  /** Time steps per sequence for the per-sequence figures (the model's static length, the run-mode
   * module's max_steps, or --steps), and the executed opcodes per class over one sequence. */
  sequence_steps?: number;
  counts_per_sequence?: StepCounts['classes'];
  module: { module_bytes: number; code_bytes: number; data_bytes: number; memory_high_water: number };
  estimates: (Estimate & { latency_us_per_sequence?: number; energy_uj_per_sequence?: number; kernel: string; kernels: { kernel: string; latency_us_per_step: number; flash_bytes: number; ram_bytes: number; fits: boolean }[] })[];
  notes: string[];
}

/** Above this much wasm code the immediate kernel is not built just to be estimated. */
const IMMEDIATE_CODE_CAP = 160 * 1024;

/** 'all', DEVICE (every MCU runtime), RUNTIME (every device) or DEVICE/RUNTIME. */
export function targetPairs(spec: string): [DeviceProfile, string][] {
  const devices = deviceProfiles();
  const runtimes = [...costData().runtimes.keys()];
  const [a, b] = spec.split('/');
  const device = devices.find((d) => d.name === a);
  if (spec === 'all') return devices.flatMap((d) => runtimes.map((r) => [d, r] as [DeviceProfile, string]));
  if (device && b === undefined) return runtimes.map((r) => [device, r]);
  if (!device && b === undefined && runtimes.includes(a)) return devices.map((d) => [d, a]);
  if (!device) fail(`--target ${spec}: unknown device '${a}' (devices: ${devices.map((d) => d.name).join(', ')}; or 'all')`);
  if (!runtimes.includes(b)) fail(`--target ${spec}: no cost profile for runtime '${b}' (estimated runtimes: ${runtimes.join(', ')})`);
  return [[device, b]];
}

/**
 * Estimates per target. Without a fixed `o.kernel`, every matrix-kernel strategy is built and
 * every target gets the one predicted fastest among those that fit (as `compile --target` would
 * choose), with each strategy's prediction listed in `kernels`.
 */
export async function estimateModel(modelPath: string, spec: string, o: CompileOptions, use: UsageOptions): Promise<ModelEstimates> {
  return estimateWith((opts) => compileModel(modelPath, opts), spec, o, use);
}

/** The estimate for whatever `compile` builds (a model file, or a graph built in code). */
export async function estimateWith(compile: (o: CompileOptions) => Promise<Compiled>, spec: string, o: CompileOptions, use: UsageOptions): Promise<ModelEstimates> {
  const pairs = targetPairs(spec);
  const cost = costData();
  // Weights as immediates only matter to interpreters, and only build when their code is not huge
  // (a 376 KB GRU-128 takes minutes to build); above the cap the note says it was left out.
  const interpreters = pairs.some(([, rt]) => cost.runtimes.get(rt)!.codeRamPerWasmByte > 0);
  const strategies = o.kernel && o.kernel !== 'auto' ? [o.kernel] : ['loop', 'unrolled', ...(interpreters ? ['immediate'] : [])];
  const builds: { kernel: string; r: Compiled; counts: StepCounts }[] = [];
  const notes: string[] = [];
  for (const kernel of strategies) {
    if (kernel === 'immediate' && builds.length && !(o.kernel === 'immediate')) {
      const code = immediateCodeBytes(builds[0].r.plan);
      if (code > IMMEDIATE_CODE_CAP) {
        notes.push(`kernel immediate not estimated: ~${Math.round(code / 1024)} KB of code (over ${IMMEDIATE_CODE_CAP / 1024} KB); --kernel immediate estimates it anyway`);
        continue;
      }
    }
    const r = await compile({ ...o, kernel, syntheticCalibration: true });
    builds.push({ kernel, r, counts: await stepCounts(r.module.wasm, r.manifest) });
  }
  // A sequence is T step() calls, or one run(T) whose static count is exactly T × the per-step mean.
  const { program } = builds[0].r;
  const steps = use.steps ?? program.input.steps ?? (builds[0].r.manifest.streamable ? undefined : builds[0].r.manifest.max_steps);
  const estimates = pairs.map(([d, rt]) => {
    const options = builds.map((b) => ({ ...estimate(d, cost.runtimes.get(rt)!, cost, b.counts, b.r.module.stats, use), kernel: b.kernel }));
    const pool = options.some((x) => x.fits) ? options.filter((x) => x.fits) : options;
    const best = pool.reduce((a, b) => (b.latency_us_per_step < a.latency_us_per_step ? b : a));
    const perSequence = steps ? { latency_us_per_sequence: best.latency_us_per_step * steps, energy_uj_per_sequence: best.energy_uj_per_step * steps } : {};
    return { ...best, ...perSequence, kernels: options.map((x) => ({ kernel: x.kernel, latency_us_per_step: x.latency_us_per_step, flash_bytes: x.flash_bytes, ram_bytes: x.ram_bytes, fits: x.fits })) };
  });
  const first = builds[0];
  return {
    quant: first.r.manifest.quant, counts: first.counts, notes: [...first.r.notes, ...notes], estimates, sequence_steps: steps,
    counts_per_sequence: steps ? (Object.fromEntries(Object.entries(first.counts.classes).map(([k, v]) => [k, v * steps])) as StepCounts['classes']) : undefined,
    module: { module_bytes: first.r.module.stats.moduleBytes, code_bytes: first.r.module.stats.codeBytes, data_bytes: first.r.module.stats.dataBytes, memory_high_water: first.r.module.stats.memoryHighWater },
  };
}
