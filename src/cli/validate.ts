/**
 * @fileoverview `rnnc validate MODEL --data DIR`: runs and compares with the folder's
 * output_N.pb; exit code 0 only if every output passes |got − want| <= atol + rtol·|want|
 * (and, for the fixed and wasm engines, the module is bit-exact with the simulator).
 */
import { fail } from '../../compiler/errors.ts';
import { compareTensors, type OutputComparison } from '../compare.ts';
import { driftReport, type DriftBlock } from '../drift.ts';
import { isCompiledFolder, prepareEngine } from '../engines.ts';
import { findDataSets, readTestData } from '../io/test-data.ts';
import { type Command, numberOption, printJson } from './command.ts';
import { compileOptions, QUANT_HELP, QUANT_OPTIONS } from './compile-options.ts';
import { sci, table } from './format.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'run on test data and compare with the expected outputs',
  usage: 'rnnc validate MODEL --data DIR [--engine reference|fixed|wasm] [--quant Q] [--atol A] [--rtol R] [--drift] [--json]',
  help: [
    'MODEL          an ONNX model (.onnx), a TF.js/Keras model.json, a PyTorch .safetensors (+ config.json),',
    '               a folder holding one of them, or a folder written by rnnc compile',
    '--data DIR     folder with input_N.pb and output_N.pb (or a folder of test_data_set_* folders)',
    '--engine NAME  reference (float32; default for ONNX models), fixed (bit-exact simulator) or',
    '               wasm (compiled module; default for compiled folders)',
    '--mode M       run (default) or step: how the wasm engine drives the module',
    QUANT_HELP,
    '--atol A       absolute tolerance (default 1e-5)',
    '--rtol R       relative tolerance (default 1e-4); an element passes if |diff| <= atol + rtol·|expected|',
    '--drift        also report the hidden-state error against the float model per block of time steps',
    '--json         print {"ok", "engine", "quant", "bit_exact", "outputs": [{"name", "max_abs_err", "max_rel_err",',
    '               "rmse", "ref_max_abs", "pass"}], "drift"}',
    '',
    'max_rel_err is taken over elements with |expected| > atol. bit_exact (fixed and wasm engines) says',
    'whether the compiled module equals the simulator bit for bit. Exit code 0 if all pass, 1 if not.',
  ].join('\n'),
  options: {
    data: { type: 'string' }, engine: { type: 'string' }, mode: { type: 'string' }, atol: { type: 'string' }, rtol: { type: 'string' },
    drift: { type: 'boolean' }, ...QUANT_OPTIONS,
  },
  async run([model], values) {
    const data = (values.data as string | undefined) ?? fail('validate: --data DIR is required');
    const atol = numberOption(values, 'atol', 1e-5);
    const rtol = numberOption(values, 'rtol', 1e-4);
    const compiled = isCompiledFolder(model);
    const engine = (values.engine as string | undefined) ?? (compiled ? 'wasm' : 'reference');
    const mode = (values.mode as string | undefined) ?? 'run';
    if (mode !== 'run' && mode !== 'step') fail(`--mode ${mode}: expected run or step`);
    const sets = findDataSets(data);
    const prepared = await prepareEngine(model, engine, compileOptions(values), mode);
    if (sets.length === 0) readTestData(data, prepared.dataGraph, true, compiled); // raises the precise error
    const worst = new Map<number, OutputComparison>();
    let bitExact: boolean | undefined;
    let drift: DriftBlock[] | undefined;
    for (const dir of sets) {
      const { inputs, outputs: expected } = readTestData(dir, prepared.dataGraph, true, compiled);
      const outputs = prepared.run(inputs);
      expected.forEach((want, i) => {
        const c = compareTensors(prepared.dataGraph.outputs[i].name, outputs[i], want, atol, rtol);
        const prev = worst.get(i);
        worst.set(i, prev ? merge(prev, c) : c);
      });
      if (prepared.bitExact) bitExact = (bitExact ?? true) && prepared.bitExact(inputs);
      if (values.drift) {
        if (!prepared.quantized) fail('--drift needs the fixed or wasm engine (it compares the quantized model with the float one)');
        drift ??= driftReport(prepared.quantized(), inputs[0]);
      }
    }
    const outputs = [...worst.values()];
    const ok = outputs.every((o) => o.pass) && bitExact !== false;
    if (values.json) {
      printJson({ ok, engine: prepared.engine, quant: prepared.quant, ...(bitExact === undefined ? {} : { bit_exact: bitExact }), outputs, ...(drift ? { drift } : {}) });
      return ok ? 0 : 1;
    }
    for (const n of prepared.notes) process.stderr.write(`rnnc: note: ${n}\n`);
    console.log(table(['output', 'max abs err', 'max rel err', 'rmse', 'max |expected|', 'result'],
      outputs.map((o) => [o.name, sci(o.max_abs_err), sci(o.max_rel_err), sci(o.rmse), sci(o.ref_max_abs), o.pass ? 'pass' : 'FAIL']),
      [false, true, true, true, true, false]));
    if (drift) {
      console.log('\nhidden-state error against the float model, per block of time steps:');
      console.log(table(['steps', 'max abs err'], drift.map((d) => [`${d.first_step}–${d.last_step}`, sci(d.max_abs_err)]), [false, true]));
    }
    const exact = bitExact === undefined ? '' : bitExact ? ', module bit-exact with the simulator' : ', MODULE DIFFERS FROM THE SIMULATOR';
    console.log(`${ok ? 'PASS' : 'FAIL'}: ${prepared.engine} (${prepared.quant}) vs ${sets.length} data set(s), atol ${atol}, rtol ${rtol}${exact}`);
    return ok ? 0 : 1;
  },
};

function merge(a: OutputComparison, b: OutputComparison): OutputComparison {
  return {
    name: a.name, max_abs_err: Math.max(a.max_abs_err, b.max_abs_err), max_rel_err: Math.max(a.max_rel_err, b.max_rel_err),
    rmse: Math.max(a.rmse, b.rmse), ref_max_abs: Math.max(a.ref_max_abs, b.ref_max_abs), pass: a.pass && b.pass,
  };
}
