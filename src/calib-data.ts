/**
 * @fileoverview Calibration and evaluation data: ONNX test-data folders (input_N.pb), or input
 * windows in JSON ([[step features...]...] per window) or CSV (one window per line, row-major
 * [T][I] values). Windows become the graph input tensor once lowering has fixed which axis is
 * time, batch and features.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fail } from '../compiler/errors.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import type { Program } from '../compiler/lower/program.ts';
import { findDataSets, readTestData } from './io/test-data.ts';

export type DataSource =
  | { kind: 'test-data'; path: string; sets: Tensor[][] }
  | { kind: 'windows'; path: string; windows: number[][][] };

export function readDataSource(path: string, graph: Graph): DataSource {
  if (!existsSync(path)) fail(`${path}: calibration data not found`);
  if (statSync(path).isDirectory()) {
    const sets = findDataSets(path);
    if (sets.length === 0) fail(`${path}: no input_0.pb or test_data_set_* folders`);
    return { kind: 'test-data', path, sets: sets.map((d) => readTestData(d, graph, false).inputs) };
  }
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return { kind: 'windows', path, windows: windowsFromJson(text, path) };
  if (path.endsWith('.csv')) return { kind: 'windows', path, windows: windowsFromCsv(text, path) };
  return fail(`${path}: calibration data must be a test-data folder, a .json or a .csv file`);
}

function windowsFromJson(text: string, path: string): number[][][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value) || value.length === 0) fail(`${path}: expected a non-empty array of windows`);
  return (value as unknown[]).map((w, i) => {
    if (!Array.isArray(w) || w.length === 0) fail(`${path}: window ${i} is not a non-empty array of steps`);
    return (w as unknown[]).map((s, t) => {
      const step = Array.isArray(s) ? s : [s];
      if (!step.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`${path}: window ${i} step ${t} holds a non-finite or non-number value`);
      return step as number[];
    });
  });
}

function windowsFromCsv(text: string, path: string): number[][][] {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const numeric = rows.filter((l, i) => i > 0 || /^[-+.\d]/.test(l));
  if (numeric.length === 0) fail(`${path}: no data rows`);
  return numeric.map((l, i) => {
    const values = l.split(',').map(Number);
    if (values.some((v) => !Number.isFinite(v))) fail(`${path}: row ${i + 1} holds a value that is not a finite number`);
    return values.map((v) => [v]); // one feature per value; reshaped to the input size later
  });
}

/** Graph-input tensors for the program's sequence input, one per data set or window. */
export function sequenceInputs(src: DataSource, p: Program): Tensor[] {
  if (src.kind === 'test-data') return src.sets.map((s) => s[0]);
  const I = p.input.size;
  return src.windows.map((w, i) => {
    let steps = w;
    if (w.every((s) => s.length === 1) && I > 1) {
      // CSV rows: flat [T·I] values.
      const flat = w.map((s) => s[0]);
      if (flat.length % I !== 0) fail(`${src.path}: window ${i} has ${flat.length} values, not a multiple of the input size ${I}`);
      steps = Array.from({ length: flat.length / I }, (_, t) => flat.slice(t * I, (t + 1) * I));
    }
    if (steps.some((s) => s.length !== I)) fail(`${src.path}: window ${i} has steps of ${steps.find((s) => s.length !== I)!.length} features; the model takes ${I}`);
    const shape = [0, 0, 0];
    shape[p.input.timeAxis] = steps.length;
    shape[p.input.batchAxis] = 1;
    shape[p.input.featureAxis] = I;
    const data = new Float32Array(steps.length * I);
    const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
    steps.forEach((s, t) => s.forEach((v, f) => (data[t * strides[p.input.timeAxis] + f * strides[p.input.featureAxis]] = v)));
    return { dtype: 'float32', shape, data };
  });
}
