/**
 * @fileoverview TF.js `weightsManifest` → named float32 tensors. Each manifest group lists its
 * shard files (paths relative to model.json, concatenated in order) and its weights (name,
 * shape, dtype) packed back to back. Sizes are checked against the files before anything is
 * read, so a truncated download gets a precise error instead of garbage weights.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, LIMITS } from '../../errors.ts';
import type { Tensor } from '../../ir/types.ts';

interface ManifestEntry {
  name: string;
  shape: number[];
  /** Optimizer state saved with includeOptimizer: its bytes are skipped, it is not a weight. */
  optimizer: boolean;
  bytes: number;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEntry(e: unknown, where: string): ManifestEntry {
  if (!isObject(e) || typeof e.name !== 'string') fail(`${where}: weight entry without a name`);
  const what = `${where}: weight '${e.name}'`;
  const optimizer = e.group === 'optimizer';
  const size = DTYPE_BYTES[String(e.dtype)];
  if (e.dtype !== 'float32' && !(optimizer && size)) fail(`${what}: dtype ${JSON.stringify(e.dtype)} is not supported (float32 only)`);
  if (e.quantization !== undefined) fail(`${what}: quantized weights are not supported (save the model unquantized)`);
  const shape = e.shape;
  if (!Array.isArray(shape) || shape.length > LIMITS.maxRank || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${what}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const n = shape.reduce((p: number, d: number) => p * d, 1);
  if (n > LIMITS.maxTensorElements) fail(`${what}: ${n} elements, above the limit of ${LIMITS.maxTensorElements}`);
  return { name: e.name, shape, optimizer, bytes: n * size };
}

/** Reads every weight named in the manifest; `modelFile` locates the shard paths. */
export function readTfjsWeights(manifest: unknown, modelFile: string): Map<string, Tensor> {
  if (!Array.isArray(manifest)) fail(`${modelFile}: weightsManifest is missing or not a list`);
  const dir = dirname(modelFile);
  const weights = new Map<string, Tensor>();
  manifest.forEach((group, gi) => {
    const where = `${modelFile}: weightsManifest[${gi}]`;
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) fail(`${where}: needs 'paths' and 'weights' lists`);
    const entries = group.weights.map((e) => checkEntry(e, where));
    const files = group.paths.map((p) => {
      if (typeof p !== 'string' || p.includes('://')) fail(`${where}: path ${JSON.stringify(p)} is not a local file name`);
      const file = join(dir, p);
      let size: number;
      try {
        size = statSync(file).size;
      } catch (e) {
        return fail(`${where}: weight file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      return { file, size };
    });
    const need = entries.reduce((s, e) => s + e.bytes, 0);
    const have = files.reduce((s, f) => s + f.size, 0);
    if (have < need) {
      fail(`${where}: weight file(s) ${files.map((f) => f.file).join(', ')} hold ${have} bytes, the manifest's shapes need ${need} (file too short)`);
    }
    if (have > need) fail(`${where}: weight file(s) hold ${have} bytes but the manifest's shapes account for only ${need}`);
    const bytes = new Uint8Array(need);
    let at = 0;
    for (const f of files) {
      const fd = openSync(f.file, 'r');
      try {
        at += readSync(fd, bytes, at, f.size, 0);
      } finally {
        closeSync(fd);
      }
    }
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const e of entries) {
      if (!e.optimizer) {
        if (weights.has(e.name)) fail(`${where}: weight '${e.name}' is listed twice`);
        const data = new Float32Array(e.bytes / 4);
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(offset + 4 * i, true);
        weights.set(e.name, { dtype: 'float32', shape: [...e.shape], data });
      }
      offset += e.bytes;
    }
  });
  return weights;
}
