/**
 * @fileoverview `rnnc validate MODEL --data DIR`: runs and compares with the folder's
 * output_N.pb; exit code 0 only if every output passes |got − want| <= atol + rtol·|want|.
 */
import { fail } from '../../compiler/errors.ts';
import { compareTensors, type OutputComparison } from '../compare.ts';
import { runEngine } from '../engines.ts';
import { findDataSets, readTestData } from '../io/test-data.ts';
import { loadModel } from '../model.ts';
import { type Command, numberOption, printJson } from './command.ts';
import { sci, table } from './format.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'run on test data and compare with the expected outputs',
  usage: 'rnnc validate MODEL --data DIR [--engine reference] [--atol A] [--rtol R] [--json]',
  help: [
    'MODEL          an .onnx file, or a folder holding model.onnx',
    '--data DIR     folder with input_N.pb and output_N.pb (or a folder of test_data_set_* folders)',
    '--engine NAME  reference (float32 interpreter; the default)',
    '--atol A       absolute tolerance (default 1e-5)',
    '--rtol R       relative tolerance (default 1e-4); an element passes if |diff| <= atol + rtol·|expected|',
    '--json         print {"ok", "engine", "quant", "outputs": [{"name", "max_abs_err", "max_rel_err", "rmse", "ref_max_abs", "pass"}]}',
    '',
    'max_rel_err is taken over elements with |expected| > atol. Exit code 0 if all outputs pass, 1 if not.',
  ].join('\n'),
  options: { data: { type: 'string' }, engine: { type: 'string', default: 'reference' }, atol: { type: 'string' }, rtol: { type: 'string' } },
  run([model], values) {
    if (!model) throw new Error('usage');
    const data = (values.data as string | undefined) ?? fail('validate: --data DIR is required');
    const atol = numberOption(values, 'atol', 1e-5);
    const rtol = numberOption(values, 'rtol', 1e-4);
    const graph = loadModel(model);
    const sets = findDataSets(data);
    if (sets.length === 0) readTestData(data, graph, true); // raises the precise error
    let engine = values.engine as string, quant = '';
    const worst = new Map<number, OutputComparison>();
    for (const dir of sets) {
      const { inputs, outputs: expected } = readTestData(dir, graph, true);
      const result = runEngine(values.engine as string, graph, inputs);
      ({ engine, quant } = result);
      expected.forEach((want, i) => {
        const c = compareTensors(graph.outputs[i].name, result.outputs[i], want, atol, rtol);
        const prev = worst.get(i);
        worst.set(i, prev ? merge(prev, c) : c);
      });
    }
    const outputs = [...worst.values()];
    const ok = outputs.every((o) => o.pass);
    if (values.json) {
      printJson({ ok, engine, quant, outputs });
    } else {
      console.log(table(['output', 'max abs err', 'max rel err', 'rmse', 'max |expected|', 'result'],
        outputs.map((o) => [o.name, sci(o.max_abs_err), sci(o.max_rel_err), sci(o.rmse), sci(o.ref_max_abs), o.pass ? 'pass' : 'FAIL']),
        [false, true, true, true, true, false]));
      console.log(`${ok ? 'PASS' : 'FAIL'}: ${engine} (${quant}) vs ${sets.length} data set(s), atol ${atol}, rtol ${rtol}`);
    }
    return ok ? 0 : 1;
  },
};

function merge(a: OutputComparison, b: OutputComparison): OutputComparison {
  return {
    name: a.name, max_abs_err: Math.max(a.max_abs_err, b.max_abs_err), max_rel_err: Math.max(a.max_rel_err, b.max_rel_err),
    rmse: Math.max(a.rmse, b.rmse), ref_max_abs: Math.max(a.ref_max_abs, b.ref_max_abs), pass: a.pass && b.pass,
  };
}
