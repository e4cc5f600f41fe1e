/**
 * @fileoverview Engines that execute a model for `run` and `validate`:
 *   reference — the float32 interpreter of the IR (the oracle);
 *   fixed     — the bit-exact fixed-point simulator of the quantized program;
 *   wasm      — the compiled module, run through its ABI in Node's WebAssembly.
 * A model path may be an ONNX model (fixed/wasm compile it first, calibrating on --calib or,
 * without it, on the --data inputs) or a folder written by `rnnc compile`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../compiler/errors.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { QProgram } from '../compiler/quantize/quantize.ts';
import { compileModel, quantizeModel, type CompileOptions } from './compile.ts';
import type { Manifest } from './manifest.ts';
import { loadModel } from './model.ts';
import { runWasm, WasmModel, type RunMode } from './wasm-engine.ts';

export const ENGINES = ['reference', 'fixed', 'wasm'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface Prepared {
  engine: EngineName;
  quant: string;
  /** The graph test-data folders are read against (inputs beyond the first may have been frozen). */
  dataGraph: Graph;
  /** Messages worth telling the user (calibration source, frozen inputs). */
  notes: string[];
  run(inputs: Tensor[]): Tensor[];
  /** wasm vs simulator, exact equality of every output (fixed and wasm engines). */
  bitExact?(inputs: Tensor[]): boolean;
  /** The quantized program (fixed and wasm engines; computed on first use for compiled folders). */
  quantized?(): QProgram;
}

export function isCompiledFolder(path: string): boolean {
  return existsSync(join(path, 'model.manifest.json')) && existsSync(join(path, 'model.wasm'));
}

function readManifest(dir: string): Manifest {
  try {
    return JSON.parse(readFileSync(join(dir, 'model.manifest.json'), 'utf8')) as Manifest;
  } catch (e) {
    return fail(`${dir}/model.manifest.json: cannot read (${(e as Error).message})`);
  }
}

/** A graph stand-in for reading test data against a compiled module. */
function manifestGraph(m: Manifest, dir: string): Graph {
  return {
    name: 'compiled', source: dir, meta: {}, initializers: new Map(), nodes: [], values: new Map(),
    inputs: [{ name: m.input.name, dtype: 'float32', shape: m.input.shape }],
    outputs: m.outputs.map((o) => ({ name: o.name, dtype: 'float32', shape: o.shape })),
  };
}

function equalOutputs(a: Tensor[], b: Tensor[]): boolean {
  return a.length === b.length && a.every((t, i) => t.data.length === b[i].data.length && t.data.every((v, k) => Object.is(v, b[i].data[k])));
}

export async function prepareEngine(modelPath: string, engine: string, o: CompileOptions, mode: RunMode = 'run'): Promise<Prepared> {
  if (!(ENGINES as readonly string[]).includes(engine)) fail(`--engine ${engine} is not available (available: ${ENGINES.join(', ')})`);
  const e = engine as EngineName;
  if (isCompiledFolder(modelPath)) {
    const m = readManifest(modelPath);
    if (e === 'reference') fail(`${modelPath}: a compiled folder has no float model; run the reference engine on ${m.source}`);
    const wasm = await WasmModel.load(readFileSync(join(modelPath, 'model.wasm')), m);
    const opts: CompileOptions = { ...o, quant: m.quant, rescale: m.rescale as CompileOptions['rescale'], io: 'f32',
      calib: m.calibration.source, lutLog2N: m.activations.lut_log2n, sigmoidTanh: m.activations.sigmoid_tanh as 'lut' | 'pwl', maxSteps: m.max_steps };
    const simulator = () => {
      if (!existsSync(m.source)) fail(`${modelPath}: the fixed engine re-quantizes the source model ${m.source}, which is not found`);
      return quantizeModel(m.source, opts).qp;
    };
    let qp: QProgram | undefined;
    const quantized = () => (qp ??= simulator());
    return {
      engine: e, quant: m.quant, dataGraph: manifestGraph(m, modelPath), notes: [], quantized,
      run: (inputs) => (e === 'fixed' ? simulate(quantized(), inputs[0]).outputs : runWasm(wasm, inputs[0], mode)),
      bitExact: (inputs) => equalOutputs(runWasm(wasm, inputs[0], mode), simulate(quantized(), inputs[0]).outputs),
    };
  }
  if (e === 'reference') {
    const graph = loadModel(modelPath);
    return {
      engine: e, quant: 'f32', dataGraph: graph, notes: [],
      run: (inputs) => {
        const result = runReference(graph, new Map(graph.inputs.map((v, i) => [v.name, inputs[i]])));
        return graph.outputs.map((out) => result.get(out.name)!);
      },
    };
  }
  const dataGraph = loadModel(modelPath);
  const compiled = await compileModel(modelPath, { ...o, io: 'f32' });
  const wasm = await WasmModel.load(compiled.module.wasm, compiled.manifest);
  const { qp } = compiled;
  return {
    engine: e, quant: qp.options.scheme.name, dataGraph, notes: compiled.notes, quantized: () => qp,
    run: (inputs) => (e === 'fixed' ? simulate(qp, inputs[0]).outputs : runWasm(wasm, inputs[0], mode)),
    bitExact: (inputs) => equalOutputs(runWasm(wasm, inputs[0], mode), simulate(qp, inputs[0]).outputs),
  };
}
