/**
 * @fileoverview The quantization and code-generation flags shared by `compile`, `run` and
 * `validate`, and their translation into CompileOptions.
 */
import { fail } from '../../compiler/errors.ts';
import { DEFAULT_COMPILE, type CompileOptions } from '../compile.ts';
import type { Options } from './command.ts';

export const QUANT_OPTIONS: Options = {
  quant: { type: 'string' },
  rescale: { type: 'string' },
  calib: { type: 'string' },
  'calib-method': { type: 'string' },
  'lut-bits': { type: 'string' },
  activation: { type: 'string' },
  'max-steps': { type: 'string' },
  kernel: { type: 'string' },
};

export const QUANT_HELP = [
  '--quant Q          int8x16 (default: int8 weights, int16 activations/state), int8, int16,',
  '                   or f32 (the float module, a baseline for targets with an FPU; --io f32 only)',
  '--rescale R        multiplier (default: int32 multiplier + shift, as TFLite Micro) or shift (powers of two only)',
  '--calib P          calibration data: a test-data folder (input_N.pb, or test_data_set_* folders),',
  '                   a .json array of windows [[features...] per step], or a .csv with one window per line',
  '                   (default: the --data inputs, and rnnc says so)',
  '--calib-method M   minmax (default) or percentile[:P] (P = 99.99 by default)',
  '--lut-bits N       activation table size 2^N intervals (default 8)',
  '--activation A     lut (default) or pwl: sigmoid/tanh by piecewise-linear segments, no tables',
  '--max-steps N      input/output slots for run(n) (default 1 for streaming models: run(n) takes longer',
  '                   sequences in chunks; whole-sequence models: the model\'s or the data\'s length)',
  '--kernel K         matrix kernels: loop (compact), unrolled (input in locals: for interpreters),',
  '                   immediate (weights as constants in the code: fewest executed handlers, ~5 code',
  '                   bytes per MAC) or auto (default: the cheapest that fits --target\'s device)',
].join('\n');

function int(values: Record<string, unknown>, key: string, lo: number, hi: number): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) fail(`--${key} ${v}: expected an integer from ${lo} to ${hi}`);
  return n;
}

export function compileOptions(values: Record<string, unknown>): CompileOptions {
  const o: CompileOptions = { ...DEFAULT_COMPILE };
  if (values.quant !== undefined) o.quant = values.quant as string;
  if (values.rescale !== undefined) {
    if (values.rescale !== 'shift' && values.rescale !== 'multiplier') fail(`--rescale ${values.rescale}: expected shift or multiplier`);
    o.rescale = values.rescale;
  }
  if (values.activation !== undefined) {
    if (values.activation !== 'lut' && values.activation !== 'pwl') fail(`--activation ${values.activation}: expected lut or pwl`);
    o.sigmoidTanh = values.activation;
  }
  const method = values['calib-method'] as string | undefined;
  if (method !== undefined) {
    const m = /^percentile(?::(\d+(?:\.\d+)?))?$/.exec(method);
    if (method === 'minmax') o.calibMethod = { kind: 'minmax' };
    else if (m && (m[1] === undefined || (Number(m[1]) > 50 && Number(m[1]) <= 100))) o.calibMethod = { kind: 'percentile', p: Number(m[1] ?? 99.99) / 100 };
    else fail(`--calib-method ${method}: expected minmax or percentile[:P] with 50 < P <= 100`);
  }
  o.lutLog2N = int(values, 'lut-bits', 2, 12) ?? o.lutLog2N;
  o.maxSteps = int(values, 'max-steps', 1, 1 << 20);
  o.kernel = values.kernel as string | undefined;
  o.calib = values.calib as string | undefined;
  o.data = values.data as string | undefined;
  return o;
}
