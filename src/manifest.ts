/**
 * @fileoverview `model.manifest.json`: everything firmware and tools need to use a compiled module
 * without rnnc — I/O shapes and formats (scale = 2^−frac, zero point 0), ABI addresses, the
 * feature set used, flash and RAM bytes — plus how it was made (scheme, calibration).
 */
import type { ModulePlan } from '../compiler/codegen/plan.ts';
import type { BuiltModule } from '../compiler/build/module.ts';
import { vecKey, vecSize } from '../compiler/lower/program.ts';
import type { CompileOptions, Quantized } from './compile.ts';
import type { KernelCandidate, KernelChoice } from './kernel-choice.ts';

export const MANIFEST_VERSION = 1;

export interface ManifestOutput {
  name: string;
  shape: (number | string)[];
  timing: 'seq' | 'final';
  axes: string[];
  /** Direction groups and features per group (the D and F axis sizes). */
  groups: number;
  features: number;
  ptr: number;
  step_elems: number;
  copies: { key: string; src: number; dst: number; count: number; frac: number }[];
}

export interface Manifest {
  rnnc_manifest: number;
  source: string;
  quant: string;
  rescale: string;
  io: string;
  activations: { lut_log2n: number; sigmoid_tanh: string };
  features: string[];
  calibration: { source: string; method: string; sequences: number };
  input: {
    name: string; shape: (number | string)[]; time_axis: number; batch_axis: number; feature_axis: number;
    size: number; bits: number; frac: number; scale: number; zero_point: 0; ptr: number; elem_bytes: number;
  };
  outputs: ManifestOutput[];
  max_steps: number;
  streamable: boolean;
  initial_states: number;
  state: { ptr: number; bytes: number; vectors: { key: string; ptr: number; elems: number; bits: number; frac: number }[] };
  exports: string[];
  memory: { pages: number; high_water: number; constants: { ptr: number; bytes: number }; buffers: { name: string; ptr: number; bytes: number }[] };
  sizes: { module_bytes: number; code_bytes: number; data_bytes: number; flash_bytes: number; ram_bytes: number };
  notes: string[];
  /** The matrix-kernel strategy used, why, and what each candidate was predicted to cost. */
  kernel?: { strategy: string; reason: string; candidates: KernelCandidate[] };
}

export function buildManifest(modelPath: string, o: CompileOptions, q: Quantized, plan: ModulePlan, module: BuiltModule, kernel?: KernelChoice): Manifest {
  const p = q.program;
  const x = q.qp.formats.get('x')!;
  const stateVectors = [...plan.current].filter(([k]) => k.startsWith('h') && !k.startsWith('head') || k.startsWith('c')).map(([key, ptr]) => {
    const f = q.qp.formats.get(key)!;
    const [l, dir] = key.slice(1).split('.').map(Number);
    return { key, ptr, elems: vecSize(p, { kind: key.startsWith('c') ? 'c' : 'h', layer: l, dir }), bits: f.bits, frac: f.frac };
  });
  // QRNN window 2 keeps its previous input step (the layer's input parts, in order) in the state too.
  for (const d of plan.dirs.filter((x) => x.xPrev)) {
    let ptr = d.xPrev;
    for (const r of d.input) {
      const f = q.qp.formats.get(vecKey(r))!, elems = vecSize(p, r);
      stateVectors.push({ key: `xprev${d.layer}.${d.dir}:${vecKey(r)}`, ptr, elems, bits: f.bits, frac: f.frac });
      ptr += elems * plan.vecBytes;
    }
  }
  const features = Object.entries(o.features ?? {}).filter(([, v]) => v).map(([k]) => k);
  return {
    rnnc_manifest: MANIFEST_VERSION,
    source: modelPath,
    quant: q.qp.options.scheme.name,
    rescale: o.rescale,
    io: o.io,
    activations: { lut_log2n: o.lutLog2N, sigmoid_tanh: o.sigmoidTanh },
    features: ['mvp', ...features],
    calibration: {
      source: q.calibration.source, sequences: q.calibration.sequences,
      method: q.calibration.method.kind === 'minmax' ? 'minmax' : `percentile ${q.calibration.method.p}`,
    },
    input: {
      name: p.input.name, shape: q.graph.inputs[0].shape, time_axis: p.input.timeAxis, batch_axis: p.input.batchAxis,
      feature_axis: p.input.featureAxis, size: p.input.size, bits: x.bits, frac: x.frac, scale: 2 ** -x.frac, zero_point: 0,
      ptr: plan.input.ptr, elem_bytes: plan.input.bytes,
    },
    outputs: p.outputs.map((out, i) => ({
      name: out.name, shape: out.shape, timing: out.view.timing, axes: out.view.axes, groups: out.view.groups.length,
      features: out.view.groups[0].reduce((s, r) => s + vecSize(p, r), 0),
      ptr: plan.outputs[i].ptr, step_elems: plan.outputs[i].slice, copies: plan.outputs[i].copies,
    })),
    max_steps: plan.maxSteps,
    streamable: plan.streamable,
    initial_states: Math.max(1, ...plan.dirs.map((d) => d.inits)),
    state: { ptr: plan.state.ptr, bytes: plan.state.bytes, vectors: stateVectors },
    exports: ['memory', 'reset', 'resetTo', 'step', 'run', 'input_ptr', 'input_step_elems', 'max_steps', 'state_ptr', 'state_bytes', 'streamable', 'initial_states',
      ...p.outputs.flatMap((_, i) => [`output${i}_ptr`, `output${i}_step_elems`])],
    memory: {
      pages: module.stats.pages, high_water: module.stats.memoryHighWater,
      constants: { ptr: plan.image.constStart, bytes: plan.image.data.length },
      buffers: plan.image.buffers.filter((b) => b.bytes > 0).map((b) => ({ name: b.name, ptr: b.address, bytes: b.bytes })),
    },
    sizes: {
      module_bytes: module.stats.moduleBytes, code_bytes: module.stats.codeBytes, data_bytes: module.stats.dataBytes,
      flash_bytes: module.stats.moduleBytes, ram_bytes: module.stats.memoryHighWater,
    },
    notes: q.notes,
    ...(kernel ? { kernel: { strategy: kernel.strategy, reason: kernel.reason, candidates: kernel.candidates } } : {}),
  };
}

