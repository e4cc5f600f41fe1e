/**
 * LogSoftmax heads in fixed point (int16, int8x16, int8) and the f32 scheme's Softmax, LogSoftmax
 * and ArgMax heads, on LSTM → last state → Gemm → (Log)Softmax (→ ArgMax) classifiers. Oracles:
 * onnxruntime-node's float outputs (third party), the simulator (every module equals it bit for
 * bit, run and step), and for the integer log-softmax kernel the TypeScript mirror on random logits.
 *
 * Log-probabilities are unbounded below, so their goal is the one for unbounded outputs: the
 * normalized max error |y − y_float| / max(1, max |y_float|) within the Softmax head's goals
 * (int16 2e-3, int8x16 1e-2, int8 4e-2); the log-probability of the float model's top class is
 * also checked absolutely, within twice those numbers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAssemblyScript } from '../compiler/build/asc.ts';
import { ACT_LUT } from '../compiler/fixed/cells/common.ts';
import { logSoftmaxQ } from '../compiler/fixed/cells/dense.ts';
import { buildLut, lutInterp } from '../compiler/fixed/lut.ts';
import { shiftRescale } from '../compiler/fixed/primitives.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { runProgramFloat } from '../compiler/lower/float-run.ts';
import { lnMantissaTable } from '../compiler/quantize/activations.ts';
import { compileModel, DEFAULT_COMPILE } from '../src/compile.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { B, C, I, softmaxModel, T } from './helpers/head-models.ts';
import { rng, uniform } from './helpers/onnx-builder.ts';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const tmp = mkdtempSync(join(tmpdir(), 'rnnc-log-softmax-'));
const BOUND: Record<string, number> = { int16: 2e-3, int8x16: 1e-2, int8: 4e-2 };
const tensor = (shape: number[], data: ArrayLike<number>): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });

async function ortRun(bytes: Uint8Array, x: Tensor): Promise<Tensor> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const out = Object.values(await session.run({ X: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) }))[0] as { dims: number[]; data: ArrayLike<number | bigint> };
  return tensor([...out.dims].map(Number), Array.from(out.data, Number));
}

/** Compiles, checks wasm = simulator (run and step), returns the simulator's first output. */
async function compiledOutput(file: string, calib: string, x: Tensor, quant: string): Promise<Tensor> {
  const r = await compileModel(file, { ...DEFAULT_COMPILE, quant, calib });
  const sim = simulate(r.qp, x).outputs[0];
  const wasm = await WasmModel.load(r.module.wasm, r.manifest);
  for (const mode of ['run', 'step'] as const) {
    expect(runWasm(wasm, x, mode)[0].data.every((v, k) => Object.is(v, sim.data[k])), `${quant} ${mode}: wasm equals the simulator`).toBe(true);
  }
  return sim;
}

const argmaxRow = (d: ArrayLike<number>, b: number) => {
  const row = Array.from(d).slice(b * C, b * C + C);
  return row.indexOf(Math.max(...row));
};
const margin = (d: ArrayLike<number>, b: number) => {
  const row = Array.from(d).slice(b * C, b * C + C).sort((u, v) => v - u);
  return row[0] - row[1];
};

describe('LogSoftmax head', () => {
  const r = rng(20261128);
  const bytes = softmaxModel(r, -1, undefined, 'LogSoftmax');
  const model = join(tmp, 'log-softmax.onnx');
  writeFileSync(model, bytes);
  const calib = join(tmp, 'calib.json');
  writeFileSync(calib, JSON.stringify(Array.from({ length: 16 }, () => Array.from({ length: T }, () => uniform(r, I, 1)))));
  const x = tensor([T, B, I], uniform(r, T * B * I, 1));
  let want: Tensor;
  beforeAll(async () => {
    want = await ortRun(bytes, x);
  });

  it('the lowered float program equals onnxruntime; the log-probabilities span several units', async () => {
    const c = await compileModel(model, { ...DEFAULT_COMPILE, quant: 'int16', calib });
    expect(c.qp.heads[0]).toMatchObject({ actKind: 4 });
    const got = runProgramFloat(c.program, x)[0];
    expect(got.shape).toEqual([B, C]);
    got.data.forEach((v, k) => expect(Math.abs(v - want.data[k])).toBeLessThan(1e-5));
    expect(Math.min(...want.data)).toBeLessThan(-3);
  });

  for (const quant of ['int16', 'int8x16', 'int8']) {
    it(`${quant}: wasm = simulator (run, step); normalized error and the top class's log-probability within ${BOUND[quant]}; argmax`, async () => {
      const y = (await compiledOutput(model, calib, x, quant)).data, w = want.data;
      let err = 0, top = 0, range = 0, checked = 0;
      for (let k = 0; k < w.length; k++) (err = Math.max(err, Math.abs(y[k] - w[k]))), (range = Math.max(range, Math.abs(w[k])));
      for (let b = 0; b < B; b++) {
        const best = argmaxRow(w, b);
        top = Math.max(top, Math.abs(y[b * C + best] - w[b * C + best]));
        if (margin(w, b) > 2 * BOUND[quant] * Math.max(1, range)) (expect(argmaxRow(y, b), `${quant} row ${b}: argmax`).toBe(best)), checked++;
      }
      const normalized = err / Math.max(1, range);
      console.info(`LogSoftmax ${quant}: max abs err ${err.toExponential(2)} over a range of ${range.toFixed(2)} (normalized ${normalized.toExponential(2)}); top class ${top.toExponential(2)}`);
      expect(normalized).toBeLessThanOrEqual(BOUND[quant]);
      // The top class's log-probability carries the output rounding (int8: half of 1/16 here) and the logits' error.
      expect(top).toBeLessThanOrEqual(2 * BOUND[quant]);
      expect(err, 'the fixed-point log-probabilities are not the float ones').toBeGreaterThan(0);
      expect(checked).toBeGreaterThan(B / 2);
    });
  }

  it('f32: wasm = simulator; within 2e-6 of onnxruntime', async () => {
    const y = await compiledOutput(model, calib, x, 'f32');
    const err = Math.max(...y.data.map((v, k) => Math.abs(v - want.data[k])));
    console.info(`LogSoftmax f32: max abs err ${err.toExponential(2)}`);
    expect(err).toBeLessThan(2e-6);
  });

  it('refuses log-softmax over another axis', async () => {
    const other = join(tmp, 'log-softmax-axis0.onnx');
    writeFileSync(other, softmaxModel(rng(1), 0, undefined, 'LogSoftmax'));
    await expect(compileModel(other, { ...DEFAULT_COMPILE, calib })).rejects.toThrow(/node 'probs' \(LogSoftmax\): log-softmax over axis 0: only the feature \(last\) axis/);
  });
});

describe('f32 Softmax and ArgMax heads', () => {
  const r = rng(20261129);
  const calib = join(tmp, 'calib-f32.json');
  writeFileSync(calib, JSON.stringify([Array.from({ length: T }, () => uniform(r, I, 1))]));
  const x = tensor([T, B, I], uniform(r, T * B * I, 1));

  it('Softmax: wasm = simulator; within 1e-6 of onnxruntime; rows sum to 1 within 1e-6', async () => {
    const bytes = softmaxModel(rng(41));
    writeFileSync(join(tmp, 'f32-softmax.onnx'), bytes);
    const [want, y] = [await ortRun(bytes, x), await compiledOutput(join(tmp, 'f32-softmax.onnx'), calib, x, 'f32')];
    const err = Math.max(...y.data.map((v, k) => Math.abs(v - want.data[k])));
    console.info(`Softmax f32: max abs err ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);
    for (let b = 0; b < B; b++) expect(Math.abs(Array.from(y.data.slice(b * C, b * C + C)).reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-6);
  });

  for (const [op, keepdims] of [['Softmax', 1], ['LogSoftmax', 0]] as const) {
    it(`${op} → ArgMax (keepdims ${keepdims}): wasm = simulator; the index equals onnxruntime's`, async () => {
      const bytes = softmaxModel(rng(42), -1, { axis: -1, keepdims, select_last_index: 0 }, op);
      const file = join(tmp, `f32-argmax-${op}.onnx`);
      writeFileSync(file, bytes);
      const want = await ortRun(bytes, x), y = await compiledOutput(file, calib, x, 'f32');
      expect(y.shape).toEqual(want.shape);
      expect(Array.from(y.data)).toEqual(Array.from(want.data));
      expect(new Set(want.data).size, 'the inputs pick several classes').toBeGreaterThan(1);
    });
  }
});

describe('AssemblyScript logSoftmaxQ equals the TypeScript one', () => {
  const MODULE = `import { logSoftmaxQ } from './runtime-as/heads/dense';
export function logSoftmax(acc: usize, n: i32, act: usize, log: usize, expShift: i32): void { logSoftmaxQ(acc, n, act, log, expShift); }\n`;
  let as: { memory: WebAssembly.Memory; logSoftmax: (acc: number, n: number, act: number, log: number, expShift: number) => void };
  beforeAll(async () => {
    const { wasm } = await compileAssemblyScript({ files: { 'lsm.ts': MODULE }, entry: 'lsm.ts', extraArgs: ['--initialMemory', '4'] });
    as = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof as;
  }, 60_000);

  it('random logits, every logit, exp-table and output format; the integer ln S against Math.log', () => {
    const r = rng(6);
    const ACC = 65536, ACTD = ACC + 4 * 4096, LOGD = ACTD + 32, TABLE = LOGD + 32, LN_TABLE = TABLE + 2 * 65538;
    let cases = 0, worstLn = -Infinity;
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(r() * (trial % 3 === 0 ? 300 : 12));
      const logitFrac = 1 + Math.floor(r() * 23), expFrac = Math.min(logitFrac - 1, 11), outFrac = Math.floor(r() * 16);
      const log2N = 2 + Math.floor(r() * 10);
      const act = { kind: ACT_LUT, table: buildLut((v) => Math.exp(Math.min(v, 0)), expFrac, 15, log2N + 1), log2N: log2N + 1, inFrac: expFrac, outFrac };
      const log = { kind: ACT_LUT, table: lnMantissaTable(log2N), log2N, inFrac: 0, outFrac: 15 };
      const span = r() < 0.3 ? 2 ** 31 : 2 ** (4 + Math.floor(r() * 14));
      const acc = Int32Array.from({ length: n }, () => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round((r() * 2 - 1) * span))));
      const m = new DataView(as.memory.buffer);
      acc.forEach((v, k) => m.setInt32(ACC + 4 * k, v, true));
      act.table.forEach((v, k) => m.setInt16(TABLE + 2 * k, v, true));
      log.table.forEach((v, k) => m.setInt16(LN_TABLE + 2 * k, v, true));
      [act.kind, TABLE, act.log2N, expFrac, outFrac].forEach((v, k) => m.setInt32(ACTD + 4 * k, v, true));
      [log.kind, LN_TABLE, log2N, 0, 15].forEach((v, k) => m.setInt32(LOGD + 4 * k, v, true));
      const z = Array.from(acc, (v) => Math.max(-32768, Math.min(32767, v)));
      const zmax = Math.max(...z), top = z.indexOf(zmax);
      // The sum the kernel takes the log of (the exp table is the softmax head's, tested there).
      const S = z.reduce((s, v) => s + lutInterp(shiftRescale(v - zmax, logitFrac - expFrac), act.table, act.log2N), 0);
      logSoftmaxQ(acc, n, act, log, logitFrac - expFrac);
      as.logSoftmax(ACC, n, ACTD, LOGD, logitFrac - expFrac);
      const got = new DataView(as.memory.buffer);
      for (let k = 0; k < n; k++, cases++) expect(got.getInt32(ACC + 4 * k, true), `trial ${trial} [${k}]`).toBe(acc[k]);
      // The top logit's output is −ln(S/2^15): rounded once to the logits' format, once to the output's.
      // The ln table's own bound: interpolation h²/8 (|ln''| <= 1, h = 2^−log2N) + 1.5 LSB of Q15; the
      // 16-bit mantissa adds < 2^−16.
      const lnBound = 2 ** (-2 * log2N) / 8 + 1.5 / 32768 + 2 ** -16;
      worstLn = Math.max(worstLn, Math.abs(acc[top] / 2 ** outFrac + Math.log(S / 32768)) - 2 ** -(outFrac + 1) - 2 ** -(logitFrac + 1) - lnBound);
    }
    console.info(`logSoftmaxQ: ${cases} values; ln S error minus its bound (at most 0): ${worstLn.toExponential(2)}`);
    expect(cases).toBeGreaterThan(4000);
    expect(worstLn).toBeLessThanOrEqual(0);
  });
});
