// The f32 scheme (--quant f32, the float module): the AssemblyScript float math and cells
// (runtime-as/f32) against the TypeScript simulator (compiler/fixed/f32) bit for bit (SRU, QRNN,
// and dense heads with softmax, log-softmax and argmax included; their models are in
// tests/f32-sru-qrnn.test.ts and tests/heads-log-softmax-f32.test.ts); the math against
// Math.exp/tanh/log (independent oracle); every ONNX conformance case compiled with
// f32 equal to the simulator (run and step) and within 1e-4 of the expected outputs
// (third-party: ONNX reference, onnxruntime, CNTK); the activations' alpha/beta semantics
// against the float reference interpreter; Softplus refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAssemblyScript, listImports, validateWasm } from '../compiler/build/asc.ts';
import { MemoryImage, serializeCell } from '../compiler/codegen/memory-image.ts';
import { CELL_FIELDS, SUB_FIELDS, descriptorBytes, fieldOffsets } from '../compiler/fixed/cells/layout.ts';
import { activateF32, expF32, F32_ACT, logF32, sigmoidF32, tanhF32, type F32Act } from '../compiler/fixed/f32/math.ts';
import { denseStepF32, gruStepF32, lstmStepF32, rnnStepF32, type F32Mat } from '../compiler/fixed/f32/cells.ts';
import { qrnnStepF32, sruStepF32 } from '../compiler/fixed/f32/sru-qrnn.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { compileModel, DEFAULT_COMPILE, quantizeModel } from '../src/compile.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { onnxConformanceCases } from './helpers/cases.ts';
import { FIXTURES } from './helpers/cli.ts';
import { buildModel, rng } from './helpers/onnx-builder.ts';

const f = Math.fround;
const rand = rng(20260321);
const uni = (lo: number, hi: number) => f(lo + (hi - lo) * rand());
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
const sameTensors = (a: Tensor[], b: Tensor[]) => a.length === b.length && a.every((t, i) => same(t.data, b[i].data));

const TEST_MODULE = `import { expF32, logF32, sigmoidF32, tanhF32, activateF32 } from './runtime-as/f32/math';
import { rnnStepF32, gruStepF32, lstmStepF32, denseStepF32 } from './runtime-as/f32/cells';
import { sruStepF32, qrnnStepF32 } from './runtime-as/f32/sru-qrnn';
export { expF32, logF32, sigmoidF32, tanhF32, activateF32, rnnStepF32, gruStepF32, lstmStepF32, denseStepF32, sruStepF32, qrnnStepF32 };\n`;
const BASE = 65536; // the image's first byte; the module's own static data stays below
type Fn = (...a: number[]) => number;
let wasm: Uint8Array<ArrayBuffer>;
let as: Record<string, Fn> & { memory: WebAssembly.Memory };
beforeAll(async () => {
  ({ wasm } = await compileAssemblyScript({ files: { 'f32.ts': TEST_MODULE }, entry: 'f32.ts', extraArgs: ['--initialMemory', '8'] }));
  as = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports as typeof as;
}, 60_000);

/** Edge inputs, exp's rounding ties (x·log2e exactly k + ½), random values and random bit patterns. */
function mathInputs(): number[] {
  const xs = [0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 1e-30, -1e-7, 1e-7, 0.25, -0.25, f(0.24999999), -f(0.24999999),
    1, -1, 87, -87, 87.5, -87.5, 88, -88, 88.4, 88.8, 89, -89, 100, -104, 1e10, -1e10, 3.4028235e38, -3.4028235e38, Infinity, -Infinity, NaN];
  const buf = new Float32Array(1), bits = new Int32Array(buf.buffer), LOG2E = f(Math.LOG2E);
  for (let k = -126; k <= 127; k++) {
    buf[0] = (k + 0.5) / LOG2E;
    const b0 = bits[0];
    for (let d = -64; d <= 64; d++) {
      bits[0] = b0 + d;
      if (f(buf[0] * LOG2E) === k + 0.5) xs.push(buf[0], -buf[0]);
    }
  }
  for (let i = 0; i < 40_000; i++) xs.push(uni(-100, 100), uni(-1, 1), f((rand() - 0.5) * 2 ** randInt(-30, 10)));
  for (let i = 0; i < 20_000; i++) (bits[0] = randInt(-(2 ** 31), 2 ** 31 - 1), xs.push(buf[0]));
  return xs.map(f); // the functions take f32 values
}

/** The first few inputs where two functions differ (Object.is), as 'x: a vs b'. */
function mismatches(xs: number[], a: (x: number) => number, b: (x: number) => number): string[] {
  const out: string[] = [];
  for (const x of xs) if (!Object.is(a(x), b(x)) && out.push(`${x}: ${a(x)} vs ${b(x)}`) >= 5) break;
  return out;
}

describe('f32 math: AssemblyScript equals TypeScript; accuracy against Math', () => {
  const xs = mathInputs();

  it('the test module is import-free and validates with every post-MVP feature off', async () => {
    expect(listImports(wasm)).toEqual([]);
    await validateWasm(wasm, {});
  });

  it('expF32, sigmoidF32, tanhF32 are bit-exact over ±0, tiny, huge, ±Inf, NaN, rounding ties and 140,000 more inputs', () => {
    for (const [name, ts] of [['expF32', expF32], ['sigmoidF32', sigmoidF32], ['tanhF32', tanhF32]] as const) {
      expect(mismatches(xs, (x) => as[name](x), ts), name).toEqual([]);
    }
  });

  it('logF32 is bit-exact on normal positive inputs (and NaN, +Inf), within 2 ulp of Math.log on [1, 2^16] (the log-softmax sums)', () => {
    const pos = xs.map(Math.abs).filter((x) => x >= 1.1754942e-38 || x !== x);
    for (let i = 0; i <= 200_000; i++) pos.push(f(1 + 65535 * (i / 200_000)), f(2 ** (i % 17) * (1 + rand())));
    pos.push(1, 2, f(Math.SQRT1_2), f(Math.SQRT2), 3.4028235e38, Infinity);
    expect(pos.length).toBeGreaterThan(300_000);
    expect(mismatches(pos, (x) => as.logF32(x), logF32)).toEqual([]);
    expect([logF32(1), logF32(NaN), logF32(Infinity)]).toEqual([0, NaN, Infinity]);
    let ulps = 0, rel = 0;
    for (const x of pos) {
      if (!(x >= 1 && x <= 65536)) continue;
      const want = Math.log(x), got = logF32(x), ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(want), 2 ** -126))) - 23);
      ulps = Math.max(ulps, Math.abs(got - want) / ulp);
      if (x > 1.01) rel = Math.max(rel, Math.abs(got / want - 1));
    }
    console.info(`logF32 on [1, 2^16]: max error ${ulps.toFixed(2)} ulp, max rel ${rel.toExponential(2)} (x > 1.01)`);
    expect(ulps).toBeLessThan(2);
  });

  it('edge results are the documented ones', () => {
    expect([expF32(0), expF32(-0), expF32(NaN), expF32(Infinity), expF32(1e30), expF32(-Infinity)]).toEqual([1, 1, NaN, expF32(88), expF32(88), expF32(-87)]);
    expect(expF32(88) / Math.exp(88)).toBeCloseTo(1, 6); // finite, e^88
    expect(expF32(-87) / Math.exp(-87)).toBeCloseTo(1, 6); // normal, never 0
    expect([sigmoidF32(0), sigmoidF32(Infinity), sigmoidF32(NaN), tanhF32(-0), tanhF32(Infinity), tanhF32(-Infinity), tanhF32(NaN)])
      .toEqual([0.5, 1, NaN, -0, 1, -1, NaN]);
    expect(Object.is(tanhF32(-0), -0) && sigmoidF32(-Infinity) > 0 && sigmoidF32(-Infinity) < 1e-38).toBe(true);
  });

  it('expF32 is within 1.5 ulp (relative 9e-8) of Math.exp on [-87, 88]; sigmoid and tanh within 1e-7 absolute', () => {
    let rel = 0, sAbs = 0, tAbs = 0, tRel = 0;
    for (let i = 0; i <= 1_000_000; i++) {
      const x = f(-87 + 175 * (i / 1_000_000)), y = f(-30 + 60 * (i / 1_000_000)), small = f(-0.6 + 1.2 * (i / 1_000_000));
      rel = Math.max(rel, Math.abs(expF32(x) / Math.exp(x) - 1));
      sAbs = Math.max(sAbs, Math.abs(sigmoidF32(y) - 1 / (1 + Math.exp(-y))));
      tAbs = Math.max(tAbs, Math.abs(tanhF32(y) - Math.tanh(y)));
      if (small !== 0) tRel = Math.max(tRel, Math.abs(tanhF32(small) / Math.tanh(small) - 1));
    }
    console.info(`expF32 max rel err ${rel.toExponential(2)}; sigmoid max abs ${sAbs.toExponential(2)}; tanh max abs ${tAbs.toExponential(2)}, max rel (|x|<0.6) ${tRel.toExponential(2)}`);
    expect(rel).toBeLessThan(9e-8);
    expect(Math.max(sAbs, tAbs)).toBeLessThan(1e-7);
    expect(tRel).toBeLessThan(2.5e-7);
  });

  it('activateF32 (every ONNX activation with random alpha/beta) is bit-exact', () => {
    const img = new MemoryImage(BASE);
    for (const kind of Object.values(F32_ACT)) {
      for (let n = 0; n < 4; n++) {
        const a: F32Act = { kind, alpha: uni(-2, 2), beta: uni(-2, 2) };
        const at = img.i32s([a.kind, ...new Int32Array(Float32Array.of(a.alpha, a.beta).buffer)]);
        new Uint8Array(as.memory.buffer).set(img.data, img.constStart);
        expect(mismatches(xs.slice(0, 20_000), (x) => as.activateF32(x, at), (x) => activateF32(x, a)), JSON.stringify(a)).toEqual([]);
      }
    }
  });
});

describe('f32 cells: AssemblyScript equals TypeScript', () => {
  it('desc.ts offsets equal layout.ts fieldOffsets()', () => {
    const src = readFileSync(new URL('../runtime-as/f32/desc.ts', import.meta.url), 'utf8');
    const ns: Record<string, Record<string, number>> = {};
    for (const [, name, body] of src.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
      ns[name] = Object.fromEntries([...body.matchAll(/export const (\w+): usize = (\d+);/g)].map(([, k, v]) => [k, Number(v)]));
    }
    const names = (o: Record<string, number>) => Object.keys(o).filter((k) => k !== 'bytes');
    expect(names(ns.FMAT)).toEqual([...SUB_FIELDS.fmat!]);
    expect(names(ns.FACT)).toEqual([...SUB_FIELDS.fact!]);
    for (const kind of ['RNN_F32', 'GRU_F32', 'LSTM_F32', 'SRU_F32', 'QRNN_F32', 'DENSE_F32'] as const) {
      const got = new Map<string, number>();
      expect(names(ns[kind]), kind).toEqual(CELL_FIELDS[kind].map(([n]) => n));
      for (const [name, k] of CELL_FIELDS[kind]) {
        const sub = k === 'fmat' ? ns.FMAT : k === 'fact' ? ns.FACT : undefined;
        if (sub) for (const s of names(sub)) got.set(`${name}.${s}`, ns[kind][name] + sub[s]);
        else got.set(name, ns[kind][name]);
      }
      expect(got, kind).toEqual(fieldOffsets(kind));
      expect(ns[kind].bytes, kind).toBe(descriptorBytes(kind));
    }
  });

  const vec = (n: number, s = 1) => Float32Array.from({ length: n }, () => uni(-s, s));
  const mat = (rows: number, cols: number): F32Mat => ({ rows, cols, w: vec(rows * cols, 1.5 / Math.sqrt(cols)), bias: vec(rows, 0.5) });
  const EMPTY: F32Mat = { rows: 0, cols: 0, w: new Float32Array(0), bias: new Float32Array(0) };
  const act = (): F32Act => ({ kind: randInt(0, 9), alpha: uni(0.05, 1.5), beta: uni(-1, 1) });
  const clip = () => (rand() < 0.5 ? Infinity : uni(0.3, 3));
  const KINDS = { RNN_F32: rnnStepF32, GRU_F32: gruStepF32, LSTM_F32: lstmStepF32, SRU_F32: sruStepF32, QRNN_F32: qrnnStepF32, DENSE_F32: denseStepF32 } as const;
  type Kind = keyof typeof KINDS;
  const make = (kind: Kind, I: number, H: number, opt: number): Record<string, unknown> => {
    const io = { I, H, h: vec(H), v: new Float32Array(I + H) };
    if (kind === 'RNN_F32') return { ...io, gates: mat(H, I + H), act: act(), clip: clip() };
    if (kind === 'DENSE_F32') {
      return { I, N: H, mat: mat(H, I), act: { ...act(), kind: randInt(0, 10) }, y: new Float32Array(H), v: new Float32Array(I), norm: opt % 3, argmax: opt >> 1 };
    }
    if (kind === 'SRU_F32') {
      // opt 0: k = 3 highway (where I >= H), 1: k = 4 highway, 2: k = 3 tanh without highway, 3: k = 4 tanh highway.
      const k = opt % 2 === 1 || I < H ? 4 : 3;
      return { I, H, k, tanh: opt >= 2, highway: opt !== 2, hwOff: k === 3 ? randInt(0, I - H) : 0, U: mat(k * H, I), peep: vec(2 * H),
        scaleX: uni(0.5, 2), h: vec(H), cState: vec(H), v: new Float32Array(I), acc: new Float32Array(k * H) };
    }
    if (kind === 'QRNN_F32') {
      const window = 1 + (opt % 2), G = opt >= 2 ? 3 : 2;
      return { I, H, window, fo: G === 3, gates: mat(G * H, window * I), h: vec(H), cState: vec(H), xPrev: vec(window === 2 ? I : 0),
        v: new Float32Array(window * I), acc: new Float32Array(G * H) };
    }
    if (kind === 'GRU_F32') {
      const lbr = opt % 2 === 1;
      return { ...io, linearBeforeReset: lbr, gatesZR: mat(2 * H, I + H), cand: mat(H, lbr ? I : I + H), candH: lbr ? mat(H, H) : EMPTY,
        f: act(), g: act(), clip: clip(), acc: new Float32Array((lbr ? 4 : 3) * H) };
    }
    return { ...io, inputForget: opt % 2 === 1, gates: mat(4 * H, I + H), f: act(), g: act(), hAct: act(),
      peep: opt >= 2 ? vec(3 * H) : new Float32Array(0), clip: clip(), cState: vec(H), acc: new Float32Array(4 * H) };
  };

  it('random cells (every activation, clip, lbr, peepholes, input_forget; SRU k 3/4, tanh, highway; QRNN window 1/2, f/fo; dense softmax, log-softmax, argmax; I in {1,3,8}, H in {1,4,9}) step bit-exactly', () => {
    let compared = 0, moving = 0;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      for (let opt = 0; opt < 4; opt++) for (const I of [1, 3, 8]) for (const H of [1, 4, 9]) for (let rep = 0; rep < 3; rep++) {
        const cell = make(kind, I, H, opt);
        const img = new MemoryImage(BASE);
        for (const b of ['h', 'cState', 'xPrev', 'v', 'acc', 'y'] as const) if (cell[b]) img.buffer(b, (cell[b] as Float32Array).byteLength, cell[b] as Float32Array);
        const desc = serializeCell(img, kind, cell);
        const mem = as.memory.buffer;
        new Uint8Array(mem, BASE, img.end - BASE).fill(0);
        new Uint8Array(mem).set(img.data, img.constStart);
        const view = (k: string) => new Float32Array(mem, img.addressOf(cell[k] as Float32Array), (cell[k] as Float32Array).length);
        const state = kind === 'DENSE_F32' ? ['y'] : kind === 'LSTM_F32' || kind === 'SRU_F32' ? ['h', 'cState']
          : kind === 'QRNN_F32' ? ['h', 'cState', 'xPrev'].filter((k) => (cell[k] as Float32Array).length) : ['h'];
        for (const k of state) view(k).set(cell[k] as Float32Array);
        for (let t = 0; t < 4; t++) {
          const x = vec(I, 2), v = cell.v as Float32Array;
          v.set(x), view('v').set(x);
          const before = Array.from(cell[state[0]] as Float32Array);
          KINDS[kind](cell as never);
          as[`${kind === 'DENSE_F32' ? 'dense' : kind.slice(0, -4).toLowerCase()}StepF32`](desc);
          for (const k of state) expect(same(view(k), cell[k] as Float32Array), `${kind} opt ${opt} I=${I} H=${H} step ${t} ${k}`).toBe(true);
          const now = cell[state[0]] as Float32Array;
          compared += now.length;
          moving += now.filter((y, j) => y !== before[j] && Number.isFinite(y)).length;
        }
      }
    }
    console.info(`f32 cells: ${compared} values compared, ${(100 * moving / compared).toFixed(0)}% changed and finite`);
    expect(moving / compared).toBeGreaterThan(0.5);
  });
});

/** |got − want| <= 1e-4 + 1e-4·|want| everywhere; returns the max abs error. */
function checkClose(got: Tensor[], want: Tensor[], what: string): number {
  let worst = 0;
  want.forEach((w, i) => w.data.forEach((v, k) => {
    const e = Math.abs(got[i].data[k] - v);
    worst = Math.max(worst, e);
    if (!(e <= 1e-4 + 1e-4 * Math.abs(v))) expect.fail(`${what} output ${i}[${k}]: ${got[i].data[k]} vs ${v}`);
  }));
  return worst;
}

describe('--quant f32: every conformance case compiled, bit-exact with the simulator, close to the float model', () => {
  for (const c of onnxConformanceCases()) {
    it(c.name, async () => {
      const data = `${c.dir}/test_data_set_0`;
      const r = await compileModel(c.dir, { ...DEFAULT_COMPILE, quant: 'f32', data });
      expect(listImports(new Uint8Array(r.module.wasm))).toEqual([]);
      await validateWasm(r.module.wasm, {});
      expect([r.manifest.quant, r.manifest.input.bits, r.manifest.input.scale]).toEqual(['f32', 32, 1]);
      const { inputs, outputs } = readTestData(data, loadModel(c.dir), true);
      const sim = simulate(r.qp, inputs[0]).outputs;
      const wasmModel = await WasmModel.load(r.module.wasm, r.manifest);
      expect(sameTensors(runWasm(wasmModel, inputs[0], 'run'), sim)).toBe(true);
      if (r.manifest.streamable) expect(sameTensors(runWasm(wasmModel, inputs[0], 'step'), sim)).toBe(true);
      console.info(`${c.name}: f32 max abs err ${checkClose(sim, outputs, c.name).toExponential(2)}`);
    });
  }

  it('extreme inputs (±1e6, ±3.4e38, ±Inf, NaN) through a GRU-64 module stay bit-exact', async () => {
    const dir = `${FIXTURES}/bench/gru_i32_h64_s100`;
    const r = await compileModel(dir, { ...DEFAULT_COMPILE, quant: 'f32', data: `${dir}/test_data_set_0`, maxSteps: 400 });
    const specials = [1e6, -1e6, Infinity, -Infinity, 3.4e38, -3.4e38, NaN];
    const T = 400, data = new Float32Array(T * 32);
    data.forEach((_, k) => (data[k] = k % 97 === 0 && k > 6000 ? specials[k % specials.length] : uni(-50, 50)));
    const x: Tensor = { dtype: 'float32', shape: [T, 1, 32], data };
    const sim = simulate(r.qp, x).outputs;
    expect(sameTensors(runWasm(await WasmModel.load(r.module.wasm, r.manifest), x, 'run'), sim)).toBe(true);
    expect(sim[0].data.some(Number.isNaN) && sim[0].data.some(Number.isFinite)).toBe(true); // the NaN really flowed
  }, 60_000);
});

describe('--quant f32 activations against the float reference interpreter', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnc-f32-'));
  const I = 2, H = 3, T = 6;
  const u = (n: number, s: number) => Array.from({ length: n }, () => uni(-s, s));
  const model = (op: 'RNN' | 'GRU' | 'LSTM', attrs: Record<string, string[] | { floats: number[] } | number>) => {
    const G = op === 'RNN' ? 1 : op === 'GRU' ? 3 : 4;
    const path = join(tmp, `${op}-${(attrs.activations as string[]).join('-')}.onnx`);
    writeFileSync(path, buildModel({
      nodes: [{ op, name: 'cell', inputs: ['X', 'W', 'R', 'B'], outputs: ['Y'], attrs: { hidden_size: H, ...attrs } }],
      inputs: [{ name: 'X', dims: [T, 1, I] }], outputs: [{ name: 'Y', dims: [T, 1, 1, H] }],
      initializers: [{ name: 'W', dims: [1, G * H, I], data: u(G * H * I, 1.2) }, { name: 'R', dims: [1, G * H, H], data: u(G * H * H, 1.2) },
        { name: 'B', dims: [1, 2 * G * H], data: u(2 * G * H, 0.5) }],
    }));
    return path;
  };
  const calib = join(tmp, 'calib.json');
  writeFileSync(calib, JSON.stringify([Array.from({ length: T }, () => u(I, 2))]));
  const x: Tensor = { dtype: 'float32', shape: [T, 1, I], data: Float32Array.from(JSON.parse(readFileSync(calib, 'utf8'))[0].flat()) };
  type Case = [string, 'RNN' | 'GRU' | 'LSTM', Record<string, string[] | { floats: number[] } | number>];
  const CASES: Case[] = [
    ...['Relu', 'Tanh', 'Sigmoid', 'Softsign'].map((a): Case => [a, 'RNN', { activations: [a] }]),
    ...['Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu']
      .map((a): Case => [a, 'RNN', { activations: [a], activation_alpha: { floats: [0.7] }, activation_beta: { floats: [0.3] } }]),
    ['GRU HardSigmoid/ScaledTanh clip lbr', 'GRU', { activations: ['HardSigmoid', 'ScaledTanh'], activation_alpha: { floats: [0.3, 1.2] }, activation_beta: { floats: [0.45, 0.8] }, clip: 1.5, linear_before_reset: 1 }],
    ['LSTM Sigmoid/Elu/Softsign input_forget', 'LSTM', { activations: ['Sigmoid', 'Elu', 'Softsign'], activation_alpha: { floats: [0.5] }, input_forget: 1 }],
  ];
  for (const [label, op, attrs] of CASES) {
    it(label, () => {
      const path = model(op, attrs);
      const q = quantizeModel(path, { ...DEFAULT_COMPILE, quant: 'f32', calib });
      const graph = loadModel(path);
      const ref = runReference(graph, new Map([[graph.inputs[0].name, x]])).get('Y')!;
      console.info(`${label}: f32 max abs err ${checkClose(simulate(q.qp, x).outputs, [ref], label).toExponential(2)}`);
    });
  }

  it('Softplus is refused with a clear error', async () => {
    const path = model('RNN', { activations: ['Softplus'] });
    await expect(compileModel(path, { ...DEFAULT_COMPILE, quant: 'f32', calib })).rejects.toThrow(/layer 'cell' direction 0: Softplus is not supported by --quant f32/);
  });
});
