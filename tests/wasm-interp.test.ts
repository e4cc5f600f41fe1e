// Compiled modules under a second engine: WABT's wasm-interp with every post-MVP feature off.
// The self-test harness bakes one batch entry's input into the module; its hash must equal the
// one computed from the bit-exact simulator, and the one V8 computes from the same module.
// Besides the conformance fixtures: classifier heads (ArgMax after Softmax, LogSoftmax) in every
// scheme, and f32 SRU/QRNN modules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPILE, quantizeGraph, quantizeModel } from '../src/compile.ts';
import { emitModuleSource } from '../compiler/codegen/emit.ts';
import { planModule, type ModulePlan } from '../compiler/codegen/plan.ts';
import { inputSteps } from '../compiler/lower/assemble.ts';
import { expectedHash, harnessSource } from '../compiler/codegen/harness.ts';
import { buildModule } from '../compiler/build/module.ts';
import { compileAssemblyScript } from '../compiler/build/asc.ts';
import { runWasmInterp } from '../compiler/build/wasm-interp.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { FIXTURES } from './helpers/cli.ts';
import { B, I, softmaxModel, T } from './helpers/head-models.ts';
import { rng, uniform } from './helpers/onnx-builder.ts';
import { qrnnGraph, randomInput, randomQrnnLayer, windowsFile } from './helpers/sru-qrnn-models.ts';

const CASES: [string, string][] = [
  ['RNN', 'onnx-backend/test_simple_rnn_with_initial_bias'],
  ['GRU lbr=0', 'onnx-backend/test_gru_defaults'],
  ['GRU lbr=1', 'generated/gru_linear_before_reset'],
  ['LSTM clip', 'generated/lstm_clip'],
  ['bidirectional', 'generated/rnn_bidirectional_tanh_relu'],
  ['stacked GRU', 'generated/gru_stacked_2layer'],
  ['TF.js LSTM', 'tfjs/lstm_seattle_temp_max/onnx_equivalent'],
  ['SRU (PyTorch sru package, 2 layers, bidirectional)', 'pytorch-sru/sru_2layer_bidirectional'],
];
const QUANTS = ['int8x16', 'int8', 'int16'];

// Only the harness module is built (compileModel would also build the plain one: twice the asc time).
function compile(rel: string, quant: string): { plan: ModulePlan; x: Tensor } {
  const dir = `${FIXTURES}/conformance/${rel}`;
  // The harness bakes whole sequences into the input buffer: give it room for them.
  const q = quantizeModel(dir, { ...DEFAULT_COMPILE, quant, data: `${dir}/test_data_set_0`, maxSteps: 32 });
  const x = readTestData(`${dir}/test_data_set_0`, loadModel(dir), false).inputs[0]; // fresh graph: frozen inputs
  return { plan: planModule(q.qp, 'f32', q.maxSteps), x };
}

async function harnessModule(plan: ModulePlan, x: Tensor, mode: 'run' | 'step'): Promise<Uint8Array> {
  const src = emitModuleSource(plan, 'selftest') + harnessSource(plan, inputSteps(plan.qp.program, x, 0), mode);
  return (await buildModule(plan, src, {})).wasm;
}

async function inNode(wasm: Uint8Array, name: string): Promise<number> {
  const { instance } = await WebAssembly.instantiate(new Uint8Array(wasm), {});
  return (instance.exports[name] as () => number)();
}

beforeAll(async () => {
  await compileAssemblyScript({ files: { 'warm.ts': 'export function f(): i32 { return 1; }' }, entry: 'warm.ts' });
}, 60_000);

describe('selftest hash: wasm-interp (MVP only) = V8 = simulator', () => {
  for (const [kind, rel] of CASES) {
    it(`${kind}: ${rel}`, async () => {
      for (const quant of QUANTS) {
        const { plan, x } = compile(rel, quant);
        const sim = simulate(plan.qp, x);
        const want = expectedHash(plan, x, 0, sim);
        const wasm = await harnessModule(plan, x, 'run');
        expect(await inNode(wasm, 'selftest'), `${quant} V8`).toBe(want);
        expect(runWasmInterp(wasm, 'selftest').value, `${quant} wasm-interp`).toBe(want);
        // Another entry's hash differs: the hash sees the data, not just the shapes.
        if (x.shape[plan.qp.program.input.batchAxis] > 1) expect(expectedHash(plan, x, 1, sim)).not.toBe(want);
      }
    }, 60_000);
  }

  it('step mode gives the run-mode hash (streamable models); step mode is refused for bidirectional ones', async () => {
    for (const rel of ['generated/gru_stacked_2layer', 'generated/lstm_clip']) {
      const { plan, x } = compile(rel, 'int8x16');
      const wasm = await harnessModule(plan, x, 'step');
      const want = expectedHash(plan, x);
      expect(await inNode(wasm, 'selftest')).toBe(want);
      expect(runWasmInterp(wasm, 'selftest').value).toBe(want);
      expect(await inNode(wasm, 'selftest_steps')).toBe(0);
    }
    const { plan, x } = compile('generated/rnn_bidirectional_tanh_relu', 'int8');
    expect(() => harnessSource(plan, inputSteps(plan.qp.program, x, 0), 'step')).toThrow(/step mode needs a streamable model/);
  }, 60_000);
});

describe('selftest hash: classifier heads and f32 SRU/QRNN', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnc-wasm-interp-'));
  const r = rng(77);
  const calib = join(tmp, 'calib.json');
  writeFileSync(calib, JSON.stringify(Array.from({ length: 8 }, () => Array.from({ length: T }, () => uniform(r, I, 1)))));
  const x: Tensor = { dtype: 'float32', shape: [T, B, I], data: Float32Array.from(uniform(r, T * B * I, 1)) };
  const heads: [string, Uint8Array][] = [
    ['Softmax → ArgMax (keepdims 0)', softmaxModel(rng(78), -1, { axis: -1, keepdims: 0, select_last_index: 0 })],
    ['LogSoftmax', softmaxModel(rng(79), -1, undefined, 'LogSoftmax')],
    ['LogSoftmax → ArgMax (keepdims 1)', softmaxModel(rng(80), -1, { axis: -1, keepdims: 1, select_last_index: 0 }, 'LogSoftmax')],
  ];
  for (const [label, bytes] of heads) {
    it(label, async () => {
      const file = join(tmp, `${label.replace(/\W+/g, '_')}.onnx`);
      writeFileSync(file, bytes);
      const hashes = new Set<number>();
      for (const [k, quant] of [...QUANTS, 'f32'].entries()) {
        const b = 3 * k; // a different batch entry per scheme
        const q = quantizeModel(file, { ...DEFAULT_COMPILE, quant, calib, maxSteps: T });
        const plan = planModule(q.qp, 'f32', q.maxSteps);
        const src = emitModuleSource(plan, 'selftest') + harnessSource(plan, inputSteps(q.program, x, b), 'step', b);
        const wasm = (await buildModule(plan, src, {})).wasm;
        const want = expectedHash(plan, x, b);
        expect(await inNode(wasm, 'selftest'), `${quant} entry ${b} V8`).toBe(want);
        expect(runWasmInterp(wasm, 'selftest').value, `${quant} entry ${b} wasm-interp`).toBe(want);
        expect(expectedHash(plan, x, b + 1), 'another entry hashes differently').not.toBe(want);
        hashes.add(want);
      }
      expect(hashes.size).toBe(4);
    }, 60_000);
  }

  it('f32: the SRU fixture (run) and QRNN window 2 fo-pooling (step)', async () => {
    const { plan, x: sx } = compile('pytorch-sru/sru_2layer_bidirectional', 'f32');
    const sru = await harnessModule(plan, sx, 'run');
    expect(runWasmInterp(sru, 'selftest').value).toBe(expectedHash(plan, sx));
    const graph = qrnnGraph([randomQrnnLayer(3, 5, 2, 'fo', 81)], 3);
    const q = quantizeGraph(graph, { ...DEFAULT_COMPILE, quant: 'f32', calib: windowsFile(tmp, 3, 2, 8, 82), maxSteps: 8 });
    const qx = randomInput(8, 2, 3, 83);
    const qplan = planModule(q.qp, 'f32', q.maxSteps);
    const src = emitModuleSource(qplan, 'selftest') + harnessSource(qplan, inputSteps(q.program, qx, 1), 'step', 1);
    const qrnn = (await buildModule(qplan, src, {})).wasm;
    const want = expectedHash(qplan, qx, 1);
    expect(await inNode(qrnn, 'selftest')).toBe(want);
    expect(runWasmInterp(qrnn, 'selftest').value).toBe(want);
  }, 60_000);
});

describe('runWasmInterp', () => {
  it('counts traced instructions (linear in loop trips) and returns selftest_steps = 0', async () => {
    const loop = (n: number) => compileAssemblyScript({
      files: { 'l.ts': `export function f(): i32 { let s: i32 = 0; for (let i: i32 = 0; i < ${n} + load<i32>(0); i++) s += load<i32>(i & 60); return s; }` },
      entry: 'l.ts', extraArgs: ['--initialMemory', '1'],
    });
    const counts: number[] = [];
    for (const n of [10, 20, 30]) {
      const r = runWasmInterp((await loop(n)).wasm, 'f', { trace: true });
      expect(r.value).toBe(0);
      counts.push(r.tracedInstructions!);
    }
    expect(counts[0]).toBeGreaterThan(10);
    expect(counts[2] - counts[1]).toBe(counts[1] - counts[0]);
    expect((counts[1] - counts[0]) % 10).toBe(0);
    const { plan, x } = compile('onnx-backend/test_simple_rnn_defaults', 'int8');
    const r = runWasmInterp(await harnessModule(plan, x, 'run'), 'selftest_steps', { trace: true });
    expect(r.value).toBe(0);
    expect(r.tracedInstructions).toBeGreaterThan(counts[2]);
  }, 60_000);

  it('rejects post-MVP opcodes, reports traps and unknown exports', async () => {
    const src = 'export function narrow(x: i32): i32 { return <i32><i8>x; }\nexport function boom(): i32 { unreachable(); return 0; }\nexport function n200(): i32 { return narrow(200 + <i32>load<u8>(0)); }';
    const ext = await compileAssemblyScript({ files: { 'n.ts': src }, entry: 'n.ts', features: { signExtension: true }, extraArgs: ['--initialMemory', '1'] });
    expect(() => runWasmInterp(ext.wasm, 'n200')).toThrow(/wasm-interp failed[\s\S]*unexpected opcode/);
    const mvp = await compileAssemblyScript({ files: { 'n.ts': src }, entry: 'n.ts', extraArgs: ['--initialMemory', '1'] });
    expect(runWasmInterp(mvp.wasm, 'n200').value).toBe(-56);
    expect(() => runWasmInterp(mvp.wasm, 'boom')).toThrow(/boom\(\) => error: unreachable/);
    expect(() => runWasmInterp(mvp.wasm, 'nope')).toThrow(/no result for export 'nope'/);
  }, 60_000);
});
