/**
 * @fileoverview The compile pipeline as a library call: load → freeze weight inputs → lower →
 * calibrate → quantize → plan memory → emit AssemblyScript → build the module; plus the
 * manifest describing the result.
 */
import { fail } from '../compiler/errors.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { lowerGraph } from '../compiler/lower/lower.ts';
import { isStreamable, type Program } from '../compiler/lower/program.ts';
import { freezeInputs } from '../compiler/passes/freeze-inputs.ts';
import { calibrate, type Calibration, type RangeMethod } from '../compiler/quantize/calibrate.ts';
import { quantizeProgram, type QProgram } from '../compiler/quantize/quantize.ts';
import { schemeByName } from '../compiler/quantize/schemes.ts';
import { planModule, type IoType, type ModulePlan } from '../compiler/codegen/plan.ts';
import { emitModuleSource } from '../compiler/codegen/emit.ts';
import type { BuiltModule } from '../compiler/build/module.ts';
import { chooseKernel, type KernelChoice } from './kernel-choice.ts';
import { resolveTarget } from './targets.ts';
import type { WasmFeatures } from '../compiler/build/asc.ts';
import { readDataSource, sequenceInputs, type DataSource } from './calib-data.ts';
import { loadModel } from './model.ts';
import { buildManifest, type Manifest } from './manifest.ts';

export interface CompileOptions {
  quant: string;
  rescale: 'shift' | 'multiplier';
  io: IoType;
  /** Calibration data; without it the `data` inputs are used (and the notes say so). */
  calib?: string;
  data?: string;
  calibMethod: RangeMethod;
  lutLog2N: number;
  sigmoidTanh: 'lut' | 'pwl';
  maxSteps?: number;
  features?: WasmFeatures;
  target?: string;
  /** Without --calib/--data, calibrate on random inputs in [-1, 1] (for size and speed estimates only). */
  syntheticCalibration?: boolean;
  /** Matrix-kernel strategy: loop, unrolled, or auto (chosen by the target runtime's cost). */
  kernel?: string;
}

export const DEFAULT_COMPILE: CompileOptions = {
  quant: 'int8x16', rescale: 'multiplier', io: 'f32', calibMethod: { kind: 'minmax' }, lutLog2N: 8, sigmoidTanh: 'lut',
};

export interface Quantized {
  graph: Graph;
  program: Program;
  qp: QProgram;
  calibration: Calibration;
  notes: string[];
  maxSteps: number;
}

/** Everything up to the quantized program (what the `fixed` engine needs). */
export function quantizeModel(modelPath: string, o: CompileOptions): Quantized {
  return quantizeGraph(loadModel(modelPath), o);
}

/** The same for a graph already in memory (built with GraphBuilder, say); calibration still comes from o.calib/o.data. */
export function quantizeGraph(graph: Graph, o: CompileOptions): Quantized {
  const notes: string[] = [];
  const calibPath = o.calib ?? o.data;
  if (!calibPath && !o.syntheticCalibration) fail('compile: calibration data is needed: give --calib FILE|DIR (or --data DIR)');
  if (!o.calib && o.data) notes.push(`no --calib given: calibrating on the --data inputs (${o.data})`);
  if (!calibPath) notes.push('no calibration data: ranges from random inputs in [-1, 1] (sizes and op counts do not depend on them)');
  const src: DataSource = calibPath ? readDataSource(calibPath, graph) : syntheticWindows(graph);
  if (graph.inputs.length > 1) {
    if (src.kind !== 'test-data') fail(`${graph.source}: inputs ${graph.inputs.slice(1).map((i) => i.name).join(', ')} must be frozen from a test-data folder, not ${calibPath}`);
    const frozen = freezeInputs(graph, src.sets[0]);
    notes.push(`froze input(s) ${frozen.join(', ')} as constants from ${calibPath}`);
    src.sets = src.sets.map((s) => s.slice(0, 1));
  }
  const program = lowerGraph(graph);
  const inputs = sequenceInputs(src, program);
  const calibration = calibrate(program, inputs, o.calibMethod, calibPath ?? 'synthetic');
  const qp = quantizeProgram(program, calibration, {
    scheme: schemeByName(o.quant), rescale: o.rescale, lutLog2N: o.lutLog2N, sigmoidTanh: o.sigmoidTanh,
  });
  const seenSteps = Math.max(0, ...inputs.map((t: Tensor) => t.shape[program.input.timeAxis]));
  // Streaming modules need one input/output slot (run(n) takes longer sequences in chunks), which
  // keeps RAM at weights + state; whole-sequence modules must hold the longest sequence.
  const maxSteps = o.maxSteps ?? (isStreamable(program) ? 1 : Math.max(program.input.steps ?? 0, seenSteps, 1));
  return { graph, program, qp, calibration, notes, maxSteps };
}

export interface Compiled extends Quantized {
  plan: ModulePlan;
  source: string;
  /** The generated kernels.ts (specialised matrix kernels, or none). */
  kernels: string;
  kernel: KernelChoice;
  module: BuiltModule;
  manifest: Manifest;
}

export async function compileModel(modelPath: string, o: CompileOptions): Promise<Compiled> {
  return compileQuantized(modelPath, quantizeModel(modelPath, o), o);
}

/** Compiles a graph already in memory; the manifest names graph.source as the model. */
export async function compileGraph(graph: Graph, o: CompileOptions): Promise<Compiled> {
  return compileQuantized(graph.source, quantizeGraph(graph, o), o);
}

async function compileQuantized(modelPath: string, q: Quantized, o: CompileOptions): Promise<Compiled> {
  const plan = planModule(q.qp, o.io, q.maxSteps);
  const source = emitModuleSource(plan, modelPath);
  const target = o.target ? resolveTarget(o.target) : undefined;
  const kernel = await chooseKernel(plan, source, o.features ?? {}, target, o.kernel, (m) => buildManifest(modelPath, o, q, plan, m));
  const manifest = buildManifest(modelPath, o, q, plan, kernel.module, kernel);
  return { ...q, plan, source, kernels: kernel.kernels, kernel, module: kernel.module, manifest };
}

/** Four random windows of the model's static length (or 16 steps) with values in [-1, 1]. */
function syntheticWindows(graph: Graph): DataSource {
  const shape = graph.inputs[0]?.shape ?? [];
  const steps = shape.find((d, i) => i < 2 && typeof d === 'number' && d > 1) as number | undefined;
  const features = shape[2];
  if (typeof features !== 'number') fail(`${graph.source}: input feature size is not static; give --data or --calib`);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const windows = Array.from({ length: 4 }, () => Array.from({ length: steps ?? 16 }, () => Array.from({ length: features }, random)));
  return { kind: 'windows', path: 'synthetic', windows };
}
