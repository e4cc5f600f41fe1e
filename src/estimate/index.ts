/**
 * @fileoverview Estimates for a model: compile it (calibration data optional: sizes and op counts
 * do not depend on it), count executed opcodes per step, and evaluate every requested
 * device × runtime.
 */
import { fail } from '../../compiler/errors.ts';
import { compileModel, type CompileOptions } from '../compile.ts';
import { deviceProfiles, type DeviceProfile } from '../targets.ts';
import { measureStepCounts, type StepCounts } from './counts.ts';
import { estimate, type Estimate, type UsageOptions } from './estimate.ts';
import { costData } from './profile.ts';

export interface ModelEstimates {
  quant: string;
  counts: StepCounts;
  module: { module_bytes: number; code_bytes: number; data_bytes: number; memory_high_water: number };
  estimates: Estimate[];
  notes: string[];
}

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

export async function estimateModel(modelPath: string, spec: string, o: CompileOptions, use: UsageOptions): Promise<ModelEstimates> {
  const pairs = targetPairs(spec);
  const r = await compileModel(modelPath, { ...o, syntheticCalibration: true });
  const counts = await measureStepCounts(r.module.wasm, r.manifest);
  const cost = costData();
  const estimates = pairs.map(([d, rt]) => estimate(d, cost.runtimes.get(rt)!, cost, counts, r.module.stats, use));
  return {
    quant: r.manifest.quant, counts, notes: r.notes, estimates,
    module: { module_bytes: r.module.stats.moduleBytes, code_bytes: r.module.stats.codeBytes, data_bytes: r.module.stats.dataBytes, memory_high_water: r.module.stats.memoryHighWater },
  };
}
