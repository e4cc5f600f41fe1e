/**
 * @fileoverview From generated AssemblyScript to the final module: compile in-process with asc
 * (stub runtime, no imports), place the planned constants as a data segment at their absolute
 * addresses and fix the memory size (no growth), optimize with binaryen, and validate with wabt
 * against the allowed feature set.
 */
import { fail } from '../errors.ts';
import type { ModulePlan } from '../codegen/plan.ts';
import { compileAssemblyScript, listImports, validateWasm, type WasmFeatures } from './asc.ts';
import { sections, withMemoryAndData } from './wasm-binary.ts';

// binaryen is an ES module with top-level await: load it lazily, once.
type Binaryen = typeof import('binaryen').default;
let binaryenPromise: Promise<Binaryen> | undefined;
function loadBinaryen(): Promise<Binaryen> {
  binaryenPromise ??= import('binaryen').then((m) => m.default);
  return binaryenPromise;
}

export interface ModuleStats {
  moduleBytes: number;
  codeBytes: number;
  dataBytes: number;
  /** Highest byte of linear memory the module uses: what firmware gives wasm3 as memoryLimit. */
  memoryHighWater: number;
  pages: number;
}

export interface BuiltModule {
  wasm: Uint8Array;
  stats: ModuleStats;
}

const PAGE = 65536;

/** `kernels`: the module's root kernels.ts (compiler/codegen/kernels.ts); default: the loop kernel only. */
export async function buildModule(plan: ModulePlan, source: string, features: WasmFeatures = {}, kernels?: string): Promise<BuiltModule> {
  const img = plan.image;
  const asBase = Math.ceil(img.end / 16) * 16;
  const { wasm: raw } = await compileAssemblyScript({
    files: kernels ? { 'model.ts': source, 'kernels.ts': kernels } : { 'model.ts': source }, entry: 'model.ts', features,
    extraArgs: ['--memoryBase', String(asBase)],
  });
  // The generated code has no static data and the stub runtime allocates nothing, so the
  // planned image is all the memory the module touches: its end is the high-water mark.
  const highWater = img.end;
  const pages = Math.max(1, Math.ceil(highWater / PAGE));
  const patched = withMemoryAndData(raw, pages, img.constStart, img.data);
  const binaryen = await loadBinaryen();
  const mod = binaryen.readBinary(patched);
  let wasm: Uint8Array;
  try {
    mod.setFeatures(featureMask(binaryen, features));
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(1);
    mod.optimize();
    if (!mod.validate()) fail('internal: binaryen rejected the generated module');
    wasm = new Uint8Array(mod.emitBinary());
  } finally {
    mod.dispose();
  }
  await validateWasm(wasm, features);
  if (listImports(new Uint8Array(wasm)).length) fail('internal: the generated module has imports');
  return { wasm, stats: { ...sectionSizes(wasm), moduleBytes: wasm.length, memoryHighWater: highWater, pages } };
}

function featureMask(binaryen: Binaryen, f: WasmFeatures): number {
  const F = binaryen.Features;
  let m = F.MVP;
  if (f.simd) m |= F.SIMD128;
  if (f.bulkMemory) m |= F.BulkMemory;
  if (f.signExtension) m |= F.SignExt;
  if (f.mutableGlobals) m |= F.MutableGlobals;
  if (f.nontrappingF2I) m |= F.NontrappingFPToInt;
  if (f.multiValue) m |= F.Multivalue;
  if (f.referenceTypes) m |= F.ReferenceTypes;
  return m;
}

/** Code and data section payload sizes, read from the binary's section headers. */
export function sectionSizes(wasm: Uint8Array): { codeBytes: number; dataBytes: number } {
  const size = (id: number) => sections(wasm).filter((s) => s.id === id).reduce((n, s) => n + s.end - s.payload, 0);
  return { codeBytes: size(10), dataBytes: size(11) };
}
