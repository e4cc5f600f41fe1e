// Compile AssemblyScript in-process with a virtual file system, and check the result.
//
// Path convention: the virtual FS root is a project root. `files` keys are paths relative to
// it ('model.ts', 'cells/lstm.ts'); the repo's real `runtime-as/` directory is mounted at
// 'runtime-as/' (read lazily from disk, overridable by a `files` entry), so a generated root
// file imports `from './runtime-as/ops/primitives'`. Nothing is written to disk.
//
// The default options match asconfig.json's "release" target: stub runtime, no asserts, no
// abort import, -O3, and every post-MVP feature off so modules run on any MCU wasm runtime.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { packageRoot } from '../paths.ts';

export interface WasmFeatures {
  simd?: boolean; bulkMemory?: boolean; signExtension?: boolean; mutableGlobals?: boolean;
  nontrappingF2I?: boolean; multiValue?: boolean; referenceTypes?: boolean;
}

export interface CompileOptions {
  /** Virtual path -> AssemblyScript source. */
  files: Record<string, string>;
  /** Entry file, a key of `files`. Its exports become the module's exports. */
  entry: string;
  optimizeLevel?: number;
  shrinkLevel?: number;
  /** Post-MVP features to allow; all off by default. (asc 0.28 cannot emit multi-value.) */
  features?: WasmFeatures;
  /** Also return the text format (costs a little time). */
  emitWat?: boolean;
  /** Extra asc arguments, e.g. ['--initialMemory', '1']. */
  extraArgs?: string[];
}

export interface CompileResult { wasm: Uint8Array<ArrayBuffer>; wat?: string; stderr: string }

const RUNTIME_DIR = `${packageRoot()}/runtime-as/`;
const RUNTIME_PREFIX = 'runtime-as/';

/** asc's own defaults enable these; we disable each unless the caller allows it. */
const ASC_DEFAULT_ON: [keyof WasmFeatures, string][] = [
  ['signExtension', 'sign-extension'], ['mutableGlobals', 'mutable-globals'],
  ['nontrappingF2I', 'nontrapping-f2i'], ['bulkMemory', 'bulk-memory'],
];
const ASC_DEFAULT_OFF: [keyof WasmFeatures, string][] = [['simd', 'simd'], ['referenceTypes', 'reference-types']];

/** The fixed part of every compile; asconfig.json documents the same options. */
export const BASE_ASC_ARGS = ['--runtime', 'stub', '--noAssert', '--use', 'abort=', '--noColors'];

type Asc = typeof import('assemblyscript/asc').default;
let ascPromise: Promise<Asc> | undefined;
// asc is a ~0.5 s load; import it once, and only when something is compiled.
function loadAsc(): Promise<Asc> {
  ascPromise ??= import('assemblyscript/asc').then((m) => m.default);
  return ascPromise;
}

// asc.main keeps global compiler state; run compilations one at a time.
let queue: Promise<unknown> = Promise.resolve();

/** The asc argv for these options (exported for tests and `--showConfig`-style debugging). */
export function ascArgs(opts: CompileOptions): string[] {
  const f = opts.features ?? {};
  const disable = ASC_DEFAULT_ON.filter(([k]) => !f[k]).map(([, name]) => name);
  const enable = ASC_DEFAULT_OFF.filter(([k]) => f[k]).map(([, name]) => name);
  return [
    opts.entry, '--outFile', 'out.wasm', ...(opts.emitWat ? ['--textFile', 'out.wat'] : []),
    ...BASE_ASC_ARGS,
    '--optimizeLevel', String(opts.optimizeLevel ?? 3), '--shrinkLevel', String(opts.shrinkLevel ?? 0),
    ...(disable.length ? ['--disable', disable.join(',')] : []),
    ...(enable.length ? ['--enable', enable.join(',')] : []),
    ...(opts.extraArgs ?? []),
  ];
}

/** runtime-as imports the module's specialised kernels from the root 'kernels.ts'; without one: none. */
export const DEFAULT_KERNELS = `// No specialised kernels: every matrix uses the loop kernel.
export function matRowsFor(out: usize, m: usize, v: usize, vOff: i32, row0: i32, count: i32): bool {
  return false;
}
`;

function readVirtual(files: Record<string, string>, path: string): string | null {
  if (path.startsWith('../')) return null; // never escape the virtual root
  if (Object.hasOwn(files, path)) return files[path];
  if (path === 'kernels.ts') return DEFAULT_KERNELS;
  if (!path.startsWith(RUNTIME_PREFIX)) return null; // includes asconfig.json: argv rules
  try {
    return readFileSync(RUNTIME_DIR + path.slice(RUNTIME_PREFIX.length), 'utf8');
  } catch {
    return null; // asc probes several candidate names per import
  }
}

/** Compile to wasm. Throws an Error with asc's first diagnostic lines on failure. */
export async function compileAssemblyScript(opts: CompileOptions): Promise<CompileResult> {
  const run = queue.then(() => compileNow(opts));
  queue = run.catch(() => undefined);
  return run;
}

async function compileNow(opts: CompileOptions): Promise<CompileResult> {
  const asc = await loadAsc();
  const outputs = new Map<string, Uint8Array | string>();
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const key = (name: string, baseDir: string) => posix.normalize(posix.join(baseDir, name));
  const result = await asc.main(ascArgs(opts), {
    stdout, stderr,
    readFile: (name, baseDir) => readVirtual(opts.files, key(name, baseDir)),
    writeFile: (name, contents, baseDir) => { outputs.set(key(name, baseDir), contents); },
    listFiles: () => [], // only used for --lib directories, which we do not use
  });
  const log = stderr.toString();
  if (result.error) {
    const head = log.split('\n').filter((l) => l.trim() !== '').slice(0, 20).join('\n');
    throw new Error(`AssemblyScript compile of ${opts.entry} failed: ${result.error.message}\n${head}`);
  }
  const wasm = outputs.get('out.wasm');
  if (!(wasm instanceof Uint8Array)) throw new Error(`AssemblyScript compile of ${opts.entry} produced no binary`);
  const wat = outputs.get('out.wat');
  // Copy into a plain ArrayBuffer-backed array, the type WebAssembly.Module accepts.
  return { wasm: new Uint8Array(wasm), wat: typeof wat === 'string' ? wat : undefined, stderr: log };
}

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;
let wabtPromise: Promise<Wabt> | undefined;
function loadWabt(): Promise<Wabt> {
  wabtPromise ??= import('wabt').then((m) => m.default());
  return wabtPromise;
}

/**
 * Throw unless `bytes` is a valid module using only MVP plus the allowed `features`.
 * Every wabt feature is set explicitly because wabt enables several post-MVP ones by default.
 */
export async function validateWasm(bytes: Uint8Array, features: WasmFeatures = {}): Promise<void> {
  const wabt = await loadWabt();
  const allowed = {
    simd: !!features.simd, bulk_memory: !!features.bulkMemory, sign_extension: !!features.signExtension,
    mutable_globals: !!features.mutableGlobals, sat_float_to_int: !!features.nontrappingF2I,
    multi_value: !!features.multiValue, reference_types: !!features.referenceTypes,
    exceptions: false, threads: false, function_references: false, tail_call: false, annotations: false,
    code_metadata: false, gc: false, memory64: false, extended_const: false, relaxed_simd: false,
  };
  let mod: ReturnType<Wabt['readWasm']> | undefined;
  try {
    mod = wabt.readWasm(bytes, { readDebugNames: false, check: true, ...allowed });
    mod.validate();
  } catch (e) {
    const on = Object.entries(features).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none';
    throw new Error(`wasm validation failed (post-MVP features allowed: ${on}): ${(e as Error).message.trim()}`);
  } finally {
    mod?.destroy();
  }
}

/** The module's imports; generated modules must have none. */
export function listImports(bytes: BufferSource): WebAssembly.ModuleImportDescriptor[] {
  return WebAssembly.Module.imports(new WebAssembly.Module(bytes));
}
