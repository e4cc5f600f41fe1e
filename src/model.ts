/**
 * @fileoverview Finding and loading a model by path, whatever its format: an `.onnx` file, or a
 * folder holding `model.onnx`. (Other importers register here as they arrive.)
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../compiler/errors.ts';
import { loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import type { Graph } from '../compiler/ir/types.ts';

export function resolveModelPath(path: string): string {
  if (!existsSync(path)) fail(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    const onnx = join(path, 'model.onnx');
    if (existsSync(onnx)) return onnx;
    fail(`${path}: folder holds no model.onnx`);
  }
  return path;
}

export function loadModel(path: string): Graph {
  const file = resolveModelPath(path);
  if (file.endsWith('.json')) fail(`${file}: TF.js/Keras models are not supported yet (ONNX only)`);
  return loadOnnxFile(file);
}
