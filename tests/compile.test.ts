/**
 * The fixed-point compiler end to end on every ONNX conformance case at int16, int8x16 and int8:
 * the module imports nothing, equals the simulator bit for bit (whole-sequence run and, where the
 * model streams, step by step), and the simulator stays within the error bounds of the float
 * expected outputs (third-party: ONNX reference, onnxruntime, CNTK).
 */
import { describe, expect, it } from 'vitest';
import { compileModel, DEFAULT_COMPILE } from '../src/compile.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { onnxConformanceCases } from './helpers/cases.ts';
import { normalizedError, same } from './helpers/compare.ts';



// Bounds for the tests (the tighter goals, 2e-3 / 4e-3 / 4e-2, are tracked by npm run bench).
const BOUND: Record<string, number> = { int16: 2e-3, int8x16: 2.5e-2, int8: 4e-2 };

describe('compile every conformance case; wasm equals the simulator', () => {
  for (const c of onnxConformanceCases()) {
    for (const quant of ['int16', 'int8x16', 'int8']) {
      it(`${c.name} ${quant}`, async () => {
        const data = `${c.dir}/test_data_set_0`;
        const r = await compileModel(c.dir, { ...DEFAULT_COMPILE, quant, data });
        expect(WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(r.module.wasm)))).toEqual([]);
        const { inputs, outputs } = readTestData(data, loadModel(c.dir), true);
        const sim = simulate(r.qp, inputs[0]).outputs;
        const wasm = await WasmModel.load(r.module.wasm, r.manifest);
        expect(same(runWasm(wasm, inputs[0], 'run'), sim)).toBe(true);
        if (r.manifest.streamable) expect(same(runWasm(wasm, inputs[0], 'step'), sim)).toBe(true);
        else expect(() => runWasm(wasm, inputs[0], 'step')).toThrow(/needs the whole sequence/);
        expect(normalizedError(sim, outputs)).toBeLessThanOrEqual(BOUND[quant]);
      });
    }
  }

  it('shift-only rescaling is bit-exact too (GRU lbr=1, LSTM with clip, bidirectional RNN)', async () => {
    for (const name of ['gru_linear_before_reset', 'lstm_clip', 'rnn_bidirectional_tanh_relu']) {
      const dir = `${onnxConformanceCases().find((c) => c.name.endsWith(name))!.dir}`;
      const data = `${dir}/test_data_set_0`;
      const r = await compileModel(dir, { ...DEFAULT_COMPILE, rescale: 'shift', data });
      // Shift mode stores no multipliers; the unrolled kernels must read none either.
      const u = await compileModel(dir, { ...DEFAULT_COMPILE, rescale: 'shift', data, kernel: 'unrolled' });
      expect(u.module.stats.dataBytes).toBe(r.module.stats.dataBytes);
      const { inputs, outputs } = readTestData(data, loadModel(dir), true);
      const sim = simulate(r.qp, inputs[0]).outputs;
      expect(same(runWasm(await WasmModel.load(r.module.wasm, r.manifest), inputs[0], 'run'), sim)).toBe(true);
      expect(same(runWasm(await WasmModel.load(u.module.wasm, u.manifest), inputs[0], 'run'), sim)).toBe(true);
      expect(normalizedError(sim, outputs)).toBeLessThanOrEqual(3e-2);
      // Shift mode: every row rescale is a pure shift (multiplier 0).
      for (const dirs of r.qp.layers) for (const d of dirs) {
        const mats = d.q.kind === 'GRU' ? [d.q.cell.gatesZR, d.q.cell.cand] : d.q.kind === 'LSTM' || d.q.kind === 'RNN' ? [d.q.cell.gates] : [];
        for (const m of mats) expect(m.mult.every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('piecewise-linear sigmoid/tanh modules are bit-exact and within their coarser error', async () => {
    // Sigmoid gates and tanh (the TF.js LSTM uses HardSigmoid, which keeps its table).
    const dir = onnxConformanceCases().find((c) => c.name.endsWith('lstm_clip'))!.dir;
    const data = `${dir}/test_data_set_0`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, sigmoidTanh: 'pwl', data });
    const d = r.qp.layers[0][0];
    if (d.q.kind !== 'LSTM') throw new Error('expected an LSTM');
    // Gates by the sigmoid PWL (kind 1) and both tanh by the tanh PWL (kind 2): no tables at all.
    expect([d.q.cell.f.kind, d.q.cell.f.table.length, d.q.cell.g.kind, d.q.cell.hAct.kind]).toEqual([1, 0, 2, 2]);
    const { inputs, outputs } = readTestData(data, loadModel(dir), true);
    const sim = simulate(r.qp, inputs[0]).outputs;
    expect(same(runWasm(await WasmModel.load(r.module.wasm, r.manifest), inputs[0], 'step'), sim)).toBe(true);
    expect(normalizedError(sim, outputs)).toBeLessThanOrEqual(0.1); // PLAN sigmoid is within 0.019
  });
});

describe('the unrolled (interpreter) matrix kernel is bit-exact too', () => {
  for (const c of onnxConformanceCases()) {
    it(`${c.name}: int8x16, int8, int16`, async () => {
      const data = `${c.dir}/test_data_set_0`;
      const { inputs } = readTestData(data, loadModel(c.dir), false);
      for (const quant of ['int8x16', 'int8', 'int16']) {
        const r = await compileModel(c.dir, { ...DEFAULT_COMPILE, quant, data, kernel: 'unrolled' });
        expect(r.kernel.strategy).toBe('unrolled');
        expect(r.kernels).toMatch(/function mv0/);
        const sim = simulate(r.qp, inputs[0]).outputs;
        expect(same(runWasm(await WasmModel.load(r.module.wasm, r.manifest), inputs[0], 'run'), sim)).toBe(true);
      }
    });
  }

  it('auto picks by the target runtime cost profile and records every candidate', async () => {
    const dir = `${onnxConformanceCases().find((c) => c.name.endsWith('gru_stacked_2layer'))!.dir}`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, data: `${dir}/test_data_set_0`, target: 'nrf52840/wasm3' });
    const byName = Object.fromEntries(r.kernel.candidates.map((k) => [k.strategy, k]));
    expect(Object.keys(byName).sort()).toEqual(['immediate', 'loop', 'unrolled']);
    // The unrolled kernel executes fewer wasm instructions, the immediate one fewer still (weights as
    // constants); wasm3's per-op costs make it the cheapest, and this small model fits (tests/kernels.test.ts).
    expect(byName.unrolled.wasm_instructions_per_step!).toBeLessThan(byName.loop.wasm_instructions_per_step!);
    expect(byName.immediate.wasm_instructions_per_step!).toBeLessThan(byName.unrolled.wasm_instructions_per_step!);
    expect(r.kernel.strategy).toBe('immediate');
    expect(r.manifest.kernel?.reason).toMatch(/lowest predicted wasm3 instructions per step that fits nrf52840/);
    const plain = await compileModel(dir, { ...DEFAULT_COMPILE, data: `${dir}/test_data_set_0` });
    expect(plain.kernel.strategy).toBe('loop');
  });
});
