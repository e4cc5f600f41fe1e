// The deliverables around a compiled module: model.h (gcc, strict warnings, constants = the
// manifest's, array = the module bytes) and model.js/model.d.ts (outputs = the simulator's bit for
// bit, step = run, save/restore across a "deep sleep", strict type-check of the d.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileModel, DEFAULT_COMPILE, type Compiled } from '../src/compile.ts';
import { modelHeader } from '../src/artifacts/model-h.ts';
import { loaderDts, loaderJs } from '../src/artifacts/loader.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { quantizeInput } from '../compiler/fixed/io.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { assembleFromSlices, manifestSteps } from '../src/wasm-engine.ts';
import type { Manifest } from '../src/manifest.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { FIXTURES, ROOT } from './helpers/cli.ts';

type Arr = Float32Array | Int16Array | Int8Array;
interface Loaded {
  reset(): void; resetTo(b: number): void; step(x: ArrayLike<number>): Arr[]; run(s: ArrayLike<number>[] | Arr | number[]): Arr[];
  saveState(): Uint8Array; restoreState(b: Uint8Array): void; manifest: { max_steps: number };
}
interface Built { c: Compiled; x: Tensor; dir: string; load: (src?: unknown) => Promise<Loaded> }

const CONF = `${FIXTURES}/conformance/generated`;
const tmp = mkdtempSync(join(tmpdir(), 'rnnc-artifacts-'));
const hasGcc = spawnSync('gcc', ['--version']).status === 0;

async function build(name: string, quant: string, io: 'f32' | 'int16'): Promise<Built> {
  const model = `${CONF}/${name}`;
  const c = await compileModel(model, { ...DEFAULT_COMPILE, quant, io, data: `${model}/test_data_set_0` });
  const x = readTestData(`${model}/test_data_set_0`, loadModel(model), false).inputs[0]; // fresh graph: frozen inputs
  const dir = mkdtempSync(join(tmp, `${name}-`));
  writeFileSync(join(dir, 'model.wasm'), c.module.wasm);
  writeFileSync(join(dir, 'model.js'), loaderJs(c.manifest));
  writeFileSync(join(dir, 'model.d.ts'), loaderDts(c.manifest));
  const mod = await import(/* @vite-ignore */ pathToFileURL(join(dir, 'model.js')).href);
  return { c, x, dir, load: mod.load };
}

/** Loader outputs of every batch entry (run mode), reassembled into graph output tensors. */
function viaLoader(m: Manifest, model: Loaded, x: Tensor, toInput: (v: Float32Array) => ArrayLike<number>, fromOut: (o: number, a: Arr) => Float32Array): Tensor[] {
  const B = x.shape[m.input.batch_axis], T = x.shape[m.input.time_axis];
  const perEntry = Array.from({ length: B }, (_, b) => {
    model.resetTo(b);
    return model.run(manifestSteps(m, x, b).map(toInput)).map((a, i) => {
      const v = fromOut(i, a), n = m.outputs[i].step_elems;
      return Array.from({ length: v.length / n }, (_, t) => v.subarray(t * n, (t + 1) * n));
    });
  });
  return m.outputs.map((o, i) => assembleFromSlices(o, T, perEntry.map((e) => e[i])));
}

const same = (got: Tensor[], want: Tensor[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Array.from(g.data), `output ${i}`).toEqual(Array.from(want[i].data)));
};

let lstm: Built, bidi: Built;
beforeAll(async () => {
  lstm = await build('lstm_initial_states_large', 'int8x16', 'f32');
  bidi = await build('gru_bidirectional', 'int8', 'f32');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('model.h', () => {
  it.skipIf(!hasGcc)('compiles with gcc -std=c99 -Wall -Wextra -Werror -pedantic; constants and bytes match', () => {
    const { c, dir } = lstm;
    const m = c.manifest;
    const header = modelHeader(c.module.wasm, { ...m, outputs: m.outputs.map((o, k) => (k ? o : { ...o, name: 'Y*/ bad-name' })) }, 'kws model');
    writeFileSync(join(dir, 'model.h'), header);
    const macros = ['INPUT_PTR', 'INPUT_STEP_ELEMS', 'INPUT_FRAC', 'MAX_STEPS', 'STATE_PTR', 'STATE_BYTES', 'STREAMABLE',
      'INITIAL_STATES', 'MEMORY_HIGH_WATER', 'MEMORY_PAGES', 'IO_TYPE', 'WASM_LEN',
      ...m.outputs.flatMap((_, k) => [`OUTPUT${k}_PTR`, `OUTPUT${k}_STEP_ELEMS`, `OUTPUT${k}_SEQ`])];
    // Included twice (include guard); prints every macro and writes the array back out.
    writeFileSync(join(dir, 'main.c'), `#include <stdio.h>
#include "model.h"
#include "model.h"
int main(int argc, char **argv) {
  FILE *f;
  (void)argc;
${macros.map((k) => `  printf("${k}=%ld\\n", (long)(KWS_MODEL_${k}));`).join('\n')}
  f = fopen(argv[1], "wb");
  if (!f || fwrite(kws_model_wasm, 1, sizeof kws_model_wasm, f) != KWS_MODEL_WASM_LEN) return 1;
  return fclose(f);
}
`);
    const cc = spawnSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-o', join(dir, 'main'), join(dir, 'main.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
    const run = spawnSync(join(dir, 'main'), [join(dir, 'out.wasm')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const got = Object.fromEntries(run.stdout.trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
    const want: Record<string, number> = {
      INPUT_PTR: m.input.ptr, INPUT_STEP_ELEMS: m.input.size, INPUT_FRAC: m.input.frac, MAX_STEPS: m.max_steps,
      STATE_PTR: m.state.ptr, STATE_BYTES: m.state.bytes, STREAMABLE: 1, INITIAL_STATES: 3,
      MEMORY_HIGH_WATER: m.memory.high_water, MEMORY_PAGES: m.memory.pages, IO_TYPE: 0, WASM_LEN: c.module.wasm.length,
    };
    m.outputs.forEach((o, k) => Object.assign(want, { [`OUTPUT${k}_PTR`]: o.ptr, [`OUTPUT${k}_STEP_ELEMS`]: o.step_elems, [`OUTPUT${k}_SEQ`]: o.timing === 'seq' ? 1 : 0 }));
    expect(got).toEqual(want);
    expect(m.outputs.map((o) => o.timing)).toEqual(['seq', 'final', 'final']);
    expect(new Uint8Array(readFileSync(join(dir, 'out.wasm')))).toEqual(c.module.wasm);
    expect(header).toMatch(/^ \* {3}0 {2}Y___bad_name {2}seq/m);
  });
});

describe('model.js loader', () => {
  it('runs every batch entry bit-exactly like the simulator (streamable LSTM with initial states; bidirectional GRU)', async () => {
    for (const { c, x, load } of [lstm, bidi]) {
      const model = await load();
      same(viaLoader(c.manifest, model, x, (v) => v, (_, a) => a as Float32Array), simulate(c.qp, x).outputs);
    }
  });

  it('step() equals run() and accepts bytes, a URL or a path', async () => {
    const { c, x, dir, load } = lstm;
    const steps = manifestSteps(c.manifest, x, 2);
    const byRun = (await load(readFileSync(join(dir, 'model.wasm')))), byStep = await load(join(dir, 'model.wasm'));
    byRun.resetTo(2);
    const [Y, Yh, Yc] = byRun.run(steps.flatMap((s) => Array.from(s))); // one flat number[]
    byStep.resetTo(2);
    const n = c.manifest.outputs[0].step_elems;
    let last: Arr[] = [];
    steps.forEach((s, t) => {
      last = byStep.step(s);
      expect(Array.from(last[0]), `Y at step ${t}`).toEqual(Array.from(Y.subarray(t * n, (t + 1) * n)));
    });
    expect([Array.from(last[1]), Array.from(last[2])]).toEqual([Array.from(Yh), Array.from(Yc)]);
    const byUrl = await load(pathToFileURL(join(dir, 'model.wasm')));
    byUrl.resetTo(2);
    expect(Array.from(byUrl.run(steps)[1])).toEqual(Array.from(Yh));
  });

  it('saveState mid-sequence, restoreState on a fresh instance, continue = uninterrupted (deep sleep)', async () => {
    const { c, x, load } = lstm;
    const steps = manifestSteps(c.manifest, x, 1);
    const k = 7;
    const whole = await load();
    whole.resetTo(1);
    const want = steps.map((s) => whole.step(s).map((a) => Array.from(a)));
    const before = await load();
    before.resetTo(1);
    steps.slice(0, k).forEach((s) => before.step(s));
    const saved = before.saveState();
    expect(saved.length).toBe(c.manifest.state.bytes);
    expect(saved.some((b) => b !== 0)).toBe(true);
    const after = await load(); // "after wake-up": a new instance, reset to state 0
    const cold = steps.slice(k).map((s) => after.step(s).map((a) => Array.from(a)));
    expect(cold).not.toEqual(want.slice(k)); // the state matters, so the check below means something
    after.restoreState(saved);
    expect(steps.slice(k).map((s) => after.step(s).map((a) => Array.from(a)))).toEqual(want.slice(k));
    // The same through run(): run the first k steps, sleep, run the rest.
    before.restoreState(saved);
    const runRest = before.run(steps.slice(k));
    expect(Array.from(runRest[0])).toEqual(want.slice(k).flatMap((o) => o[0]));
    expect(() => after.restoreState(new Uint8Array(3))).toThrow(/restoreState\(\) takes \d+ bytes, got 3/);
  });

  it('step() on a bidirectional model and run() with bad lengths throw clear errors', async () => {
    const model = await bidi.load();
    expect(() => model.step(new Float32Array(6))).toThrow(/step\(\) is not available: this model has reverse or bidirectional layers.*use run/);
    expect(() => model.run([])).toThrow(/run\(\) takes 1\.\.7 steps/);
    expect(() => model.run(new Float32Array(13))).toThrow(/flat length 13/);
    expect(() => model.run(Array.from({ length: 8 }, () => new Float32Array(6)))).toThrow(/run\(\) takes 1\.\.7 steps/);
  });

  it('int16 io: Int16Array in and out, equal to the simulator after scaling', async () => {
    const b16 = await build('lstm_clip', 'int16', 'int16');
    const m = b16.c.manifest;
    const model = await b16.load();
    const toQ = (v: Float32Array) => Int16Array.from(v, (f) => quantizeInput(f, m.input.frac, 16));
    const deq = (i: number, a: Arr) => {
      expect(a).toBeInstanceOf(Int16Array);
      const o = m.outputs[i], out = new Float32Array(a.length);
      for (let s = 0; s < a.length / o.step_elems; s++) {
        for (const cp of o.copies) for (let e = 0; e < cp.count; e++) out[s * o.step_elems + cp.dst + e] = a[s * o.step_elems + cp.dst + e] * 2 ** -cp.frac;
      }
      return out;
    };
    same(viaLoader(m, model, b16.x, toQ, deq), simulate(b16.c.qp, b16.x).outputs);
  });

  it('works in plain Node (no bundler): load() finds model.wasm beside model.js', () => {
    const { c, x, dir } = lstm;
    const step0 = Array.from(manifestSteps(c.manifest, x, 0)[0]);
    const script = `const m = await (await import(${JSON.stringify(pathToFileURL(join(dir, 'model.js')).href)})).load();
console.log(JSON.stringify(Array.from(m.step(${JSON.stringify(step0)})[1])));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const sim = simulateFirstStep(c, x);
    expect(JSON.parse(r.stdout)).toEqual(sim);
  });

  it('model.d.ts type-checks under strict tsc and types the outputs as a named tuple', () => {
    const { c, dir } = lstm;
    writeFileSync(join(dir, 'use.ts'), `import { load, manifest, type Model, type ModelOutputs } from './model.js';
const m: Model = await load();
const [Y, Y_h, Y_c]: ModelOutputs = m.step(new Float32Array(${c.manifest.input.size}));
const all: Float32Array[] = [Y, Y_h, Y_c, ...m.run([[1, 2], new Float32Array(2)])];
const s: Uint8Array = m.saveState();
m.restoreState(s);
m.resetTo(manifest.initial_states - 1);
// @ts-expect-error the model has three outputs
m.run(new Float32Array(2))[3];
// @ts-expect-error inputs are numbers
m.step('x');
export const n: number = all.length + m.manifest.max_steps;
`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'bundler', lib: ['ES2022'], types: [], skipLibCheck: false },
      files: ['use.ts'],
    }));
    const r = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});

/** Simulator's Y_h after step 0 of entry 0: the same model on a 1-step slice of the input. */
function simulateFirstStep(c: Compiled, x: Tensor): number[] {
  const ta = c.manifest.input.time_axis;
  const stride = x.shape.slice(ta + 1).reduce((a, d) => a * d, 1);
  const one: Tensor = { ...x, shape: x.shape.map((d, i) => (i === ta ? 1 : d)), data: x.data.slice(0, stride) } as Tensor;
  const yh = simulate(c.qp, one).outputs[1];
  return Array.from(yh.data.slice(0, c.manifest.outputs[1].step_elems));
}
