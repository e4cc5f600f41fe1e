// Static op counts (compiler/build/static-count.ts) against two independent oracles: closed-form
// counts of hand-written functions, and the instrumented module's executed counts
// (compiler/build/instrument.ts, itself checked against WABT's trace in instrument.test.ts) for
// every cell type, width, size and kernel strategy. The two must agree opcode by opcode.
import { beforeAll, describe, expect, it } from 'vitest';
import { countOpcodes, instrumentModule } from '../compiler/build/instrument.ts';
import { DataDependentError, staticCounts } from '../compiler/build/static-count.ts';
import { KERNEL_STRATEGIES } from '../compiler/codegen/kernels.ts';
import { loadModel } from '../src/model.ts';
import { compileGraph, DEFAULT_COMPILE, type CompileOptions } from '../src/compile.ts';
import { CELL_TYPES, syntheticModelDir } from '../src/report/synthetic-models.ts';
import { FIXTURES } from './helpers/cli.ts';
import { expectStaticCountsAgree } from './helpers/counts.ts';
import { rng } from './helpers/onnx-builder.ts';
import { softmaxModel } from './helpers/head-models.ts';

const WAT = `(module
  (memory 1)
  ;; a "descriptor": the trip count n at address 64, part of the constant data
  (data (i32.const 64) "\\05\\00\\00\\00")
  ;; s = Σ_{i<n} mem[i] (mem[0..n) is run-time data): the path depends on n only
  (func (export "sum") (result i32) (local $i i32) (local $s i32) (local $n i32)
    (local.set $n (i32.load (i32.const 64)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load8_s (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  ;; a branch on data, a store through a data-dependent address, and a select on data
  (func (export "branchy") (result i32)
    (if (result i32) (i32.load8_s (i32.const 0)) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "scatter") (i32.store8 (i32.load8_u (i32.const 0)) (i32.const 1)))
  (func (export "selecty") (result i32) (select (i32.const 1) (i32.const 2) (i32.load8_s (i32.const 0)))))`;

/** The executed counts of one call of an instrumented copy, zero entries left out. */
async function executed(wasm: Uint8Array, name: string): Promise<Record<string, number>> {
  const { instance } = await WebAssembly.instantiate((await instrumentModule(wasm)).wasm, {});
  (instance.exports[name] as () => void)();
  return Object.fromEntries(Object.entries(countOpcodes(instance)).filter(([, n]) => n > 0));
}

describe('static counts: hand-written functions', () => {
  let wasm: Uint8Array;
  beforeAll(async () => {
    const wabt = await (await import('wabt')).default();
    wasm = new Uint8Array(wabt.parseWat('t.wat', WAT).toBinary({}).buffer);
  });

  it('derives a loop from the trip count in the constant data (closed form for n = 5)', async () => {
    const n = 5;
    const got = staticCounts(wasm, 'sum');
    // Per iteration: the exit test (get i, get n, ge_s, br_if not taken) and the body (get s, get i,
    // load8_s, add, set s, get i, const 1, add, set i, br); once: const 64, load, set n, block,
    // loop, the taken exit test, get s and the function's end. The block's end is reached by a
    // branch, so it does not count.
    expect(got).toEqual({
      'i32.const': 1 + n, 'i32.load': 1, 'i32.load8_s': n, 'i32.add': 2 * n, 'i32.ge_s': n + 1, br_if: n + 1,
      '(br_if not taken)': n, br: n, 'local.get': 5 * n + 3, 'local.set': 1 + 2 * n, block: 1, loop: 1, 'end(function)': 1,
    });
    expect(got).toEqual(await executed(wasm, 'sum'));
  });

  it('refuses a branch on run-time data and a store through a data-dependent address, naming the instruction', () => {
    expect(() => staticCounts(wasm, 'branchy')).toThrow(DataDependentError);
    expect(() => staticCounts(wasm, 'branchy')).toThrow(/#1 instruction 2 \(if\) tests an unknown value/);
    expect(() => staticCounts(wasm, 'scatter')).toThrow(/stores to an unknown address/);
    expect(() => staticCounts(wasm, 'nothing')).toThrow(/exports no function 'nothing'/);
  });

  it('a select on data is one path', async () => {
    expect(staticCounts(wasm, 'selecty')).toEqual(await executed(wasm, 'selecty'));
  });
});

describe('static counts equal the instrumented counts of compiled modules', () => {
  const dir = syntheticModelDir();
  const quants = ['int16', 'int8x16', 'int8', 'f32'];
  for (const cell of CELL_TYPES) {
    for (const hidden of [8, 24]) {
      it(`${cell.name} H=${hidden}: ${quants.join(', ')} × kernels`, async () => {
        const graph = cell.graph(dir, 5, hidden, hidden);
        for (const quant of quants) {
          for (const kernel of hidden === 8 || quant === 'f32' ? ['loop'] : KERNEL_STRATEGIES) {
            await expectStaticCountsAgree(await compileGraph(graph, { ...DEFAULT_COMPILE, quant, kernel, syntheticCalibration: true }));
          }
        }
      }, 120_000);
    }
  }

  const conformance = (name: string) => loadModel(`${FIXTURES}/conformance/generated/${name}/model.onnx`);
  const dataOf = (name: string) => ({ data: `${FIXTURES}/conformance/generated/${name}/test_data_set_0` });
  const variants: [string, () => ReturnType<typeof loadModel>, Partial<CompileOptions>][] = [
    ['bidirectional GRU (run mode), int16', () => conformance('gru_bidirectional'), { ...dataOf('gru_bidirectional'), quant: 'int16' }],
    ['stacked GRU, int8, shift rescale, int8 I/O', () => conformance('gru_stacked_2layer'), { ...dataOf('gru_stacked_2layer'), quant: 'int8', rescale: 'shift', io: 'int8' }],
    ['LSTM with clip, PWL activations', () => conformance('lstm_clip'), { ...dataOf('lstm_clip'), sigmoidTanh: 'pwl' }],
    ['GRU linear_before_reset, int16 I/O, LUT 2^7', () => conformance('gru_linear_before_reset'), { ...dataOf('gru_linear_before_reset'), io: 'int16', lutLog2N: 7 }],
    ['bidirectional RNN tanh/relu, int8', () => conformance('rnn_bidirectional_tanh_relu'), { ...dataOf('rnn_bidirectional_tanh_relu'), quant: 'int8' }],
  ];
  for (const [name, graph, o] of variants) {
    it(name, async () => expectStaticCountsAgree(await compileGraph(graph(), { ...DEFAULT_COMPILE, ...o })), 60_000);
  }

  it('classifier heads: softmax, log-softmax, argmax', async () => {
    const dir2 = syntheticModelDir();
    for (const [op, argmax] of [['Softmax', undefined], ['LogSoftmax', undefined], ['Softmax', { axis: 1, keepdims: 0 }]] as const) {
      const file = `${dir2}/${op}${argmax ? '-argmax' : ''}.onnx`;
      (await import('node:fs')).writeFileSync(file, softmaxModel(rng(7), -1, argmax, op));
      for (const quant of quants) await expectStaticCountsAgree(await compileGraph(loadModel(file), { ...DEFAULT_COMPILE, quant, syntheticCalibration: true }));
    }
  }, 120_000);

  it('the benchmark GRU-64 (int8x16)', async () => {
    const graph = loadModel(`${FIXTURES}/bench/gru_i32_h64_s100/model.onnx`);
    const data = `${FIXTURES}/bench/gru_i32_h64_s100/test_data_set_0`;
    await expectStaticCountsAgree(await compileGraph(graph, { ...DEFAULT_COMPILE, data, kernel: 'loop' }));
  }, 120_000);
});
