/**
 * Softmax heads in fixed point: LSTM → last state → Gemm → Softmax (ONNX, and a TF.js
 * Dense(softmax)) compiled at int16, int8x16 and int8. The module equals the simulator bit for
 * bit (run and step); the probabilities stay within the scheme's bound of onnxruntime-node's float
 * output, sum to 1 within a few LSB, and their argmax is the float argmax wherever the float top-2
 * margin exceeds twice the bound. The AssemblyScript softmax equals the TypeScript one on random logits.
 * LogSoftmax and the f32 scheme's heads: tests/heads-log-softmax-f32.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAssemblyScript } from '../compiler/build/asc.ts';
import { ACT_LUT } from '../compiler/fixed/cells/common.ts';
import { softmaxQ } from '../compiler/fixed/cells/dense.ts';
import { ACT_FIELDS, fieldOffsets, MAT_FIELDS } from '../compiler/fixed/cells/layout.ts';
import { buildLut } from '../compiler/fixed/lut.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { runProgramFloat } from '../compiler/lower/float-run.ts';
import { isStreamable } from '../compiler/lower/program.ts';
import { GraphBuilder } from '../compiler/importers/graph-builder.ts';
import { nodeCost } from '../compiler/ir/infer.ts';
import { loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import { loadTfjsModel } from '../compiler/importers/tfjs/load.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { compileModel, DEFAULT_COMPILE, quantizeGraph } from '../src/compile.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { buildModule } from '../compiler/build/module.ts';
import { runWasmInterp } from '../compiler/build/wasm-interp.ts';
import { emitModuleSource } from '../compiler/codegen/emit.ts';
import { expectedHash, harnessSource } from '../compiler/codegen/harness.ts';
import { inputSteps } from '../compiler/lower/assemble.ts';
import { B, C, I, softmaxModel, T } from './helpers/head-models.ts';
import { buildModel, rng, uniform } from './helpers/onnx-builder.ts';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const tmp = mkdtempSync(join(tmpdir(), 'rnnc-heads-'));
const BOUND: Record<string, number> = { int16: 2e-3, int8x16: 1e-2, int8: 4e-2 };
const OUT_FRAC: Record<string, number> = { int16: 15, int8x16: 15, int8: 7 };

const tensor = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) }) as Tensor;

/** Checks the compiled softmax head against the float probabilities `want` [B, C]. */
async function checkCompiled(path: string, calib: string, x: Tensor, want: Tensor, quant: string): Promise<void> {
  const r = await compileModel(path, { ...DEFAULT_COMPILE, quant, calib });
  const sim = simulate(r.qp, x).outputs;
  const wasm = await WasmModel.load(r.module.wasm, r.manifest);
  for (const mode of ['run', 'step'] as const) {
    const got = runWasm(wasm, x, mode);
    expect(got[0].data.every((v, k) => Object.is(v, sim[0].data[k])), `${quant} ${mode}: wasm equals the simulator`).toBe(true);
  }
  const p = sim[0].data, w = want.data, n = want.shape.at(-1)!, rows = w.length / n;
  let err = 0, checked = 0;
  const lsb = 2 ** -OUT_FRAC[quant];
  for (let b = 0; b < rows; b++) {
    let sum = 0;
    for (let c = 0; c < n; c++) (err = Math.max(err, Math.abs(p[b * n + c] - w[b * n + c]))), (sum += p[b * n + c]);
    expect(Math.abs(sum - 1), `${quant} row ${b}: probabilities sum to 1`).toBeLessThanOrEqual((n / 2 + 1) * lsb);
    const order = Array.from(w.subarray(b * n, b * n + n)).map((v, c) => [v, c]).sort((a, z) => z[0] - a[0]);
    if (order[0][0] - order[1][0] > 2 * BOUND[quant]) {
      const row = Array.from(p.subarray(b * n, b * n + n));
      expect(row.indexOf(Math.max(...row)), `${quant} row ${b}: argmax`).toBe(order[0][1]);
      checked++;
    }
  }
  if (process.env.RNNC_HEADS_DEBUG) console.log(quant, path, 'max err', err, 'argmax rows', checked, '/', rows);
  expect(err, `${quant}: max |p − p_float|`).toBeLessThanOrEqual(BOUND[quant]);
  expect(err, `${quant}: the quantized probabilities are not the float ones`).toBeGreaterThan(0);
  expect(checked, 'some rows have a clear winner').toBeGreaterThan(rows / 4);
}

describe('Softmax head (ONNX: LSTM → Gemm → Softmax)', () => {
  const r = rng(20261127);
  const model = join(tmp, 'softmax.onnx');
  writeFileSync(model, softmaxModel(r));
  const calib = join(tmp, 'calib.json');
  writeFileSync(calib, JSON.stringify(Array.from({ length: 16 }, () => Array.from({ length: T }, () => uniform(r, I, 1)))));
  const x = tensor([T, B, I], uniform(r, T * B * I, 1));
  let want: Tensor;

  beforeAll(async () => {
    const session = await ort.InferenceSession.create(readFileSync(model), { graphOptimizationLevel: 'disabled' });
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) });
    want = tensor(out.P.dims, Array.from(out.P.data as Float32Array));
  });

  it('the lowered float program equals onnxruntime', async () => {
    const r16 = await compileModel(model, { ...DEFAULT_COMPILE, quant: 'int16', calib });
    const got = runProgramFloat(r16.qp.program, x)[0];
    expect(got.shape).toEqual(want.shape);
    got.data.forEach((v, k) => expect(Math.abs(v - want.data[k])).toBeLessThan(1e-5));
  });

  for (const quant of ['int16', 'int8x16', 'int8']) {
    it(`${quant}: wasm = simulator (run, step); within ${BOUND[quant]} of onnxruntime; sums and argmax`, async () => {
      await checkCompiled(model, calib, x, want, quant);
    });
  }

  it('the softmax module under WABT wasm-interp (MVP only) hashes like the simulator', async () => {
    for (const quant of ['int16', 'int8']) {
      const c = await compileModel(model, { ...DEFAULT_COMPILE, quant, calib, maxSteps: T });
      const src = emitModuleSource(c.plan, 'selftest') + harnessSource(c.plan, inputSteps(c.qp.program, x, 0), 'run');
      const wasm = (await buildModule(c.plan, src, {}, c.kernels)).wasm;
      expect(runWasmInterp(wasm, 'selftest').value, quant).toBe(expectedHash(c.plan, x, 0, simulate(c.qp, x)));
    }
  }, 60_000);

  it('refuses softmax over another axis', async () => {
    const other = join(tmp, 'softmax-axis0.onnx');
    writeFileSync(other, softmaxModel(rng(1), 0));
    await expect(compileModel(other, { ...DEFAULT_COMPILE, calib })).rejects.toThrow(/node 'probs' \(Softmax\): softmax over axis 0: only the feature \(last\) axis/);
  });
});

describe('TF.js GRU → Dense(softmax)', () => {
  it('lowers, and compiles within bounds of the float reference', async () => {
    const r = rng(99), F = 4, U = 6, N = 4, TT = 5;
    const ws: [string, number[], number[]][] = [
      ['gru/kernel', [F, 3 * U], uniform(r, F * 3 * U, 0.8)], ['gru/recurrent_kernel', [U, 3 * U], uniform(r, U * 3 * U, 0.8)],
      ['gru/bias', [2, 3 * U], uniform(r, 6 * U, 0.3)], ['dense/kernel', [U, N], uniform(r, U * N, 2.5)], ['dense/bias', [N], uniform(r, N, 0.3)],
    ].map(([n, s, d]) => [n, s, Array.from(Float32Array.from(d as number[]))] as [string, number[], number[]]);
    const dir = mkdtempSync(join(tmp, 'tfjs-'));
    const layers = [
      { class_name: 'GRU', config: { name: 'gru', units: U, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, reset_after: true, batch_input_shape: [null, TT, F] } },
      { class_name: 'Dense', config: { name: 'dense', units: N, activation: 'softmax' } },
    ];
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 's', layers } },
      weightsManifest: [{ paths: ['weights.bin'], weights: ws.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) }] }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(Float32Array.from(ws.flatMap((w) => w[2])).buffer));
    const calib = join(dir, 'calib.json');
    writeFileSync(calib, JSON.stringify(Array.from({ length: 12 }, () => Array.from({ length: TT }, () => uniform(r, F, 1)))));
    const graph = loadTfjsModel(join(dir, 'model.json'));
    const inShape = graph.inputs[0].shape.map((d) => (typeof d === 'number' ? d : 16));
    const x = tensor(inShape, uniform(r, inShape.reduce((a, b) => a * b, 1), 1));
    const want = runReference(graph, new Map([[graph.inputs[0].name, x]])).get(graph.outputs[0].name)!;
    await checkCompiled(join(dir, 'model.json'), calib, x, want, 'int16');
  });
});

describe('AssemblyScript softmax equals the TypeScript one', () => {
  const MODULE = `import { softmaxQ } from './runtime-as/heads/dense';
export function softmax(acc: usize, n: i32, act: usize, expShift: i32): void { softmaxQ(acc, n, act, expShift); }\n`;
  let exp: { memory: WebAssembly.Memory; softmax: (acc: number, n: number, act: number, expShift: number) => void };
  beforeAll(async () => {
    const { wasm } = await compileAssemblyScript({ files: { 'sm.ts': MODULE }, entry: 'sm.ts', extraArgs: ['--initialMemory', '4'] });
    exp = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof exp;
  }, 60_000);

  it('descriptor offsets in runtime-as/heads/dense.ts equal layout.ts', () => {
    const src = readFileSync(new URL('../runtime-as/heads/dense.ts', import.meta.url), 'utf8');
    const decl = src.match(/const (N = .*);/)![1];
    const got = Object.fromEntries(decl.split(',').map((s) => s.trim().split(' = ')).map(([k, v]) => [k, Number(v)]));
    const want = fieldOffsets('DENSE');
    expect(got).toEqual({ N: want.get('N'), MAT: want.get(`mat.${MAT_FIELDS[0]}`), ACT: want.get(`act.${ACT_FIELDS[0]}`), ACT_KIND: want.get('actKind'),
      Y: want.get('y'), V: want.get('v'), ACC: want.get('acc'), EXP_SHIFT: want.get('expShift'), ARGMAX: want.get('argmax'), LOG: want.get(`log.${ACT_FIELDS[0]}`) });
  });

  it('random logits, every exp format and output format', () => {
    const r = rng(5);
    const mem = () => new DataView(exp.memory.buffer);
    const ACC = 65536, ACTD = 65536 + 4 * 4096, TABLE = ACTD + 64;
    let mismatches = 0, cases = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(r() * (trial % 3 === 0 ? 200 : 12));
      const logitFrac = Math.floor(r() * 16), expFrac = Math.min(logitFrac - 1, 11), outFrac = r() < 0.5 ? 15 : 7;
      const log2N = 2 + Math.floor(r() * 10);
      const act = { kind: ACT_LUT, table: buildLut((v) => Math.exp(Math.min(v, 0)), expFrac, 15, log2N), log2N, inFrac: expFrac, outFrac };
      const span = r() < 0.3 ? 2 ** 31 : 2 ** (10 + Math.floor(r() * 8));
      const acc = Int32Array.from({ length: n }, () => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round((r() * 2 - 1) * span))));
      const m = mem();
      acc.forEach((v, k) => m.setInt32(ACC + 4 * k, v, true));
      act.table.forEach((v, k) => m.setInt16(TABLE + 2 * k, v, true));
      [act.kind, TABLE, log2N, expFrac, outFrac].forEach((v, k) => m.setInt32(ACTD + 4 * k, v, true));
      softmaxQ(acc, n, act, logitFrac - expFrac);
      exp.softmax(ACC, n, ACTD, logitFrac - expFrac);
      const m2 = mem();
      for (let k = 0; k < n; k++, cases++) if (m2.getInt32(ACC + 4 * k, true) !== acc[k]) mismatches++;
      const sum = acc.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - 2 ** outFrac), `trial ${trial}: sum`).toBeLessThanOrEqual(n / 2 + 1);
    }
    expect(cases).toBeGreaterThan(3000);
    expect(mismatches).toBe(0);
  });
});

describe('ArgMax: IR op and reference kernel (int64) vs onnxruntime; in fixed point as a head post-op', () => {
  const runOrt = async (bytes: Uint8Array, x: Tensor) => {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const out = await session.run({ X: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) });
    const t = Object.values(out)[0] as { dims: number[]; data: BigInt64Array };
    return { shape: [...t.dims].map(Number), data: Array.from(t.data as ArrayLike<number | bigint>, Number) };
  };
  const reference = (file: string, x: Tensor) => {
    const g = loadOnnxFile(file);
    const out = runReference(g, new Map([['X', x]])).get(g.outputs[0].name)!;
    return { g, out };
  };

  for (const keepdims of [0, 1]) {
    it(`LSTM → Gemm → Softmax → ArgMax(axis -1, keepdims ${keepdims}): reference = onnxruntime; fixed point = argmax of the fixed-point softmax`, async () => {
      const bytes = softmaxModel(rng(31), -1, { axis: -1, keepdims, select_last_index: 0 });
      const probsBytes = softmaxModel(rng(31)); // the same weights, without the ArgMax
      const file = join(tmp, `argmax${keepdims}.onnx`), probsFile = join(tmp, `argmax-probs${keepdims}.onnx`);
      writeFileSync(file, bytes);
      writeFileSync(probsFile, probsBytes);
      const r = rng(32);
      const x = tensor([T, B, I], uniform(r, T * B * I, 1));
      const want = await runOrt(bytes, x);
      const { g, out } = reference(file, x);
      expect(out.dtype).toBe('int64');
      expect(g.values.get('K')!.shape).toEqual(want.shape);
      expect(out.shape).toEqual(want.shape);
      expect(Array.from(out.data)).toEqual(want.data);
      expect(new Set(want.data).size, 'the inputs pick several classes').toBeGreaterThan(1);
      const probs = await runOrt(probsBytes, x);
      const calib = join(tmp, 'calib-argmax.json');
      writeFileSync(calib, JSON.stringify(Array.from({ length: 16 }, () => Array.from({ length: T }, () => uniform(r, I, 1)))));
      for (const quant of ['int16', 'int8x16', 'int8']) {
        const c = await compileModel(file, { ...DEFAULT_COMPILE, quant, calib });
        const sim = simulate(c.qp, x).outputs[0];
        expect(sim.shape, quant).toEqual(want.shape);
        const wasm = await WasmModel.load(c.module.wasm, c.manifest);
        for (const mode of ['run', 'step'] as const) {
          expect(Array.from(runWasm(wasm, x, mode)[0].data), `${quant} ${mode}: wasm equals the simulator`).toEqual(Array.from(sim.data));
        }
        const simProbs = simulate((await compileModel(probsFile, { ...DEFAULT_COMPILE, quant, calib })).qp, x).outputs[0].data;
        let agree = 0;
        for (let b = 0; b < B; b++) {
          const row = Array.from(simProbs.subarray(b * C, b * C + C));
          expect(sim.data[b], `${quant} row ${b}: the index of the fixed-point maximum`).toBe(row.indexOf(Math.max(...row)));
          const p = Array.from(probs.data.slice(b * C, b * C + C)).sort((u, v) => v - u);
          if (p[0] - p[1] > 2 * BOUND[quant]) (expect(sim.data[b], `${quant} row ${b}: float argmax`).toBe(want.data[b])), agree++;
        }
        expect(agree, quant).toBeGreaterThan(B / 4);
      }
    });
  }

  it('refuses ArgMax with select_last_index=1 and over another axis', async () => {
    const calib = join(tmp, 'calib-argmax-bad.json');
    writeFileSync(calib, JSON.stringify([Array.from({ length: T }, () => [0.1, 0.2, 0.3])]));
    const cases: [Record<string, number>, RegExp, string?][] = [
      [{ axis: -1, keepdims: 1, select_last_index: 1 }, /node 'top' \(ArgMax\): select_last_index=1 — not supported/],
      [{ axis: 0, keepdims: 1, select_last_index: 0 }, /node 'top' \(ArgMax\): argmax over axis 0: only the feature/],
    ];
    for (const [attrs, pattern, quant] of cases) {
      const file = join(tmp, 'argmax-bad.onnx');
      writeFileSync(file, softmaxModel(rng(3), -1, attrs));
      await expect(compileModel(file, { ...DEFAULT_COMPILE, calib, ...(quant ? { quant } : {}) })).rejects.toThrow(pattern);
    }
  });

  it('ties: first index, or last with select_last_index (any axis)', async () => {
    const r = rng(8);
    const x = tensor([4, 3, 6], uniform(r, 72, 2).map((v) => Math.round(v)));
    for (const [axis, sli] of [[2, 0], [2, 1], [0, 1], [-2, 0]]) {
      const bytes = buildModel({
        nodes: [{ op: 'ArgMax', name: 'am', inputs: ['X'], outputs: ['K'], attrs: { axis, keepdims: 1, select_last_index: sli } }],
        inputs: [{ name: 'X', dims: [4, 3, 6] }], outputs: [{ name: 'K', dims: [axis === 2 ? 4 : axis === 0 ? 1 : 4, axis === 2 ? 3 : axis === 0 ? 3 : 1, axis === 2 ? 1 : 6], type: 7 }],
      });
      const file = join(tmp, `am${axis}${sli}.onnx`);
      writeFileSync(file, bytes);
      const want = await runOrt(bytes, x);
      const { out } = reference(file, x);
      expect(out.shape, `axis ${axis}`).toEqual(want.shape);
      expect(Array.from(out.data), `axis ${axis} select_last_index ${sli}`).toEqual(want.data);
    }
  });
});

describe('AttentionPool (IR op, reference kernel) vs a float64 transcription', () => {
  const Tn = 7, Bn = 3, Hn = 5, An = 4;
  /** Independent transcription: scores, weights = exp(s − max)/Σ, pooled = Σ_t weights_t·h_t. */
  function expected(y: number[], mode: 'additive' | 'dot', w: number[], v: number[], bias: number[] | undefined, scale: number) {
    const pooled: number[] = [], weights = new Array<number>(Tn * Bn);
    for (let b = 0; b < Bn; b++) {
      const hs = Array.from({ length: Tn }, (_, t) => y.slice((t * Bn + b) * Hn, (t * Bn + b + 1) * Hn));
      const dot = (p: number[], q: number[]) => p.reduce((s, x, i) => s + x * q[i], 0);
      const scores = hs.map((h) => (mode === 'dot' ? scale * dot(w, h)
        : v.reduce((s, va, a) => s + va * Math.tanh(dot(w.slice(a * Hn, (a + 1) * Hn), h) + (bias ? bias[a] : 0)), 0)));
      const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
      const alpha = e.map((x) => x / e.reduce((s, z) => s + z, 0));
      alpha.forEach((a, t) => (weights[t * Bn + b] = a));
      for (let j = 0; j < Hn; j++) pooled.push(alpha.reduce((s, a, t) => s + a * hs[t][j], 0));
    }
    return { pooled, weights };
  }
  const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });

  for (const [mode, withBias] of [['additive', true], ['additive', false], ['dot', false]] as const) {
    it(`${mode}${withBias ? ' with bias' : ''}: outputs, shapes and cost`, () => {
      const r = rng(mode === 'dot' ? 11 : withBias ? 12 : 13);
      const y = uniform(r, Tn * Bn * Hn, 1.5).map(Math.fround);
      const w = uniform(r, mode === 'dot' ? Hn : An * Hn, 2).map(Math.fround), v = uniform(r, An, 2).map(Math.fround);
      const bias = withBias ? uniform(r, An, 0.5).map(Math.fround) : undefined;
      const scale = mode === 'dot' ? Math.fround(0.75) : 1;
      const g = new GraphBuilder('att', 'att.test', {});
      const Y = g.input('Y', [Tn, Bn, Hn]);
      const ins = [Y, g.constant('W', f32(mode === 'dot' ? [Hn] : [An, Hn], w))];
      if (mode === 'additive') ins.push(g.constant('V', f32([An], v)), ...(bias ? [g.constant('Bias', f32([An], bias))] : []));
      const [pooledName, weightsName] = g.node('AttentionPool', ins, { mode, scale }, ['pooled', 'weights'], 'att');
      const graph = g.finish([pooledName, weightsName]);
      expect(graph.outputs.map((o) => o.shape)).toEqual([[Bn, Hn], [Tn, Bn]]);
      const out = runReference(graph, new Map([[Y, f32([Tn, Bn, Hn], y)]]));
      const want = expected(y, mode, w, v, bias, scale);
      const got = [out.get(pooledName)!, out.get(weightsName)!];
      expect(got[0].shape).toEqual([Bn, Hn]);
      got[0].data.forEach((x, k) => expect(Math.abs(x - want.pooled[k]), `pooled[${k}]`).toBeLessThan(1e-6));
      got[1].data.forEach((x, k) => expect(Math.abs(x - want.weights[k]), `weights[${k}]`).toBeLessThan(1e-6));
      const spread = Math.max(...want.weights) - Math.min(...want.weights);
      expect(spread, 'the scores are not uniform').toBeGreaterThan(0.05);
      const cost = nodeCost(graph, graph.nodes[0])!;
      expect(cost).toEqual(mode === 'dot' ? { weights: Hn, biases: 0, macs: Tn * 2 * Hn, per: 'call' }
        : { weights: An * Hn + An, biases: withBias ? An : 0, macs: Tn * (An * Hn + An + Hn), per: 'call' });
    });
  }

  it('bad shapes are named; fixed point lowers it to a run-mode pool (tests/attention.test.ts)', async () => {
    const g = new GraphBuilder('att', 'att.test', {});
    const Y = g.input('Y', [Tn, Bn, Hn]);
    g.node('AttentionPool', [Y, g.constant('W', f32([An, Hn + 1], new Array(An * (Hn + 1)).fill(0.1))), g.constant('V', f32([An], [1, 2, 3, 4]))],
      { mode: 'additive' }, ['pooled'], 'att');
    expect(() => g.finish(['pooled'])).toThrow(/W 'W' has shape \[4,6\] but dimension 1 must be 5/);
    expect(() => new GraphBuilder('a', 'a', {}).node('AttentionPool', [Y], { mode: 'cosine' }, ['p'], 'att')).toThrow(/mode 'cosine' is not additive or dot/);
    const h = new GraphBuilder('att', 'att.test', {});
    const X = h.input('X', [Tn, 1, 2]);
    const r = rng(4);
    const [Ys] = h.node('LSTM', [X, h.constant('Wl', f32([1, 4 * Hn, 2], uniform(r, 8 * Hn))), h.constant('Rl', f32([1, 4 * Hn, Hn], uniform(r, 4 * Hn * Hn)))],
      { hidden_size: Hn }, ['Y', ''], 'lstm');
    const S = h.op('Squeeze', [Ys, h.constant('ax', { dtype: 'int64', shape: [1], data: Float64Array.of(1) })], {}, 'S', 'sq');
    const P = h.op('AttentionPool', [S, h.constant('q', f32([Hn], uniform(r, Hn)))], { mode: 'dot' }, 'P', 'att');
    const graph = h.finish([P]);
    const calib = join(tmp, 'calib-att.json');
    writeFileSync(calib, JSON.stringify([Array.from({ length: Tn }, () => [0.1, -0.2])]));
    const q = quantizeGraph(graph, { ...DEFAULT_COMPILE, calib });
    expect([q.program.pools.length, q.program.pools[0].mode, isStreamable(q.program)]).toEqual([1, 'dot', false]);
  });
});
