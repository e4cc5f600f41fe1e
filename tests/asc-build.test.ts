// In-process asc build, MVP/no-import checks, and bit-equality of the AssemblyScript kernels
// (runtime-as/ops) with their TypeScript mirror (compiler/fixed), which
// fixed-primitives.test.ts checks against BigInt references.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileAssemblyScript, listImports, validateWasm } from '../compiler/build/asc.ts';
import * as P from '../compiler/fixed/primitives.ts';
import * as L from '../compiler/fixed/lut.ts';

const SCALARS = ['sat8', 'sat16', 'satAdd32', 'satSub32', 'roundingDoublingHighMul', 'roundingShiftRight',
  'saturatingShiftLeft', 'multiplyByQuantizedMultiplier', 'shiftRescale'] as const;
const KERNELS = ['matVecI8xI16', 'matVecI8xI8', 'matVecI16xI16'] as const;
const ACTS = ['lutInterp', 'sigmoidPwl', 'tanhPwl', 'relu', 'leakyRelu', 'thresholdedRelu', 'affine', 'hardSigmoid'] as const;
// Generated code lives at the virtual root and imports the runtime through 'runtime-as/'.
const TEST_MODULE = `
export { ${[...SCALARS, ...KERNELS, 'sat32FromI64'].join(', ')} } from './runtime-as/ops/primitives';
export { ${ACTS.join(', ')} } from './runtime-as/ops/lut';
`;

type Fn = (...args: (number | bigint)[]) => number;
let wasm: Uint8Array<ArrayBuffer>;
let exp: Record<string, Fn> & { memory: WebAssembly.Memory };
let compileMs = 0;

function rng(seed: number) { // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(777);
const randI32 = () => (Math.floor(rand() * 4294967296) - 2147483648) | 0;
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const EDGE = [-2147483648, -2147483647, -1073741824, -65536, -32769, -32768, -129, -128, -3, -2, -1, 0, 1, 2, 3,
  127, 128, 32767, 32768, 65535, 1073741824, 2147483646, 2147483647];
for (let e = 1; e <= 31; e++) for (const v of [2 ** (e - 1), 3 * 2 ** (e - 1)]) if (v < 2 ** 31) EDGE.push(v | 0, -v | 0);
const VALUES = EDGE.concat(Array.from({ length: 2000 }, randI32));
const MULTS = [0, 2 ** 30, 1518500250, 2147483647, -(2 ** 30), -2147483647];

beforeAll(async () => {
  await compileAssemblyScript({ files: { 'warm.ts': 'export function f(): i32 { return 1; }' }, entry: 'warm.ts' });
  const t0 = performance.now();
  ({ wasm } = await compileAssemblyScript({ files: { 'kernels.ts': TEST_MODULE }, entry: 'kernels.ts', extraArgs: ['--initialMemory', '4'] }));
  compileMs = performance.now() - t0;
  exp = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof exp;
}, 60_000);

describe('compileAssemblyScript', () => {
  it('produces an import-free, pure-MVP module exporting the kernels', async () => {
    console.info(`asc: kernel test module compiled in ${compileMs.toFixed(0)} ms (${wasm.length} bytes)`);
    expect(listImports(wasm)).toEqual([]);
    await validateWasm(wasm, {});
    for (const name of [...SCALARS, ...KERNELS, ...ACTS, 'sat32FromI64']) expect(typeof exp[name]).toBe('function');
  });

  it('keeps sign-extension out unless enabled, and validateWasm notices', async () => {
    const src = 'export function narrow(x: i32): i32 { return <i32><i8>x; }';
    const mvp = await compileAssemblyScript({ files: { 'n.ts': src }, entry: 'n.ts', emitWat: true });
    expect(mvp.wat).toMatch(/i32\.shr_s/);
    await validateWasm(mvp.wasm, {});
    const ext = await compileAssemblyScript({ files: { 'n.ts': src }, entry: 'n.ts', emitWat: true, features: { signExtension: true } });
    expect(ext.wat).toMatch(/i32\.extend8_s/);
    await expect(validateWasm(ext.wasm, {})).rejects.toThrow(/validation failed/);
    await validateWasm(ext.wasm, { signExtension: true });
    const f = (new WebAssembly.Instance(new WebAssembly.Module(mvp.wasm)).exports.narrow) as Fn;
    expect([f(200), f(-129), f(127)]).toEqual([-56, 127, 127]);
  });

  it('reports asc diagnostics and resolves nested runtime imports', async () => {
    await expect(compileAssemblyScript({ files: { 'bad.ts': 'export function f(): i32 { return nope; }' }, entry: 'bad.ts' }))
      .rejects.toThrow(/bad\.ts[\s\S]*Cannot find name 'nope'/);
    const nested = await compileAssemblyScript({
      files: { 'cells/x.ts': "import { sat8 } from '../runtime-as/ops/primitives';\nexport function g(x: i32): i32 { return sat8(x); }" },
      entry: 'cells/x.ts',
    });
    const g = new WebAssembly.Instance(new WebAssembly.Module(nested.wasm)).exports.g as Fn;
    expect([g(300), g(-300), g(5)]).toEqual([127, -128, 5]);
  });

  it('asconfig.json documents the same options', () => {
    const cfg = JSON.parse(readFileSync(new URL('../asconfig.json', import.meta.url), 'utf8'));
    expect(cfg.options.runtime).toBe('stub');
    expect(cfg.options.use).toEqual(['abort=']);
    expect([...cfg.options.disable].sort()).toEqual(['bulk-memory', 'mutable-globals', 'nontrapping-f2i', 'sign-extension']);
    expect(cfg.targets.release).toMatchObject({ optimizeLevel: 3, noAssert: true });
  });
});

describe('AssemblyScript kernels equal the TypeScript mirror bit for bit', () => {
  const ts = { ...P, ...L } as unknown as Record<string, Fn>;
  const check = (name: string, argSets: number[][]) => {
    const got = argSets.map((a) => exp[name](...a));
    const want = argSets.map((a) => ts[name](...a));
    expect(got, name).toEqual(want);
  };

  it('scalar primitives on edge and random values', () => {
    const pick = () => VALUES[randInt(0, VALUES.length - 1)];
    check('sat8', VALUES.map((x) => [x]));
    check('sat16', VALUES.map((x) => [x]));
    for (const f of ['satAdd32', 'satSub32', 'roundingDoublingHighMul']) check(f, VALUES.map((x) => [x, pick()]));
    check('roundingDoublingHighMul', VALUES.flatMap((x) => MULTS.map((m) => [x, m])));
    for (const f of ['roundingShiftRight', 'saturatingShiftLeft']) check(f, VALUES.flatMap((x) => [0, 1, 2, 15, 30, 31, randInt(0, 31)].map((e) => [x, e])));
    check('multiplyByQuantizedMultiplier', VALUES.flatMap((x) => MULTS.map((m) => [x, m, randInt(-31, 31)])));
    check('shiftRescale', VALUES.map((x) => [x, randInt(-31, 31)]));
    const wides = [-(2n ** 63n), -(2n ** 31n) - 1n, -(2n ** 31n), 0n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 63n - 1n,
      ...VALUES.map((x) => BigInt(x) * BigInt(randI32()))];
    expect(wides.map((v) => exp.sat32FromI64(v))).toEqual(wides.map((v) => P.sat32FromI64(v)));
  });

  it('matrix-vector kernels on random int8/int16 data', () => {
    const mem = () => exp.memory.buffer;
    const W = 1024, X = 65536, B = 81920, OUT = 90112; // byte addresses, all non-zero
    for (let t = 0; t < 30; t++) {
      const rows = randInt(1, 33), cols = randInt(1, 200), withBias = t % 4 !== 0;
      const bias = withBias ? Int32Array.from({ length: rows }, () => randInt(-(2 ** 20), 2 ** 20)) : null;
      if (bias) new Int32Array(mem(), B, rows).set(bias);
      const w8 = Int8Array.from({ length: rows * cols }, () => randInt(-128, 127));
      const w16 = Int16Array.from({ length: rows * cols }, () => (t < 3 ? -32768 : randInt(-32768, 32767)));
      const x8 = Int8Array.from({ length: cols }, () => randInt(-128, 127));
      const x16 = Int16Array.from({ length: cols }, () => (t < 3 ? -32768 : randInt(-32768, 32767)));
      const cases: [string, Int8Array | Int16Array, Int8Array | Int16Array][] = [
        ['matVecI8xI16', w8, x16], ['matVecI8xI8', w8, x8], ['matVecI16xI16', w16, x16]];
      for (const [name, w, x] of cases) {
        new (w.constructor as Int8ArrayConstructor)(mem(), W, w.length).set(w as Int8Array);
        new (x.constructor as Int8ArrayConstructor)(mem(), X, x.length).set(x as Int8Array);
        exp[name](OUT, W, X, withBias ? B : 0, rows, cols);
        const want = new Int32Array(rows);
        (ts[name] as unknown as (...a: unknown[]) => void)(want, w, x, bias, rows, cols);
        expect(Array.from(new Int32Array(mem(), OUT, rows)), `${name} ${rows}x${cols}`).toEqual(Array.from(want));
      }
    }
  });

  it('LUT interpolation over all 65536 inputs (sigmoid, tanh; N=256, N=32)', () => {
    const T = 2048;
    const all = Array.from({ length: 65536 }, (_, i) => i - 32768).concat([-2147483648, 40000, 2147483647]);
    for (const [name, table, log2N] of [['sigmoid', L.sigmoidLut(12, 8), 8], ['tanh', L.tanhLut(12, 8), 8],
      ['sigmoid', L.sigmoidLut(11, 5), 5], ['tanh', L.tanhLut(12, 5), 5]] as const) {
      new Int16Array(exp.memory.buffer, T, table.length).set(table);
      const got = all.map((q) => exp.lutInterp(q, T, log2N));
      expect(got, `${name} N=${2 ** log2N}`).toEqual(all.map((q) => L.lutInterp(q, table, log2N)));
    }
  });

  it('PWL sigmoid/tanh and the simple activations', () => {
    const q16 = Array.from({ length: 65536 }, (_, i) => i - 32768);
    for (const inFrac of [1, 8, 12, 15, 20, 25]) {
      check('sigmoidPwl', q16.map((q) => [q, inFrac]));
      check('tanhPwl', q16.map((q) => [q, inFrac]));
    }
    check('sigmoidPwl', VALUES.map((q) => [q, randInt(0, 25)]));
    check('tanhPwl', VALUES.map((q) => [q, randInt(1, 25)]));
    check('relu', VALUES.map((x) => [x]));
    check('thresholdedRelu', VALUES.map((x) => [x, randI32()]));
    check('leakyRelu', VALUES.map((x) => [x, MULTS[randInt(0, 5)], randInt(-31, 31)]));
    check('affine', VALUES.map((x) => [x, MULTS[randInt(0, 5)], randInt(-31, 31), randI32()]));
    check('hardSigmoid', VALUES.map((x) => [x, MULTS[randInt(0, 5)], randInt(-31, 31), randInt(-65536, 65536), 32767]));
  });
});
