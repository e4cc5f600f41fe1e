/**
 * The 'immediate' matrix kernel (weights as i64 constants, two int8 rows per multiply-add,
 * constant rescales). Oracles: the TypeScript simulator (compiler/fixed) for whole models and for
 * single matrices at the quantizer's accumulator bound; WABT's wasm-interp (MVP only) as a second
 * engine; targets/costs.json read here directly (not through src/estimate) times the opcodes an
 * instrumented module executes, for the predicted wasm3 cost per MAC on a Cortex-M4.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAssemblyScript } from '../compiler/build/asc.ts';
import { classOf, countOpcodes, instrumentModule, resetCounts } from '../compiler/build/instrument.ts';
import { buildModule } from '../compiler/build/module.ts';
import { runWasmInterp } from '../compiler/build/wasm-interp.ts';
import { emitModuleSource } from '../compiler/codegen/emit.ts';
import { expectedHash, harnessSource } from '../compiler/codegen/harness.ts';
import { IMMEDIATE_HELPERS, immediateMatrixSource, rescaleExpr } from '../compiler/codegen/kernels-immediate.ts';
import { kernelsSource } from '../compiler/codegen/kernels.ts';
import { planModule } from '../compiler/codegen/plan.ts';
import { matRows, rescale, type QMat } from '../compiler/fixed/cells/common.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { inputSteps } from '../compiler/lower/assemble.ts';
import { compileGraph, compileModel, DEFAULT_COMPILE, quantizeModel, type Compiled } from '../src/compile.ts';
import { chooseKernel } from '../src/kernel-choice.ts';
import { buildManifest } from '../src/manifest.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { resolveTarget, type DeviceProfile } from '../src/targets.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { FIXTURES, ROOT } from './helpers/cli.ts';
import { same } from './helpers/compare.ts';
import { qrnnGraph, randomInput, randomQrnnLayer, windowsFile } from './helpers/sru-qrnn-models.ts';

const CONF = `${FIXTURES}/conformance`;
const QUANTS = ['int8x16', 'int8', 'int16'];

/** A 32-bit xorshift: deterministic test data. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
}

async function asModule(src: string): Promise<WebAssembly.Instance> {
  const { wasm } = await compileAssemblyScript({ files: { 'k.ts': src }, entry: 'k.ts', extraArgs: ['--initialMemory', '2'] });
  expect(WebAssembly.Module.imports(new WebAssembly.Module(wasm))).toEqual([]);
  return (await WebAssembly.instantiate(wasm, {})).instance;
}

describe('constant rescales equal the simulator rescale', () => {
  it('every shift, multipliers across [2^30, 2^31), accumulators up to the i32 limits', async () => {
    const r = rng(7);
    const cases: [number, number][] = [];
    for (let shift = -31; shift <= 31; shift++) {
      cases.push([0, shift]);
      for (let k = 0; k < 3; k++) cases.push([2 ** 30 + Math.floor(r() * 2 ** 30), shift]);
    }
    cases.push([2 ** 30, 0], [2 ** 31 - 1, -31], [2 ** 31 - 1, 31]);
    const fns = cases.map(([m, s], i) => `export function f${i}(a: i32): i32 { return ${rescaleExpr('a', m, s)}; }`);
    const inst = await asModule([...IMMEDIATE_HELPERS, ...fns].join('\n'));
    const accs = [0, 1, -1, 2, -2, 3, -3, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1, 2 ** 30, -(2 ** 30), 12345, -12345];
    for (let k = 0; k < 40; k++) accs.push(Math.floor(r() * 2 ** 32) - 2 ** 31, Math.floor((r() - 0.5) * 2 ** 20));
    let checked = 0;
    cases.forEach(([m, s], i) => {
      const f = inst.exports[`f${i}`] as (a: number) => number;
      for (const a of accs) {
        expect(f(a), `rescale(${a}, ${m}, ${s})`).toBe(rescale(a, m, s));
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(10_000);
  });
});

/** Runs the generated function for `mat` on vector x (Int8Array or Int16Array) and returns out[rows]. */
async function runImmediate(mat: QMat, x: Int8Array | Int16Array): Promise<Int32Array> {
  const vecType = x instanceof Int8Array ? 'i8' : 'i16';
  const src = [...IMMEDIATE_HELPERS, ...immediateMatrixSource('mi0', mat, vecType), 'export function run(out: usize, x: usize): void { mi0(out, x); }'];
  const inst = await asModule(src.join('\n'));
  const mem = (inst.exports.memory as WebAssembly.Memory).buffer;
  const X = 1024, OUT = 65536;
  new Uint8Array(mem, X, x.byteLength).set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  (inst.exports.run as (o: number, x: number) => void)(OUT, X);
  return new Int32Array(mem.slice(OUT, OUT + 4 * mat.rows));
}

describe('two int8 rows in one i64 accumulator stay exact at the quantizer bound', () => {
  // |bias| + Σ|w|·vmax = 2^31 − 1 exactly (compiler/quantize/formats.ts's condition), rows of each sign, an odd row last.
  for (const [vec, vmax] of [['int16', 32768], ['int8', 128]] as const) {
    it(`${vec} vectors`, async () => {
      // int16: the products carry the sums to the bound; int8 (|x| <= 128): the bias does.
      const cols = vec === 'int16' ? 500 : 100;
      const bound = cols * 127 * vmax, B = 2 ** 31 - 1 - bound;
      const signs = [1, -1, 1, -1, 1];
      const w = new Int8Array(signs.length * cols);
      signs.forEach((s, r) => w.fill(127 * s, r * cols, (r + 1) * cols));
      for (let c = 0; c < cols; c += 7) w[4 * cols + c] = 0; // zero weights are skipped, not mis-summed
      const mat: QMat = { rows: 5, cols, w, bias: Int32Array.from([-B, B, B, -B, 0]), mult: new Int32Array(0), shift: new Int8Array(5), accShift: 0 };
      for (const fill of [-vmax, vmax - 1, 0]) {
        const x = vec === 'int16' ? new Int16Array(cols).fill(fill) : new Int8Array(cols).fill(fill);
        const want = new Int32Array(5);
        matRows(want, mat, x, 0, 0, 5);
        if (fill === -vmax) expect(Math.abs(want[0])).toBe(2 ** 31 - 1); // at the bound, not near it
        expect(Array.from(await runImmediate(mat, x)), `x = ${fill}`).toEqual(Array.from(want));
      }
    });
  }

  it('int16 weights: i64 sums, accShift rounding, saturation, multipliers', async () => {
    const r = rng(11), rows = 4, cols = 64;
    const w = Int16Array.from({ length: rows * cols }, () => Math.floor((r() - 0.5) * 65535));
    w.fill(32767, 0, cols);
    const mat: QMat = { rows, cols, w, bias: Int32Array.from([2 ** 31 - 1, -5, 77, -(2 ** 31)]), mult: Int32Array.from([0, 1518500250, 2 ** 30, 2 ** 31 - 1]), shift: Int8Array.from([0, 3, -7, 0]), accShift: 6 };
    for (const fill of [32767, -32768, 1234]) {
      const x = Int16Array.from({ length: cols }, (_, c) => (c % 3 ? fill : Math.floor((r() - 0.5) * 65535)));
      const want = new Int32Array(rows);
      matRows(want, mat, x, 0, 0, rows);
      expect(Array.from(await runImmediate(mat, x))).toEqual(Array.from(want));
    }
  });
});

const TMP = mkdtempSync(join(tmpdir(), 'rnnc-kernels-'));

interface Model { name: string; compile(quant: string): Promise<Compiled>; input: ReturnType<typeof randomInput>; streamable: boolean }

function folder(name: string, rel: string, streamable = true): Model {
  const dir = `${CONF}/${rel}`, data = `${dir}/test_data_set_0`;
  return { name, streamable, input: readTestData(data, loadModel(dir), false).inputs[0], compile: (quant) => compileModel(dir, { ...DEFAULT_COMPILE, quant, data, kernel: 'immediate' }) };
}

const QRNN = qrnnGraph([randomQrnnLayer(4, 5, 2, 'fo', 606)], 4);
const MODELS: Model[] = [
  folder('RNN', 'onnx-backend/test_simple_rnn_with_initial_bias'),
  folder('GRU lbr=0', 'onnx-backend/test_gru_defaults'),
  folder('GRU lbr=1', 'generated/gru_linear_before_reset'),
  folder('LSTM clip', 'generated/lstm_clip'),
  folder('LSTM + dense head (TF.js)', 'tfjs/lstm_seattle_temp_max/onnx_equivalent'),
  folder('SRU (2 layers, bidirectional)', 'pytorch-sru/sru_2layer_bidirectional', false),
  { name: 'QRNN window 2, fo-pooling', streamable: true, input: randomInput(12, 3, 4, 608),
    compile: (quant) => compileGraph(QRNN, { ...DEFAULT_COMPILE, quant, calib: windowsFile(TMP, 4, 8, 16, 607), kernel: 'immediate' }) },
];

describe('the immediate kernel is bit-exact with the simulator', () => {
  for (const m of MODELS) {
    it(`${m.name}: ${QUANTS.join(', ')}`, async () => {
      for (const quant of QUANTS) {
        const r = await m.compile(quant);
        expect(r.kernel.strategy).toBe('immediate');
        const mats = r.kernels.match(/function mi\d+/g) ?? [];
        expect(mats.length, `${quant}: weight-immediate matrices`).toBeGreaterThan(0);
        expect(r.kernels).not.toMatch(/function mv\d+/); // every matrix specialised
        const sim = simulate(r.qp, m.input).outputs;
        const wasm = await WasmModel.load(r.module.wasm, r.manifest);
        expect(same(runWasm(wasm, m.input, 'run'), sim), `${quant} run`).toBe(true);
        if (m.streamable) expect(same(runWasm(wasm, m.input, 'step'), sim), `${quant} step`).toBe(true);
      }
    }, 120_000);
  }
});

describe('the immediate kernel under wasm-interp (MVP only) = simulator', () => {
  for (const [rel, quant] of [['generated/gru_linear_before_reset', 'int8x16'], ['generated/lstm_clip', 'int8'], ['onnx-backend/test_gru_defaults', 'int16']]) {
    it(`${rel} ${quant}`, async () => {
      const dir = `${CONF}/${rel}`;
      const q = quantizeModel(dir, { ...DEFAULT_COMPILE, quant, data: `${dir}/test_data_set_0`, maxSteps: 32 });
      const x = readTestData(`${dir}/test_data_set_0`, loadModel(dir), false).inputs[0];
      const plan = planModule(q.qp, 'f32', q.maxSteps);
      const kernels = kernelsSource(plan, 'immediate');
      const src = emitModuleSource(plan, 'selftest') + harnessSource(plan, inputSteps(plan.qp.program, x, 0), 'run');
      const wasm = (await buildModule(plan, src, {}, kernels)).wasm;
      expect(runWasmInterp(wasm, 'selftest').value).toBe(expectedHash(plan, x, 0, simulate(plan.qp, x)));
    }, 60_000);
  }
});

/** wasm3 ARM instructions per step of a module: executed opcodes (one step()) × targets/costs.json's wasm3 row. */
async function wasm3ArmPerStep(r: Compiled): Promise<number> {
  const table: Record<string, number> = JSON.parse(readFileSync(`${ROOT}targets/costs.json`, 'utf8')).runtimes.wasm3.arm_per_op;
  const inst = await instrumentModule(r.module.wasm);
  const { instance } = (await WebAssembly.instantiate(inst.wasm, {})) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  const ex = instance.exports as unknown as { reset(): void; step(): number; memory: WebAssembly.Memory };
  ex.reset();
  const io = new Float32Array(ex.memory.buffer, r.manifest.input.ptr, r.manifest.input.size);
  io.forEach((_, i) => (io[i] = 0.25 * Math.sin(i)));
  resetCounts(instance);
  ex.step();
  let arm = 0;
  for (const [op, n] of Object.entries(countOpcodes(instance))) arm += n * (table[op] ?? table[`class:${classOf(op)}`] ?? table['class:other']);
  return arm;
}

describe('int8 GRU (input 32, hidden 64) under wasm3 on a Cortex-M4', () => {
  const dir = `${FIXTURES}/bench/gru_i32_h64_s100`;
  const MACS = 3 * 64 * (32 + 64);
  it('int8: chosen for an M4 with room for it (stm32l4r5), at <= 50 predicted ARM instructions per MAC', async () => {
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'int8', data: `${dir}/test_data_set_0`, target: 'stm32l4r5/wasm3' });
    expect(r.kernel.strategy).toBe('immediate');
    expect(r.kernel.reason).toMatch(/lowest predicted wasm3 instructions per step that fits stm32l4r5/);
    const perMac = (await wasm3ArmPerStep(r)) / MACS;
    const by = Object.fromEntries(r.kernel.candidates.map((c) => [c.strategy, c.predicted_core_instructions_per_step! / MACS]));
    console.info(`int8 GRU-64, wasm3 ARM instructions per MAC: immediate ${perMac.toFixed(1)} (loop ${by.loop.toFixed(1)}, unrolled ${by.unrolled.toFixed(1)}); code ${r.module.stats.codeBytes} B`);
    expect(perMac).toBeLessThanOrEqual(50);
    expect(by.immediate).toBeCloseTo(perMac, 0); // the choice priced the same counts
    expect(by.unrolled).toBeGreaterThan(perMac);
    // The nRF52840 (256 KB SRAM) cannot hold wasm3's compiled form of ~120 KB of immediate code.
    expect(r.kernel.candidates.find((c) => c.strategy === 'immediate')!.code_ram_bytes).toBeGreaterThan(256 * 1024);
  }, 300_000);

  it('int8x16: <= 50 predicted ARM instructions per MAC', async () => {
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'int8x16', data: `${dir}/test_data_set_0`, kernel: 'immediate' });
    const perMac = (await wasm3ArmPerStep(r)) / MACS;
    console.info(`int8x16 GRU-64, wasm3 ARM instructions per MAC: immediate ${perMac.toFixed(1)}; code ${r.module.stats.codeBytes} B`);
    expect(perMac).toBeLessThanOrEqual(50);
  }, 300_000);
});

describe('kernel choice respects the device budget', () => {
  const dir = `${CONF}/generated/gru_stacked_2layer`;
  const o = { ...DEFAULT_COMPILE, data: `${dir}/test_data_set_0` };
  const choose = async (device: Partial<DeviceProfile>, kernel?: string) => {
    const q = quantizeModel(dir, o);
    const plan = planModule(q.qp, o.io, q.maxSteps);
    const base = resolveTarget('stm32l4r5/wasm3');
    const target = { ...base, device: { ...base.device!, ...device } };
    return chooseKernel(plan, emitModuleSource(plan, dir), {}, target, kernel, (m) => buildManifest(dir, o, q, plan, m));
  };

  it('immediate when it fits; unrolled when its flash or its compiled code in RAM does not; forced by --kernel immediate', async () => {
    const roomy = await choose({});
    const by = Object.fromEntries(roomy.candidates.map((c) => [c.strategy, c]));
    expect(roomy.strategy).toBe('immediate');
    expect(by.immediate.module_bytes!).toBeGreaterThan(by.unrolled.module_bytes!);
    // wasm3's library (targets/costs.json flash_bytes) plus a module between the two sizes.
    const flashKb = Math.floor((78353 + (by.unrolled.module_bytes! + by.immediate.module_bytes!) / 2) / 1024);
    const small = await choose({ flash_kb: flashKb });
    expect(small.strategy).toBe('unrolled');
    expect(small.candidates.find((c) => c.strategy === 'immediate')!.fits).toBe(false);
    expect(small.candidates.find((c) => c.strategy === 'immediate')!.why).toMatch(/flash/);
    // RAM: enough for the linear memory and the runtime, not for wasm3's compiled form of the immediate code.
    const need = (s: string) => roomy.candidates.find((c) => c.strategy === s)!;
    expect(need('immediate').code_ram_bytes!).toBeGreaterThan(need('unrolled').code_ram_bytes!);
    const runtimeRam: number = JSON.parse(readFileSync(`${ROOT}targets/costs.json`, 'utf8')).runtimes.wasm3.ram_bytes;
    const ramFor = (s: string) => roomy.module.stats.memoryHighWater + runtimeRam + need(s).code_ram_bytes!;
    const sramKb = Math.ceil(ramFor('unrolled') / 1024);
    expect(sramKb * 1024).toBeLessThan(ramFor('immediate'));
    const tight = await choose({ sram_kb: sramKb });
    expect(tight.strategy).toBe('unrolled');
    expect(tight.candidates.find((c) => c.strategy === 'immediate')!.why).toMatch(/RAM .* compiled code/);
    const forced = await choose({ flash_kb: flashKb }, 'immediate');
    expect([forced.strategy, forced.reason]).toEqual(['immediate', '--kernel immediate']);
    // AOT runtimes are not offered weights as immediates (their profile was not fitted on such code).
    const base = resolveTarget('stm32l4r5/wasm2c');
    const q = quantizeModel(dir, o), plan = planModule(q.qp, o.io, q.maxSteps);
    const aot = await chooseKernel(plan, emitModuleSource(plan, dir), {}, base, undefined, (m) => buildManifest(dir, o, q, plan, m));
    expect(aot.candidates.map((c) => c.strategy)).toEqual(['loop', 'unrolled']);
    // Nothing fits: the compact loop kernel, saying so.
    const none = await choose({ flash_kb: 1 });
    expect(none.strategy).toBe('loop');
    expect(none.reason).toMatch(/no strategy fits/);
    // Clearly too big from its estimated size: not even built.
    expect(none.candidates.find((c) => c.strategy === 'immediate')!.why).toMatch(/flash .* \(estimated; not built\)/);
  }, 120_000);
});
