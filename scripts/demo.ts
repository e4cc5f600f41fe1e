// `npm run demo`: the main job on a bundled example. A TF.js LSTM trained on Seattle's daily
// maximum temperature (its ONNX equivalent) is analyzed, validated in float, compiled to
// fixed-point WebAssembly at int8 and int16, run on the 20 stored windows, and compared with
// the float model in °C.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileModel, DEFAULT_COMPILE } from '../src/compile.ts';
import { runWasm, WasmModel } from '../src/wasm-engine.ts';
import { simulate } from '../compiler/fixed/simulate.ts';
import { readTestData } from '../src/io/test-data.ts';
import { loadModel } from '../src/model.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { table } from '../src/cli/format.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const model = `${root}tests/fixtures/conformance/tfjs/lstm_seattle_temp_max`;
const onnx = `${model}/onnx_equivalent`;
const data = `${onnx}/test_data_set_0`;
const { normalization } = JSON.parse(readFileSync(`${model}/predictions.json`, 'utf8'));

function rnnc(...args: string[]): void {
  console.log(`\n$ rnnc ${args.map((a) => a.replace(root, '')).join(' ')}`);
  const r = spawnSync(process.execPath, [`${root}bin/rnnc.js`, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rnnc('analyze', onnx);
rnnc('validate', onnx, '--data', data, '--engine', 'reference');

console.log('\nCompiling to fixed-point WebAssembly and running the 20 stored windows (calibrated on them):');
const graph = loadModel(onnx);
const { inputs } = readTestData(data, graph, true);
const float = runReference(graph, new Map([[graph.inputs[0].name, inputs[0]]])).get(graph.outputs[0].name)!;
const rows: (string | number)[][] = [];
for (const quant of ['int16', 'int8x16', 'int8']) {
  const r = await compileModel(onnx, { ...DEFAULT_COMPILE, quant, data });
  const wasm = await WasmModel.load(r.module.wasm, r.manifest);
  const got = runWasm(wasm, inputs[0], 'step');
  const exact = got[0].data.every((v, i) => v === simulate(r.qp, inputs[0]).outputs[0].data[i]);
  let max = 0, sum = 0;
  for (let i = 0; i < float.data.length; i++) {
    const err = Math.abs(got[0].data[i] - float.data[i]) * normalization.std; // back to °C
    max = Math.max(max, err);
    sum += err;
  }
  rows.push([quant, `${max.toFixed(3)} °C`, `${(sum / float.data.length).toFixed(3)} °C`, r.manifest.sizes.module_bytes, r.manifest.sizes.code_bytes,
    r.manifest.memory.high_water, exact ? 'yes' : 'NO']);
}
console.log(table(['scheme', 'max |error|', 'mean |error|', 'module B', 'code B', 'RAM B', 'bit-exact'], rows,
  [false, true, true, true, true, true, false]));
console.log('\nErrors are the compiled module (streamed step by step) against the float model, in degrees Celsius');
console.log(`(the model predicts z-scores; std ${normalization.std.toFixed(2)} °C). Compile it yourself:`);
console.log('  npx rnnc compile tests/fixtures/conformance/tfjs/lstm_seattle_temp_max/onnx_equivalent \\');
console.log('      --data tests/fixtures/conformance/tfjs/lstm_seattle_temp_max/onnx_equivalent/test_data_set_0 --quant int8 -o seattle-int8');
