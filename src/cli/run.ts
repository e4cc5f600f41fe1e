/**
 * @fileoverview `rnnc run MODEL --data DIR --out DIR`: runs the model on a test-data folder's
 * input_N.pb files and writes output_N.pb TensorProto files (readable by any ONNX tool).
 */
import { fail } from '../../compiler/errors.ts';
import { encodeTensorFile } from '../../compiler/importers/onnx/tensor.ts';
import { runEngine } from '../engines.ts';
import { writeFilesAtomically } from '../io/atomic.ts';
import { readTestData } from '../io/test-data.ts';
import { loadModel } from '../model.ts';
import { type Command, printJson } from './command.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on input_N.pb files, write output_N.pb',
  usage: 'rnnc run MODEL --data DIR --out DIR [--engine reference] [--json]',
  help: [
    'MODEL            an .onnx file, or a folder holding model.onnx',
    '--data DIR       folder with input_0.pb, input_1.pb, ... (ONNX TensorProto), one per model input',
    '--out DIR        where output_0.pb, ... are written (created if missing)',
    '--engine NAME    reference (float32 interpreter; the default)',
    '--json           print the written files and output shapes as JSON',
  ].join('\n'),
  options: { data: { type: 'string' }, out: { type: 'string' }, engine: { type: 'string', default: 'reference' } },
  run([model], values) {
    if (!model) throw new Error('usage');
    const data = (values.data as string | undefined) ?? fail('run: --data DIR is required');
    const out = (values.out as string | undefined) ?? fail('run: --out DIR is required');
    const graph = loadModel(model);
    const { inputs } = readTestData(data, graph, false);
    const result = runEngine(values.engine as string, graph, inputs);
    const files = result.outputs.map((t, i) => ({ name: `output_${i}.pb`, bytes: encodeTensorFile(graph.outputs[i].name, t) }));
    const written = writeFilesAtomically(out, files);
    if (values.json) {
      printJson({ engine: result.engine, quant: result.quant, files: written, outputs: graph.outputs.map((o, i) => ({ name: o.name, shape: result.outputs[i].shape })) });
    } else {
      written.forEach((f, i) => console.log(`${f}  ${graph.outputs[i].name} [${result.outputs[i].shape.join(',')}]`));
    }
    return 0;
  },
};
