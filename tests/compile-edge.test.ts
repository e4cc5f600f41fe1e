/**
 * Edge behaviour of compiled modules: very long sequences and inputs far outside the calibrated
 * range saturate (never wrap or trap) and still equal the simulator; the state region saved
 * mid-sequence and restored continues exactly; calibration from JSON/CSV windows and percentiles.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel, DEFAULT_COMPILE } from '../src/compile.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { runWasm, WasmModel, manifestSteps } from '../src/wasm-engine.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { FIXTURES } from './helpers/cli.ts';
import { rng } from './helpers/onnx-builder.ts';

const GRU = `${FIXTURES}/bench/gru_i32_h64_s100`;
const LSTM = `${FIXTURES}/conformance/generated/lstm_clip`;
const tmp = mkdtempSync(join(tmpdir(), 'rnnc-edge-'));

function sequence(T: number, I: number, value: (t: number, i: number) => number): Tensor {
  const data = new Float32Array(T * I);
  for (let t = 0; t < T; t++) for (let i = 0; i < I; i++) data[t * I + i] = value(t, i);
  return { dtype: 'float32', shape: [T, 1, I], data };
}

describe('saturation on long and out-of-range sequences', () => {
  for (const quant of ['int8x16', 'int8', 'int16']) {
    it(`GRU-64 ${quant}: 10,000 steps of extreme inputs (±1e6, ±Inf, NaN) stay bit-exact and bounded`, async () => {
      const r = await compileModel(GRU, { ...DEFAULT_COMPILE, quant, data: `${GRU}/test_data_set_0`, maxSteps: 10_000 });
      const r2 = rng(7);
      const specials = [1e6, -1e6, Infinity, -Infinity, NaN, 3.4e38, -3.4e38];
      const x = sequence(10_000, 32, (t, i) => ((t + i) % 13 === 0 ? specials[(t * 7 + i) % specials.length] : (r2() * 2 - 1) * 50));
      const sim = simulate(r.qp, x).outputs;
      const got = runWasm(await WasmModel.load(r.module.wasm, r.manifest), x, 'run');
      got.forEach((t, i) => expect(t.data.every((v, k) => Object.is(v, sim[i].data[k]))).toBe(true));
      // GRU states are convex combinations of tanh values: |h| <= 1 unless something wrapped.
      for (const t of got) for (const v of t.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }, 120_000);
  }
});

describe('state region: save before deep sleep, restore after', () => {
  it('an LSTM interrupted mid-sequence and restored on a fresh instance continues bit-identically', async () => {
    const data = `${LSTM}/test_data_set_0`;
    const r = await compileModel(LSTM, { ...DEFAULT_COMPILE, data });
    const { inputs } = readTestData(data, loadModel(LSTM), false);
    const steps = manifestSteps(r.manifest, inputs[0], 0);
    const a = await WasmModel.load(r.module.wasm, r.manifest);
    const whole = a.runEntry(steps, 0, 'step').slices;
    // First half on one instance, save the state bytes, "power down", restore on a new instance.
    const half = Math.floor(steps.length / 2);
    const b = await WasmModel.load(r.module.wasm, r.manifest);
    b.runEntry(steps.slice(0, half), 0, 'step');
    const saved = b.state();
    expect(saved.length).toBe(r.manifest.state.bytes);
    const c = await WasmModel.load(r.module.wasm, r.manifest);
    c.exports.reset();
    new Uint8Array(c.exports.memory.buffer).set(saved, r.manifest.state.ptr);
    const rest: Float32Array[][] = r.manifest.outputs.map(() => []);
    for (let t = half; t < steps.length; t++) {
      c.writeInput(steps, t, 1);
      expect(c.exports.step()).toBe(0);
      r.manifest.outputs.forEach((o, i) => rest[i].push(c.readOutput(o, 0)));
    }
    // Sequence output Y: the restored second half equals the uninterrupted run's second half.
    const yIndex = r.manifest.outputs.findIndex((o) => o.timing === 'seq');
    expect(rest[yIndex].map((v) => Array.from(v))).toEqual(whole[yIndex].slice(half).map((v) => Array.from(v)));
    // Final outputs (Y_h, Y_c) after the last step agree too.
    r.manifest.outputs.forEach((o, i) => o.timing === 'final' && expect(Array.from(rest[i].at(-1)!)).toEqual(Array.from(whole[i][0])));
  });
});

describe('calibration sources', () => {
  const dir = `${FIXTURES}/conformance/tfjs/lstm_seattle_temp_max/onnx_equivalent`;
  const data = `${dir}/test_data_set_0`;

  it('JSON windows and CSV rows calibrate exactly like the same values in a test-data folder', async () => {
    const { inputs } = readTestData(data, loadModel(dir), false);
    const x = inputs[0]; // [20, 14, 1]
    const windows = Array.from({ length: 20 }, (_, b) => Array.from({ length: 14 }, (_, t) => [x.data[b * 14 + t]]));
    writeFileSync(join(tmp, 'w.json'), JSON.stringify(windows));
    writeFileSync(join(tmp, 'w.csv'), `# one window per line\n${windows.map((w) => w.map((s) => s[0]).join(',')).join('\n')}\n`);
    const fromDir = await compileModel(dir, { ...DEFAULT_COMPILE, calib: data });
    for (const file of ['w.json', 'w.csv']) {
      const r = await compileModel(dir, { ...DEFAULT_COMPILE, calib: join(tmp, file) });
      expect(Buffer.from(r.module.wasm).equals(Buffer.from(fromDir.module.wasm))).toBe(true);
    }
  });

  it('a 99% percentile range clips the calibrated input range below the min/max one', async () => {
    const mm = await compileModel(dir, { ...DEFAULT_COMPILE, data });
    const pc = await compileModel(dir, { ...DEFAULT_COMPILE, data, calibMethod: { kind: 'percentile', p: 0.9 } });
    expect(pc.calibration.range('x')).toBeLessThan(mm.calibration.range('x'));
    expect(pc.manifest.calibration.method).toBe('percentile 0.9');
  });
});
