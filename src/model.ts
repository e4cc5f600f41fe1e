/**
 * @fileoverview Finding and loading a model by path, whatever its format: an `.onnx` file or a
 * folder holding `model.onnx`; a TF.js `model.json` or a folder holding one; a PyTorch
 * `.safetensors` file or a folder holding exactly one (with its `config.json`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../compiler/errors.ts';
import { loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import { loadPytorchModel } from '../compiler/importers/pytorch/load.ts';
import { loadTfjsModel } from '../compiler/importers/tfjs/load.ts';
import type { Graph } from '../compiler/ir/types.ts';

export function resolveModelPath(path: string): string {
  if (!existsSync(path)) fail(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    for (const name of ['model.onnx', 'model.json']) {
      if (existsSync(join(path, name))) return join(path, name);
    }
    const tensors = readdirSync(path).filter((f) => f.endsWith('.safetensors'));
    if (tensors.length === 1) return join(path, tensors[0]);
    if (tensors.length > 1) fail(`${path}: folder holds several .safetensors files (${tensors.join(', ')}); name one`);
    fail(`${path}: folder holds no model.onnx, model.json (TF.js) or .safetensors (PyTorch)`);
  }
  return path;
}

export function loadModel(path: string): Graph {
  const file = resolveModelPath(path);
  if (file.endsWith('.json')) return loadTfjsModel(file);
  if (file.endsWith('.safetensors')) return loadPytorchModel(file);
  return loadOnnxFile(file);
}
