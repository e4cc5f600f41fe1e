/**
 * @fileoverview `rnnc run MODEL --data DIR --out DIR`: runs the model on a test-data folder's
 * input_N.pb files and writes output_N.pb TensorProto files (readable by any ONNX tool).
 */
import { fail } from '../../compiler/errors.ts';
import { encodeTensorFile } from '../../compiler/importers/onnx/tensor.ts';
import { isCompiledFolder, prepareEngine } from '../engines.ts';
import { writeFilesAtomically } from '../io/atomic.ts';
import { readTestData } from '../io/test-data.ts';
import { type Command, printJson } from './command.ts';
import { compileOptions, QUANT_HELP, QUANT_OPTIONS } from './compile-options.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a model on input_N.pb files, write output_N.pb',
  usage: 'rnnc run MODEL --data DIR --out DIR [--engine reference|fixed|wasm] [--quant Q] [--json]',
  help: [
    'MODEL            an ONNX model (.onnx), a TF.js/Keras model.json, a PyTorch .safetensors (+ config.json),',
    '                 a folder holding one of them, or a folder written by rnnc compile',
    '--data DIR       folder with input_0.pb, input_1.pb, ... (ONNX TensorProto), one per model input',
    '--out DIR        where output_0.pb, ... are written (created if missing)',
    '--engine NAME    reference (float32 interpreter; default for ONNX models), fixed (bit-exact',
    '                 fixed-point simulator) or wasm (the compiled module; default for compiled folders)',
    '--mode M         run (default: whole sequence per call) or step (one step() per time step; wasm engine)',
    QUANT_HELP,
    '--json           print the written files and output shapes as JSON',
  ].join('\n'),
  options: { data: { type: 'string' }, out: { type: 'string' }, engine: { type: 'string' }, mode: { type: 'string' }, ...QUANT_OPTIONS },
  async run([model], values) {
    const data = (values.data as string | undefined) ?? fail('run: --data DIR is required');
    const out = (values.out as string | undefined) ?? fail('run: --out DIR is required');
    const compiled = isCompiledFolder(model);
    const engine = (values.engine as string | undefined) ?? (compiled ? 'wasm' : 'reference');
    const mode = (values.mode as string | undefined) ?? 'run';
    if (mode !== 'run' && mode !== 'step') fail(`--mode ${mode}: expected run or step`);
    const prepared = await prepareEngine(model, engine, compileOptions(values), mode);
    for (const n of prepared.notes) process.stderr.write(`rnnc: note: ${n}\n`);
    const { inputs } = readTestData(data, prepared.dataGraph, false, compiled);
    const outputs = prepared.run(inputs);
    const names = prepared.dataGraph.outputs.map((o) => o.name);
    const written = writeFilesAtomically(out, outputs.map((t, i) => ({ name: `output_${i}.pb`, bytes: encodeTensorFile(names[i], t) })));
    if (values.json) {
      printJson({ engine: prepared.engine, quant: prepared.quant, files: written, outputs: names.map((name, i) => ({ name, shape: outputs[i].shape })) });
    } else {
      written.forEach((f, i) => console.log(`${f}  ${names[i]} [${outputs[i].shape.join(',')}]`));
    }
    return 0;
  },
};
