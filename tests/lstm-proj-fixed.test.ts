/**
 * PyTorch nn.LSTM with proj_size compiled to fixed point (int16, int8x16, int8) and f32. Oracles:
 * the simulator (every module equals it bit for bit, run and, where the model streams, step), the
 * float reference interpreter (error within docs/fixed-point.md's goals), and the static op counts
 * (equal to the instrumented module's). Models: tests/helpers/proj-models.ts.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listImports, validateWasm } from '../compiler/build/asc.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { compileModel, DEFAULT_COMPILE, type Compiled } from '../src/compile.ts';
import { loadModel } from '../src/model.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { normalizedError, same } from './helpers/compare.ts';
import { expectStaticCountsAgree } from './helpers/counts.ts';
import { projLstmDir, type ProjCfg } from './helpers/proj-models.ts';
import { randomInput, windowsFile } from './helpers/sru-qrnn-models.ts';

const T = 12, B = 3;
/** docs/fixed-point.md's goals (normalized max error vs the float reference); f32: float32 rounding. */
const GOALS: Record<string, number> = { int16: 2e-3, int8x16: 4e-3, int8: 4e-2, f32: 1e-6 };

interface Case { name: string; cfg: ProjCfg; seed: number; linearOut?: number; streamable: boolean }
const CASES: Case[] = [
  { name: '1 layer, H 8, P 4', cfg: { input_size: 3, hidden_size: 8, proj_size: 4, num_layers: 1 }, seed: 11, streamable: true },
  { name: '2 layers, H 6, P 3, → Linear 2', cfg: { input_size: 4, hidden_size: 6, proj_size: 3, num_layers: 2 }, seed: 22, linearOut: 2, streamable: true },
  { name: 'bidirectional, 2 layers, batch_first, bias=False, H 5, P 2', cfg: { input_size: 3, hidden_size: 5, proj_size: 2, num_layers: 2, bidirectional: true, batch_first: true, bias: false }, seed: 33, streamable: false },
];

/** Import-free, MVP-valid, equal to the simulator (run, and step where it streams); returns the simulator's outputs. */
async function checkModule(r: Compiled, x: Tensor, streamable: boolean): Promise<Tensor[]> {
  expect(listImports(new Uint8Array(r.module.wasm))).toEqual([]);
  await validateWasm(r.module.wasm, {});
  expect(r.manifest.streamable).toBe(streamable);
  const sim = simulate(r.qp, x).outputs;
  const wasm = await WasmModel.load(r.module.wasm, r.manifest);
  expect(same(runWasm(wasm, x, 'run'), sim), 'run').toBe(true);
  if (streamable) expect(same(runWasm(wasm, x, 'step'), sim), 'step').toBe(true);
  return sim;
}

describe('LSTM proj_size in fixed point and f32: wasm = simulator bit for bit, close to the float reference', () => {
  for (const c of CASES) {
    const { file } = projLstmDir(c.cfg, c.seed, true, c.linearOut);
    const graph = loadModel(file);
    const [steps, batch] = c.cfg.batch_first ? [B, T] : [T, B];
    const x = randomInput(steps, batch, c.cfg.input_size, c.seed + 1, 1.5);
    const calib = windowsFile(dirname(file), c.cfg.input_size, 4, T, c.seed + 2, 1.5);
    const ref = runReference(graph, new Map([[graph.inputs[0].name, x]]));
    const want = graph.outputs.map((o) => ref.get(o.name)!);
    for (const quant of ['int16', 'int8x16', 'int8', 'f32']) {
      it(`${c.name}: ${quant}`, async () => {
        expect(Math.max(...want[0].data.map(Math.abs))).toBeGreaterThan(0.05); // not a vacuous comparison
        const r = await compileModel(file, { ...DEFAULT_COMPILE, quant, calib });
        expect(r.qp.layers.flat().every((d) => 'P' in d.q.cell && d.q.cell.P === c.cfg.proj_size)).toBe(true);
        const sim = await checkModule(r, x, c.streamable);
        const err = normalizedError(sim, want);
        console.info(`${c.name}: ${quant} normalized max error ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(GOALS[quant]);
        await expectStaticCountsAgree(r, `${c.name} ${quant}`);
      });
    }
  }

  // The projection matrix is specialised like the gates (compiler/codegen/kernels.ts, LSTMP: gates and proj).
  for (const kernel of ['unrolled', 'immediate']) {
    it(`1 layer, int8x16 and int16, --kernel ${kernel}: bit-exact, static counts agree`, async () => {
      const c = CASES[0];
      const { file } = projLstmDir(c.cfg, c.seed, true);
      const x = randomInput(T, B, c.cfg.input_size, c.seed + 1, 1.5);
      const calib = windowsFile(dirname(file), c.cfg.input_size, 4, T, c.seed + 2, 1.5);
      for (const quant of ['int8x16', 'int16']) {
        const r = await compileModel(file, { ...DEFAULT_COMPILE, quant, calib, kernel });
        expect(r.kernel.strategy).toBe(kernel);
        await checkModule(r, x, true);
        await expectStaticCountsAgree(r, `${kernel} ${quant}`);
      }
    });
  }
});
