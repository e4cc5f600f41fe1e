/**
 * The rnnc LSTM input Wproj (output projection) at the IR level, with what PyTorch cannot express
 * around it: peepholes, clip, input_forget, initial states, reverse direction. Shape inference and
 * the verifier; then compiled in every scheme: wasm = simulator bit for bit (run, and step where
 * it streams), error vs the float reference within docs/fixed-point.md's goals, static counts agree.
 * Also: the AS descriptor offsets of LSTMP and LSTMP_F32 equal layout.ts's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CELL_FIELDS, descriptorBytes, fieldOffsets, SUB_FIELDS } from '../compiler/fixed/cells/layout.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { GraphBuilder } from '../compiler/importers/graph-builder.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { compileGraph, DEFAULT_COMPILE } from '../src/compile.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { normalizedError, same } from './helpers/compare.ts';
import { expectStaticCountsAgree } from './helpers/counts.ts';
import { f32, randomInput, uniform, windowsFile } from './helpers/sru-qrnn-models.ts';

interface Spec { I: number; H: number; P: number; direction: 'forward' | 'reverse' | 'bidirectional'; peep: boolean; clip?: number; inputForget?: number; states?: number }

/** One LSTM node with Wproj (and the options asked for); weights uniform in ±0.5. Outputs Y, Y_h, Y_c. */
function projGraph(s: Spec, seed: number, edit?: (shapes: Record<string, number[]>) => void): Graph {
  const rnd = uniform(seed, 0.5), D = s.direction === 'bidirectional' ? 2 : 1, { I, H, P } = s;
  const shapes: Record<string, number[]> = { W: [D, 4 * H, I], R: [D, 4 * H, P], B: [D, 8 * H], Wproj: [D, P, H], P: [D, 3 * H],
    h0: [D, s.states ?? 0, P], c0: [D, s.states ?? 0, H] };
  edit?.(shapes);
  const t = (n: string): Tensor => f32(shapes[n], Array.from({ length: shapes[n].reduce((a, b) => a * b) }, rnd));
  const b = new GraphBuilder('lstmp', 'lstm-proj-ir-test', {});
  const x = b.input('x', ['seq', 'batch', I]);
  const c = (n: string) => b.constant(n, t(n));
  const inputs = [x, c('W'), c('R'), c('B'), '', s.states ? c('h0') : '', s.states ? c('c0') : '', s.peep ? c('P') : '', c('Wproj')];
  const attrs = { hidden_size: H, direction: s.direction, ...(s.clip ? { clip: s.clip } : {}), ...(s.inputForget ? { input_forget: s.inputForget } : {}) };
  return b.finish(b.node('LSTM', inputs, attrs, ['Y', 'Y_h', 'Y_c'], 'lstm'));
}

const CASES: [string, Spec, boolean][] = [
  ['bidirectional, peepholes, clip 2.5, initial states', { I: 3, H: 6, P: 3, direction: 'bidirectional', peep: true, clip: 2.5, states: 2 }, false],
  ['forward, input_forget, peepholes', { I: 4, H: 7, P: 2, direction: 'forward', peep: true, inputForget: 1 }, true],
  ['reverse, P 1', { I: 2, H: 4, P: 1, direction: 'reverse', peep: false }, false],
  ['forward, H 2, P 9 (more rows than 4H: the projection needs its own accumulator rows)', { I: 2, H: 2, P: 9, direction: 'forward', peep: false }, true],
];
const GOALS: Record<string, number> = { int16: 2e-3, int8x16: 4e-3, int8: 4e-2, f32: 1e-6 };

describe('IR LSTM with Wproj', () => {
  it('shape inference: Y [T,D,B,P], Y_h [D,B,P], Y_c [D,B,H]', () => {
    const g = projGraph(CASES[0][1], 1);
    expect(verifyGraph(g)).toEqual([]);
    expect(g.outputs.map((o) => o.shape.join())).toEqual(['seq,2,batch,3', '2,batch,3', '2,batch,6']);
  });
  it('the verifier names the input with a wrong shape', () => {
    const problems = (edit: (s: Record<string, number[]>) => void) => {
      try {
        return verifyGraph(projGraph({ I: 3, H: 6, P: 3, direction: 'forward', peep: false, states: 1 }, 1, edit)).join('\n');
      } catch (e) {
        return (e as Error).message; // the builder infers shapes as it goes
      }
    };
    expect(problems((s) => (s.Wproj = [1, 3, 5]))).toMatch(/Wproj 'Wproj' has shape \[1,3,5\] but dimension 2 must be 6/);
    expect(problems((s) => (s.R = [1, 24, 6]))).toMatch(/R 'R' has shape \[1,24,6\] but dimension 2 must be 3/);
    expect(problems((s) => (s.h0 = [1, 1, 6]))).toMatch(/initial_h 'h0' has shape \[1,1,6\] but dimension 2 must be 3/);
    expect(problems((s) => (s.Wproj = [2, 3, 6]))).toMatch(/dimension 0 must be 1/);
  });

  const TMP = mkdtempSync(join(tmpdir(), 'rnnc-proj-ir-'));
  for (const [name, spec, streamable] of CASES) {
    for (const quant of ['int16', 'int8x16', 'int8', 'f32']) {
      it(`${name}: ${quant}`, async () => {
        const g = projGraph(spec, 5 + spec.H);
        const x = randomInput(10, spec.states ?? 2, spec.I, 77, 1.5);
        const ref = runReference(g, new Map([['x', x]]));
        const want = g.outputs.map((o) => ref.get(o.name)!);
        const calib = windowsFile(TMP, spec.I, 4, 10, 78, 1.5);
        const r = await compileGraph(g, { ...DEFAULT_COMPILE, quant, calib });
        expect(r.manifest.streamable).toBe(streamable);
        const sim = simulate(r.qp, x).outputs;
        const wasm = await WasmModel.load(r.module.wasm, r.manifest);
        expect(same(runWasm(wasm, x, 'run'), sim), 'run').toBe(true);
        if (streamable) expect(same(runWasm(wasm, x, 'step'), sim), 'step').toBe(true);
        const err = normalizedError(sim, want);
        console.info(`IR Wproj ${name}: ${quant} normalized max error ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(GOALS[quant]);
        await expectStaticCountsAgree(r, `${name} ${quant}`);
      });
    }
  }

  it('runtime-as desc.ts LSTMP and f32/desc.ts LSTMP_F32 offsets equal layout.ts', () => {
    for (const [file, kind] of [['../runtime-as/cells/desc.ts', 'LSTMP'], ['../runtime-as/f32/desc.ts', 'LSTMP_F32']] as const) {
      const src = readFileSync(new URL(file, import.meta.url), 'utf8');
      const ns: Record<string, Record<string, number>> = {};
      for (const [, n, body] of src.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
        ns[n] = Object.fromEntries([...body.matchAll(/export const (\w+): usize = (\d+);/g)].map(([, k, v]) => [k, Number(v)]));
      }
      const mine = ns[kind], want = fieldOffsets(kind);
      expect(Object.keys(mine).filter((k) => k !== 'bytes'), kind).toEqual(CELL_FIELDS[kind].map(([n]) => n));
      for (const [n, k] of CELL_FIELDS[kind]) {
        const first = SUB_FIELDS[k]?.[0];
        expect(mine[n], `${kind}.${n}`).toBe(want.get(first ? `${n}.${first}` : n));
      }
      expect(mine.bytes, kind).toBe(descriptorBytes(kind));
    }
  });
});
