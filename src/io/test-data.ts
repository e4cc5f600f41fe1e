/**
 * @fileoverview The ONNX test-data folder layout (`input_N.pb`, `output_N.pb` TensorProto files),
 * used by `run` and `validate` for every model format: input_N feeds the model's N-th runtime
 * input, output_N is compared with its N-th output.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTensorFile } from '../../compiler/importers/onnx/tensor.ts';
import { fail } from '../../compiler/errors.ts';
import type { Graph, Tensor } from '../../compiler/ir/types.ts';

export interface TestData {
  inputs: Tensor[];
  /** Present only for files that exist (validate needs them, run does not). */
  outputs: Tensor[];
}

function numbered(dir: string, prefix: string): string[] {
  const files = readdirSync(dir).filter((f) => new RegExp(`^${prefix}_\\d+\\.pb$`).test(f));
  const byIndex = files.map((f) => Number(f.slice(prefix.length + 1, -3))).sort((a, b) => a - b);
  byIndex.forEach((n, i) => {
    if (n !== i) fail(`${dir}: ${prefix}_${i}.pb is missing (found ${prefix}_${n}.pb)`);
  });
  return byIndex.map((n) => join(dir, `${prefix}_${n}.pb`));
}

/**
 * `extraInputs`: accept more input files than the graph has inputs (a compiled module baked the
 * others in as constants); only the first ones are read.
 */
export function readTestData(dir: string, graph: Graph, needOutputs: boolean, extraInputs = false): TestData {
  if (!existsSync(dir)) fail(`${dir}: data folder does not exist`);
  if (!statSync(dir).isDirectory()) fail(`${dir}: --data must be a folder holding input_N.pb files (an ONNX test_data_set folder)`);
  const inputFiles = numbered(dir, 'input').slice(0, extraInputs ? graph.inputs.length : undefined);
  if (inputFiles.length === 0) fail(`${dir}: no input_0.pb found (expected an ONNX test_data_set folder)`);
  if (inputFiles.length !== graph.inputs.length) {
    fail(`${dir}: has ${inputFiles.length} input file(s) but the model has ${graph.inputs.length} input(s) (${graph.inputs.map((i) => i.name).join(', ')})`);
  }
  const inputs = inputFiles.map((f, i) => {
    const { tensor } = decodeTensorFile(readFileSync(f), f);
    const want = graph.inputs[i];
    const ok = tensor.shape.length === want.shape.length && want.shape.every((d, k) => typeof d !== 'number' || d === tensor.shape[k]);
    if (!ok) fail(`${f}: shape [${tensor.shape.join(',')}] does not fit model input '${want.name}' [${want.shape.join(',')}]`);
    if (tensor.dtype !== want.dtype) fail(`${f}: type ${tensor.dtype} does not match model input '${want.name}' (${want.dtype})`);
    return tensor;
  });
  const outputFiles = numbered(dir, 'output');
  if (needOutputs && outputFiles.length === 0) fail(`${dir}: no output_0.pb to compare with`);
  if (outputFiles.length > graph.outputs.length) {
    fail(`${dir}: has ${outputFiles.length} output file(s) but the model has ${graph.outputs.length} output(s)`);
  }
  const outputs = outputFiles.map((f) => decodeTensorFile(readFileSync(f), f).tensor);
  return { inputs, outputs };
}

/** Test-data folders of a model folder: the folder itself if it holds input_0.pb, else its test_data_set_* children. */
export function findDataSets(dir: string): string[] {
  if (!existsSync(dir)) fail(`${dir}: data folder does not exist`);
  if (!statSync(dir).isDirectory()) fail(`${dir}: --data must be a folder holding input_N.pb files (an ONNX test_data_set folder)`);
  if (existsSync(join(dir, 'input_0.pb'))) return [dir];
  return readdirSync(dir).filter((d) => /^test_data_set_\d+$/.test(d)).sort().map((d) => join(dir, d));
}
