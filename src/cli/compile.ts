/**
 * @fileoverview `rnnc compile MODEL`: quantize, generate, build and write the module with its
 * manifest, C header and JS loader. All files are written to temporary names and renamed only
 * when everything succeeded.
 */
import { basename, extname } from 'node:path';
import { fail } from '../../compiler/errors.ts';
import { compileModel } from '../compile.ts';
import { writeFilesAtomically } from '../io/atomic.ts';
import { resolveTarget } from '../targets.ts';
import { compileArtifacts } from '../artifacts/files.ts';
import { type Command, printJson } from './command.ts';
import { compileOptions, QUANT_HELP, QUANT_OPTIONS } from './compile-options.ts';
import { int, table } from './format.ts';

export const compileCommand: Command = {
  name: 'compile',
  summary: 'quantize and compile to an import-free WebAssembly module',
  usage: 'rnnc compile MODEL [--target T] [--quant Q] [--calib P | --data DIR] [--io f32|int8|int16] [-o DIR] [--json]',
  help: [
    'MODEL          an .onnx file or a folder holding model.onnx',
    '--target T     the runtime the module is for: mvp (default), wasm3, wamr-classic, wamr-fast, wamr-aot,',
    '               wasm2c, node (optionally DEVICE/RUNTIME); it bounds the wasm features allowed',
    QUANT_HELP,
    '--data DIR     test data; used for calibration when --calib is not given, and to freeze weights',
    '               that the model takes as inputs (ONNX backend tests do this)',
    '--io T         the module boundary type: f32 (default; converts in the module), int8 or int16',
    '               (the caller passes and receives fixed-point values; formats in the manifest)',
    '-o, --out DIR  output folder (default ./<model>-<quant>)',
    '--json         print the manifest instead of the summary',
    '',
    'Writes model.wasm, model.manifest.json, model.h (C array + ABI constants), model.js + model.d.ts',
    '(loader for Node and browsers) and model.ts (the generated AssemblyScript, for reading).',
  ].join('\n'),
  options: { target: { type: 'string' }, data: { type: 'string' }, io: { type: 'string' }, out: { type: 'string', short: 'o' }, ...QUANT_OPTIONS },
  async run([model], values) {
    const o = compileOptions(values);
    const io = (values.io as string | undefined) ?? 'f32';
    if (io !== 'f32' && io !== 'int8' && io !== 'int16') fail(`--io ${io}: expected f32, int8 or int16`);
    o.io = io;
    const target = resolveTarget(values.target as string | undefined);
    o.features = target.runtime.features;
    o.target = target.name;
    // The activation-table size is the device's call unless --lut-bits says otherwise.
    if (values['lut-bits'] === undefined && target.device) o.lutLog2N = target.device.activation_table_log2n;
    const r = await compileModel(model, o);
    const name = basename(model, extname(model)) === 'model' ? basename(model.replace(/\/model\.onnx$/, '')) : basename(model, extname(model));
    const dir = (values.out as string | undefined) ?? `./${name}-${r.qp.options.scheme.name}`;
    const written = writeFilesAtomically(dir, compileArtifacts(r));
    if (values.json) {
      printJson(r.manifest);
      return 0;
    }
    for (const n of r.notes) process.stderr.write(`rnnc: note: ${n}\n`);
    const m = r.manifest;
    console.log(`${model} → ${dir}/ (${m.quant}, rescale ${m.rescale}, io ${m.io}, target ${target.name})`);
    console.log(table(['', 'bytes'], [
      ['module (flash)', int(m.sizes.module_bytes)], ['  code section', int(m.sizes.code_bytes)], ['  data section', int(m.sizes.data_bytes)],
      ['linear memory used (RAM)', int(m.memory.high_water)], ['  state (save before deep sleep)', int(m.state.bytes)],
    ], [false, true]));
    console.log(`inputs: ${m.input.name} ${m.input.size} features/step, Q${m.input.frac}; max_steps ${m.max_steps}; ${m.streamable ? 'streams with step()' : 'whole sequence only (run): reverse/bidirectional layers'}`);
    const k = r.kernel;
    const others = k.candidates.filter((c) => c.strategy !== k.strategy && c.predicted_core_instructions_per_step !== undefined)
      .map((c) => `${c.strategy} ${int(c.predicted_core_instructions_per_step!)}${c.fits === false ? ' (does not fit)' : ''}`);
    const mine = k.candidates.find((c) => c.strategy === k.strategy)?.predicted_core_instructions_per_step;
    console.log(`matrix kernel: ${k.strategy} (${k.reason}${mine !== undefined ? `: ${int(mine)} core instructions/step predicted${others.length ? `; ${others.join(', ')}` : ''}` : ''})`);
    console.log(`files: ${written.map((f) => basename(f)).join(', ')}`);
    return 0;
  },
};
