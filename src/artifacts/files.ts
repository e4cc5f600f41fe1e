/**
 * @fileoverview The files `rnnc compile` writes for a compiled model.
 */
import type { Compiled } from '../compile.ts';

export function compileArtifacts(r: Compiled): { name: string; bytes: Uint8Array | string }[] {
  return [
    { name: 'model.wasm', bytes: r.module.wasm },
    { name: 'model.manifest.json', bytes: `${JSON.stringify(r.manifest, null, 2)}\n` },
    { name: 'model.ts', bytes: r.source },
  ];
}
