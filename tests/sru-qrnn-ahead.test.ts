/**
 * run(n) with SRU's and QRNN's input projections ahead of the recurrence (compiler/codegen/ahead.ts,
 * runtime-as/cells/project.ts): whole chunks of CHUNK steps project as one matrix–matrix product,
 * the rest step by step. Oracles: the simulator (unchanged; run(n) must equal it bit for bit),
 * n × step() on the same module, and the instrumented module's executed counts (the static counts
 * of run(n) must equal them: the chunk kernels are branch-free on data). n covers whole chunks
 * and a tail (11), one chunk (4), fewer steps than a chunk (3) and one step.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK } from '../compiler/codegen/ahead.ts';
import { GraphBuilder, int64 } from '../compiler/importers/graph-builder.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { compileGraph, compileModel, DEFAULT_COMPILE, quantizeGraph, type CompileOptions, type Compiled } from '../src/compile.ts';
import { buildModule } from '../compiler/build/module.ts';
import { runWasmInterp } from '../compiler/build/wasm-interp.ts';
import { emitModuleSource } from '../compiler/codegen/emit.ts';
import { expectedHash, harnessSource } from '../compiler/codegen/harness.ts';
import { planModule } from '../compiler/codegen/plan.ts';
import { inputSteps } from '../compiler/lower/assemble.ts';
import { staticStepCounts } from '../src/estimate/counts.ts';
import { loadModel } from '../src/model.ts';
import { qrnnGraph as syntheticQrnn, sruGraph as syntheticSru } from '../src/report/synthetic-ir.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { same } from './helpers/compare.ts';
import { expectStaticCountsAgree } from './helpers/counts.ts';
import { qrnnGraph, randomInput, randomQrnnLayer, sruModelDir, uniform, windowsFile, type QrnnLayer, type SruCfg } from './helpers/sru-qrnn-models.ts';

const TMP = mkdtempSync(join(tmpdir(), 'rnnc-sru-qrnn-ahead-'));
const MAX = 11; // max_steps: two chunks and a tail of 3
const NS = [MAX, CHUNK, 3, 1];
const QUANTS = ['int16', 'int8x16', 'int8', 'f32'];

interface Case { name: string; I: number; streamable: boolean; compile(o: Partial<CompileOptions>): Promise<Compiled> }

function sruCase(name: string, cfg: SruCfg, seed: number): Case {
  const dir = sruModelDir(cfg, seed), calib = windowsFile(TMP, cfg.input_size, 6, 12, seed + 1);
  return { name, I: cfg.input_size, streamable: !cfg.bidirectional, compile: (o) => compileModel(dir, { ...DEFAULT_COMPILE, calib, maxSteps: MAX, ...o }) };
}

function qrnnCase(name: string, layers: QrnnLayer[], I: number, seed: number): Case {
  const graph = qrnnGraph(layers, I), calib = windowsFile(TMP, I, 6, 12, seed + 1);
  return { name, I, streamable: true, compile: (o) => compileGraph(graph, { ...DEFAULT_COMPILE, calib, maxSteps: MAX, ...o }) };
}

const CASES: Case[] = [
  sruCase('SRU k = 4 then 3, 2 layers (stacked)', { input_size: 9, hidden_size: 6, num_layers: 2 }, 11),
  sruCase('SRU k = 3, tanh, rescale', { input_size: 6, hidden_size: 6, num_layers: 1, use_tanh: true, rescale: true }, 22),
  sruCase('SRU k = 4, bidirectional', { input_size: 3, hidden_size: 5, num_layers: 1, bidirectional: true }, 33),
  sruCase('SRU k = 3, bidirectional, no skip term, 2 layers', { input_size: 4, hidden_size: 4, num_layers: 2, bidirectional: true, use_tanh: true, has_skip_term: false }, 44),
  qrnnCase('QRNN window 1, f-pooling', [randomQrnnLayer(10, 6, 1, 'f', 55)], 10, 55),
  qrnnCase('QRNN window 2, fo-pooling, initial_c', [randomQrnnLayer(3, 5, 2, 'fo', 66, 2)], 3, 66),
  qrnnCase('QRNN window 2 f → window 1 fo (stacked)', [randomQrnnLayer(4, 5, 2, 'f', 77), randomQrnnLayer(5, 4, 1, 'fo', 78)], 4, 77),
];

/** The simulator's outputs as the module returns them: with integer I/O, q = x · 2^frac of the slice element's copy (exact). */
function asIo(sim: Tensor[], r: Compiled): Tensor[] {
  if (r.manifest.io === 'f32') return sim;
  return sim.map((t, k) => {
    const o = r.manifest.outputs[k];
    const stride = (a: string) => t.shape.slice(o.axes.indexOf(a) + 1).reduce((x, y) => x * y, 1);
    const index = (flat: number, a: string) => (o.axes.includes(a) ? Math.floor(flat / stride(a)) % t.shape[o.axes.indexOf(a)] : 0);
    const data = t.data.map((v, flat) => {
      const e = index(flat, 'D') * o.features + index(flat, 'F');
      return v * 2 ** o.copies.find((c) => e >= c.dst && e < c.dst + c.count)!.frac;
    });
    return { ...t, data } as Tensor;
  });
}

/** An input the module reads exactly: integer I/O takes q, the simulator q · 2^−frac. */
function inputs(x: Tensor, r: Compiled): [Tensor, Tensor] {
  if (r.manifest.io === 'f32') return [x, x];
  const frac = r.manifest.input.frac;
  const q = x.data.map((v) => Math.max(-32768, Math.min(32767, Math.round(v * 2 ** frac))));
  return [{ ...x, data: q } as Tensor, { ...x, data: q.map((v) => v * 2 ** -frac) } as Tensor];
}

describe('run(n) with projections ahead equals the simulator and n × step(), bit for bit', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      for (const quant of QUANTS) {
        // f32 I/O (quantized step by step) and int16 I/O (read from the input buffer); int8 I/O cannot return the int16 cell states.
        for (const io of quant === 'int8' || quant === 'f32' ? ['f32'] as const : ['f32', 'int16'] as const) {
          const r = await c.compile({ quant, io });
          expect(r.plan.ahead, `${quant}: chunk buffers planned`).toBeDefined();
          expect(r.source).toMatch(c.streamable ? /chunkAt\(t\)/ : /(sru|qrnn)Project(F32\(|<)/);
          const m = await WasmModel.load(r.module.wasm, r.manifest);
          for (const n of NS) {
            const [x, xSim] = inputs(randomInput(n, 2, c.I, 1000 + n), r);
            const sim = asIo(simulate(r.qp, xSim).outputs, r);
            expect(same(runWasm(m, x, 'run'), sim), `${quant} io ${io} run(${n})`).toBe(true);
            if (c.streamable) expect(same(runWasm(m, x, 'step'), sim), `${quant} io ${io} ${n} × step()`).toBe(true);
          }
        }
      }
    }, 120_000);
  }
});

describe('static counts of run(n) equal the executed counts', () => {
  it('SRU and QRNN, every scheme, run(max_steps) with a tail', async () => {
    for (const c of [CASES[0], CASES[2], CASES[5], CASES[6]]) {
      for (const quant of QUANTS) {
        const r = await c.compile({ quant });
        await expectStaticCountsAgree(r, `${c.name} ${quant} step`);
        // As a run-only module: run(max_steps) / max_steps, through the chunks and the tail.
        await expectStaticCountsAgree({ module: r.module, manifest: { ...r.manifest, streamable: false } }, `${c.name} ${quant} run`);
      }
    }
  }, 240_000);
});

describe('executed instructions per step: run(n) against step() (H 64, input 32, int8x16)', () => {
  const total = (classes: Record<string, number>) => Object.entries(classes).filter(([k]) => k !== 'control').reduce((s, [, v]) => s + v, 0);
  for (const [name, graph] of [['SRU', syntheticSru], ['QRNN', syntheticQrnn]] as const) {
    it(`${name}: run(64) per step costs fewer instructions than step()`, async () => {
      const r = await compileGraph(graph(32, 64, uniform(64)), { ...DEFAULT_COMPILE, quant: 'int8x16', kernel: 'loop', syntheticCalibration: true, maxSteps: 64 });
      const step = total(staticStepCounts(r.module.wasm, r.manifest).classes);
      const run = total(staticStepCounts(r.module.wasm, { ...r.manifest, streamable: false }).classes);
      console.info(`${name} H=64 int8x16: step() ${step.toFixed(0)}, run(64)/64 ${run.toFixed(0)} wasm instructions (${(100 * (1 - run / step)).toFixed(1)} % fewer)`);
      expect(run).toBeLessThan(step);
    }, 120_000);
  }
});

describe('a chunk with other cells and a per-step head', () => {
  // QRNN (window 2) → LSTM → dense head per step: the LSTM and the head read their inputs step by step from chunk buffers.
  it('QRNN → LSTM → MatMul + Add: run(n) equals the simulator and n × step()', async () => {
    const I = 4, H = 5, L = 3, N = 2, rnd = uniform(99, 0.7);
    const t = (...shape: number[]): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, rnd) });
    const q = randomQrnnLayer(I, H, 2, 'fo', 98);
    const b = new GraphBuilder('mixed', 'qrnn-lstm-head', {});
    const x = b.input('x', ['seq', 'batch', I]);
    const [y] = b.node('QRNN', [x, b.constant('W', q.W), b.constant('B', q.B)], { window: 2, pooling: 'fo' }, ['Y', 'Yh', 'Yc'], 'qrnn');
    const axes = b.constant('axes', int64([1]));
    const q1 = b.op('Squeeze', [y, axes], {}, 'q1', 'qrnn');
    const [ly] = b.node('LSTM', [q1, b.constant('Wl', t(1, 4 * L, H)), b.constant('Rl', t(1, 4 * L, L)), b.constant('Bl', t(1, 8 * L))], { hidden_size: L }, ['Yl', 'Yhl', 'Ycl'], 'lstm');
    const l1 = b.op('Squeeze', [ly, axes], {}, 'l1', 'lstm');
    const d = b.op('Add', [b.op('MatMul', [l1, b.constant('Wd', t(L, N))], {}, 'mm', 'head'), b.constant('bd', t(N))], {}, 'yd', 'head');
    const graph = b.finish([d, l1]);
    const calib = windowsFile(TMP, I, 6, 12, 97);
    for (const quant of QUANTS) {
      const r = await compileGraph(graph, { ...DEFAULT_COMPILE, calib, maxSteps: MAX, quant });
      expect([...r.plan.ahead!.pulled.keys()].sort(), quant).toEqual(['h0.0', 'h1.0']);
      const m = await WasmModel.load(r.module.wasm, r.manifest);
      for (const n of NS) {
        const xs = randomInput(n, 2, I, 2000 + n), sim = simulate(r.qp, xs).outputs;
        expect(same(runWasm(m, xs, 'run'), sim), `${quant} run(${n})`).toBe(true);
        expect(same(runWasm(m, xs, 'step'), sim), `${quant} ${n} × step()`).toBe(true);
      }
      await expectStaticCountsAgree({ module: r.module, manifest: { ...r.manifest, streamable: false } }, `${quant} run`);
    }
  }, 120_000);
});

describe('self-test harness through run(n) under V8 and wasm-interp', () => {
  it('stacked QRNN (windows 2 and 1): two chunks and a tail', async () => {
    const c = CASES[6], x = randomInput(MAX, 1, c.I, 3000);
    for (const quant of ['int8x16', 'f32']) {
      const q = quantizeGraph(qrnnGraph([randomQrnnLayer(4, 5, 2, 'f', 77), randomQrnnLayer(5, 4, 1, 'fo', 78)], c.I),
        { ...DEFAULT_COMPILE, calib: windowsFile(TMP, c.I, 6, 12, 78), maxSteps: MAX, quant });
      const plan = planModule(q.qp, 'f32', q.maxSteps);
      const src = emitModuleSource(plan, 'selftest') + harnessSource(plan, inputSteps(q.program, x, 0), 'run', 0);
      const wasm = (await buildModule(plan, src, {})).wasm;
      const want = expectedHash(plan, x, 0);
      const { instance } = await WebAssembly.instantiate(new Uint8Array(wasm), {});
      expect((instance.exports.selftest as () => number)(), quant).toBe(want);
      expect(runWasmInterp(wasm, 'selftest').value, quant).toBe(want);
    }
  }, 60_000);
});
