/**
 * @fileoverview estimateModel (src/estimate/index.ts) for a graph already in memory — the cell
 * sweep's SRU and QRNN layers are built in code, not read from a file. The same steps: compile
 * with synthetic calibration (once per matrix-kernel strategy), count executed opcodes per step,
 * evaluate every requested device × runtime and keep, per target, the fastest strategy that fits.
 */
import type { Graph } from '../../compiler/ir/types.ts';
import { compileGraph, type CompileOptions } from '../compile.ts';
import { measureStepCounts, type StepCounts } from '../estimate/counts.ts';
import { estimate, type UsageOptions } from '../estimate/estimate.ts';
import { targetPairs, type ModelEstimates } from '../estimate/index.ts';
import { costData } from '../estimate/profile.ts';

/** The graph is compiled once per strategy (compiling changes a graph only to freeze extra inputs, as --data does). */
export async function estimateGraph(graph: Graph, spec: string, o: CompileOptions, use: UsageOptions): Promise<ModelEstimates> {
  const pairs = targetPairs(spec);
  const strategies = o.kernel && o.kernel !== 'auto' ? [o.kernel] : ['loop', 'unrolled'];
  const cost = costData();
  const builds: { kernel: string; r: Awaited<ReturnType<typeof compileGraph>>; counts: StepCounts }[] = [];
  for (const kernel of strategies) {
    const r = await compileGraph(graph, { ...o, kernel, syntheticCalibration: true });
    builds.push({ kernel, r, counts: await measureStepCounts(r.module.wasm, r.manifest) });
  }
  const estimates = pairs.map(([d, rt]) => {
    const options = builds.map((b) => ({ ...estimate(d, cost.runtimes.get(rt)!, cost, b.counts, b.r.module.stats, use), kernel: b.kernel }));
    const pool = options.some((x) => x.fits) ? options.filter((x) => x.fits) : options;
    const best = pool.reduce((a, b) => (b.latency_us_per_step < a.latency_us_per_step ? b : a));
    return { ...best, kernels: options.map((x) => ({ kernel: x.kernel, latency_us_per_step: x.latency_us_per_step, flash_bytes: x.flash_bytes, ram_bytes: x.ram_bytes, fits: x.fits })) };
  });
  const first = builds[0];
  const s = first.r.module.stats;
  return {
    quant: first.r.manifest.quant, counts: first.counts, notes: first.r.notes, estimates,
    module: { module_bytes: s.moduleBytes, code_bytes: s.codeBytes, data_bytes: s.dataBytes, memory_high_water: s.memoryHighWater },
  };
}
