/**
 * @fileoverview The files `rnnc compile` writes for a compiled model.
 */
import type { Compiled } from '../compile.ts';
import { loaderDts, loaderJs } from './loader.ts';
import { modelHeader } from './model-h.ts';

export function compileArtifacts(r: Compiled): { name: string; bytes: Uint8Array | string }[] {
  return [
    { name: 'model.wasm', bytes: r.module.wasm },
    { name: 'model.manifest.json', bytes: `${JSON.stringify(r.manifest, null, 2)}\n` },
    { name: 'model.h', bytes: modelHeader(r.module.wasm, r.manifest) },
    { name: 'model.js', bytes: loaderJs(r.manifest) },
    { name: 'model.d.ts', bytes: loaderDts(r.manifest) },
    { name: 'model.ts', bytes: r.source },
    { name: 'kernels.ts', bytes: r.kernels },
  ];
}
