/**
 * SRU and QRNN with --quant f32 (the float module). Oracles: the f32 simulator (every module
 * equals it bit for bit, run and, where the model streams, step); the float reference interpreter
 * (float64 inside); for the sru package's fixture, the package's own stored outputs (PyTorch).
 * Models as tests/fixed-sru-qrnn.test.ts builds them: sru.SRU folders read by the PyTorch
 * importer (k = 4 then 3, k = 3 with tanh and rescale, bidirectional, no skip term) and stacked
 * QRNN graphs (window 1 and 2, f- and fo-pooling, initial_c).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listImports, validateWasm } from '../compiler/build/asc.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { compileGraph, compileModel, DEFAULT_COMPILE, type Compiled } from '../src/compile.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { FIXTURES } from './helpers/cli.ts';
import { normalizedError, same } from './helpers/compare.ts';
import { qrnnGraph, randomInput, randomQrnnLayer, sruModelDir, windowsFile, type QrnnLayer, type SruCfg } from './helpers/sru-qrnn-models.ts';

const FIXTURE = `${FIXTURES}/conformance/pytorch-sru/sru_2layer_bidirectional`;
const T = 12, B = 3;
const TMP = mkdtempSync(join(tmpdir(), 'rnnc-f32-sru-qrnn-'));
// f32 against the float64 reference: the rounding of float32 arithmetic and of expF32/tanhF32 (~1e-7 each).
const BOUND = 1e-6;

interface Case {
  name: string;
  graph: Graph;
  compile(): Promise<Compiled>;
  input: Tensor;
  streamable: boolean;
}

function sruCase(name: string, cfg: SruCfg, seed: number): Case {
  const dir = sruModelDir(cfg, seed), calib = windowsFile(TMP, cfg.input_size, 2, T, seed + 1);
  return { name, graph: loadModel(dir), input: randomInput(T, B, cfg.input_size, seed + 2, 2), streamable: !cfg.bidirectional,
    compile: () => compileModel(dir, { ...DEFAULT_COMPILE, quant: 'f32', calib }) };
}

function qrnnCase(name: string, layers: QrnnLayer[], I: number, seed: number): Case {
  const graph = qrnnGraph(layers, I), calib = windowsFile(TMP, I, 2, T, seed + 1);
  return { name, graph, input: randomInput(T, B, I, seed + 2, 2), streamable: true, compile: () => compileGraph(graph, { ...DEFAULT_COMPILE, quant: 'f32', calib }) };
}

const CASES: Case[] = [
  sruCase('SRU k = 4 then 3, forward, 2 layers', { input_size: 5, hidden_size: 6, num_layers: 2 }, 111),
  sruCase('SRU k = 3, forward, tanh, rescale', { input_size: 6, hidden_size: 6, num_layers: 1, use_tanh: true, rescale: true }, 222),
  sruCase('SRU k = 4, bidirectional, 1 layer', { input_size: 3, hidden_size: 5, num_layers: 1, bidirectional: true }, 333),
  sruCase('SRU k = 3, bidirectional, tanh, no skip term, 2 layers', { input_size: 4, hidden_size: 4, num_layers: 2, bidirectional: true, use_tanh: true, has_skip_term: false }, 444),
  qrnnCase('QRNN window 1, f-pooling', [randomQrnnLayer(4, 6, 1, 'f', 555)], 4, 555),
  qrnnCase('QRNN window 2, fo-pooling, initial_c', [randomQrnnLayer(3, 5, 2, 'fo', 666, B)], 3, 666),
  qrnnCase('QRNN window 2 f-pooling → window 1 fo-pooling', [randomQrnnLayer(4, 5, 2, 'f', 777), randomQrnnLayer(5, 4, 1, 'fo', 778)], 4, 777),
];

/** The module is import-free, MVP-valid, and equals the simulator (run, and step where it streams); returns the simulator's outputs. */
async function checkModule(r: Compiled, x: Tensor, streamable: boolean): Promise<Tensor[]> {
  expect(listImports(new Uint8Array(r.module.wasm))).toEqual([]);
  await validateWasm(r.module.wasm, {});
  expect([r.manifest.quant, r.manifest.streamable]).toEqual(['f32', streamable]);
  const sim = simulate(r.qp, x).outputs;
  const wasm = await WasmModel.load(r.module.wasm, r.manifest);
  expect(same(runWasm(wasm, x, 'run'), sim), 'run').toBe(true);
  if (streamable) expect(same(runWasm(wasm, x, 'step'), sim), 'step').toBe(true);
  return sim;
}

describe('--quant f32 SRU and QRNN: wasm = f32 simulator bit for bit, close to the float reference', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const got = runReference(c.graph, new Map([[c.graph.inputs[0].name, c.input]]));
      const want = c.graph.outputs.map((o) => got.get(o.name)!);
      expect(Math.max(...want[0].data.map(Math.abs))).toBeGreaterThan(0.1); // not a vacuous comparison
      const r = await c.compile();
      expect(r.qp.layers.flat().every((d) => d.q.kind.endsWith('_F32'))).toBe(true);
      const sim = await checkModule(r, c.input, c.streamable);
      const err = normalizedError(sim, want);
      console.info(`${c.name}: f32 normalized max error ${err.toExponential(2)}`);
      expect(err).toBeGreaterThan(0); // float32, not float64: the comparison sees the arithmetic
      expect(err).toBeLessThanOrEqual(BOUND);
    });
  }

  it('the sru package fixture (2 layers, bidirectional, k = 4 then 3) against PyTorch\'s stored outputs', async () => {
    const data = `${FIXTURE}/test_data_set_0`;
    const { inputs, outputs } = readTestData(data, loadModel(FIXTURE), false);
    const r = await compileModel(FIXTURE, { ...DEFAULT_COMPILE, quant: 'f32', data });
    const sim = await checkModule(r, inputs[0], false);
    const err = normalizedError(sim, outputs);
    console.info(`sru fixture: f32 normalized max error vs PyTorch ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(BOUND);
  });
});
