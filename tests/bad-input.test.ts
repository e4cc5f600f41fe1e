/**
 * Every class of bad input gets a one-line error naming the file/node/tensor and the problem,
 * exit code 2, no stack trace, and no partial output files.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, rnnc } from './helpers/cli.ts';
import { buildModel, encodeTensor, type ModelDef } from './helpers/onnx-builder.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rnnc-bad-'));
const CASE = `${FIXTURES}/conformance/generated/rnn_relu`;
const DATA = `${CASE}/test_data_set_0`;

function expectCleanError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^rnnc: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

function write(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

const H = 3, I = 2;
function rnnModel(over: Partial<ModelDef> = {}, w = new Array(H * I).fill(0.1)): ModelDef {
  return {
    nodes: [{ op: 'RNN', name: 'rnn0', inputs: ['X', 'W', 'R'], outputs: ['Y'], attrs: { hidden_size: H } }],
    inputs: [{ name: 'X', dims: [4, 1, I] }],
    outputs: [{ name: 'Y', dims: [4, 1, 1, H] }],
    initializers: [{ name: 'W', dims: [1, H, I], data: w }, { name: 'R', dims: [1, H, H], data: new Array(H * H).fill(0.2) }],
    ...over,
  };
}

describe('bad model files', () => {
  it('truncated ONNX file', () => {
    const bytes = readFileSync(`${CASE}/model.onnx`);
    const f = write('truncated.onnx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectCleanError(rnnc('analyze', f), /truncated\.onnx: not a valid ONNX model/);
  });

  it('a text file that is not ONNX', () => {
    const f = write('notes.onnx', 'hello, this is not a model\n');
    expectCleanError(rnnc('analyze', f), /notes\.onnx: not a valid ONNX model \(protobuf decoding failed/);
  });

  it('an empty file', () => {
    expectCleanError(rnnc('analyze', write('empty.onnx', new Uint8Array())), /empty\.onnx: not an ONNX model/);
  });

  it('a missing model path', () => {
    expectCleanError(rnnc('analyze', join(tmp, 'nope.onnx')), /nope\.onnx: no such file/);
  });

  it('missing initializer', () => {
    const m = rnnModel();
    m.initializers = m.initializers!.filter((t) => t.name !== 'R');
    expectCleanError(rnnc('analyze', write('missing-init.onnx', buildModel(m))), /node 'rnn0' \(RNN\) input 'R' is missing/);
  });

  it('inconsistent shapes: W does not match hidden_size', () => {
    const m = rnnModel();
    m.nodes[0].attrs = { hidden_size: 5 };
    expectCleanError(rnnc('analyze', write('bad-shape.onnx', buildModel(m))), /node 'rnn0' \(RNN\): W 'W' has shape \[1,3,2\] but dimension 1 must be 5/);
  });

  it('inconsistent shapes: input size differs from W', () => {
    const m = rnnModel({ inputs: [{ name: 'X', dims: [4, 1, 7] }] });
    expectCleanError(rnnc('analyze', write('bad-x.onnx', buildModel(m))), /node 'rnn0' \(RNN\): W 'W' has shape \[1,3,2\] but dimension 2 must be 7/);
  });

  it('raw_data shorter than the dims say', () => {
    const m = rnnModel();
    m.initializers![0] = { name: 'W', dims: [1, H, I], data: [0.1, 0.2] };
    expectCleanError(rnnc('analyze', write('short.onnx', buildModel(m))), /initializer 'W': raw_data has 8 bytes but \[1,3,2\] float32 needs 24/);
  });

  it('absurd dimensions are refused before allocating', () => {
    const m = rnnModel();
    m.initializers![0] = { name: 'W', dims: [1, 1_000_000, 1_000_000], data: [] };
    expectCleanError(rnnc('analyze', write('huge.onnx', buildModel(m))), /initializer 'W': shape \[1,1000000,1000000\] has 1000000000000 elements, above the limit/);
  });

  it('absurd hidden_size', () => {
    const m = rnnModel();
    m.nodes[0].attrs = { hidden_size: 1 << 30 };
    expectCleanError(rnnc('analyze', write('huge-h.onnx', buildModel(m))), /node 'rnn0' \(RNN, opset 14\): hidden_size 1073741824 is outside 1\.\.65536/);
  });

  it('NaN weights', () => {
    const w = new Array(H * I).fill(0.1);
    w[4] = NaN;
    expectCleanError(rnnc('analyze', write('nan.onnx', buildModel(rnnModel({}, w)))), /initializer 'W' holds NaN at flat index 4/);
  });

  it('infinite weights', () => {
    const w = new Array(H * I).fill(0.1);
    w[1] = -Infinity;
    expectCleanError(rnnc('analyze', write('inf.onnx', buildModel(rnnModel({}, w)))), /initializer 'W' holds -Infinity at flat index 1/);
  });

  it('unsupported op names op, node and opset', () => {
    const m = rnnModel({ nodes: [...rnnModel().nodes, { op: 'Conv', name: 'conv1', inputs: ['Y'], outputs: ['Z'] }] });
    expectCleanError(rnnc('analyze', write('conv.onnx', buildModel(m))), /node 'conv1': op Conv \(opset 14\) is not supported/);
  });

  it('unsupported attribute names attribute, op, node and opset', () => {
    const m = rnnModel();
    m.nodes[0].attrs = { hidden_size: H, fancy: 3 };
    expectCleanError(rnnc('analyze', write('attr.onnx', buildModel(m))), /node 'rnn0' \(RNN, opset 14\): attribute 'fancy' is not supported/);
  });

  it('unsupported activation', () => {
    const m = rnnModel();
    m.nodes[0].attrs = { hidden_size: H, activations: ['Swish'] };
    expectCleanError(rnnc('analyze', write('act.onnx', buildModel(m))), /node 'rnn0' \(RNN, opset 14\): unsupported activation 'Swish'/);
  });

  it('unsupported opset', () => {
    expectCleanError(rnnc('analyze', write('opset.onnx', buildModel(rnnModel({ opset: 5 })))), /ONNX opset 5 is not supported \(rnnc reads opsets 7 to/);
  });
});

describe('bad --data folders', () => {
  it('a folder that does not exist', () => {
    expectCleanError(rnnc('validate', CASE, '--data', join(tmp, 'nowhere')), /nowhere: data folder does not exist/);
  });

  it('a file instead of a folder', () => {
    expectCleanError(rnnc('run', CASE, '--data', `${DATA}/input_0.pb`, '--out', join(tmp, 'o1')), /input_0\.pb: --data must be a folder/);
  });

  it('a folder without input files', () => {
    const d = join(tmp, 'empty-data');
    mkdirSync(d, { recursive: true });
    expectCleanError(rnnc('validate', CASE, '--data', d), /empty-data: no input_0\.pb found/);
  });

  it('a gap in the numbering', () => {
    const d = join(tmp, 'gap');
    mkdirSync(d, { recursive: true });
    copyFileSync(`${DATA}/input_0.pb`, join(d, 'input_1.pb'));
    expectCleanError(rnnc('validate', CASE, '--data', d), /gap: input_0\.pb is missing \(found input_1\.pb\)/);
  });

  it('an input of the wrong shape', () => {
    const d = join(tmp, 'wrong-shape');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'input_0.pb'), encodeTensor({ name: 'X', dims: [10, 2, 5], data: new Array(100).fill(0) }));
    expectCleanError(rnnc('run', CASE, '--data', d, '--out', join(tmp, 'o2')), /input_0\.pb: shape \[10,2,5\] does not fit model input 'X' \[10,2,4\]/);
  });

  it('an input file that is not a TensorProto', () => {
    const d = join(tmp, 'garbage');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'input_0.pb'), 'not a tensor');
    expectCleanError(rnnc('run', CASE, '--data', d, '--out', join(tmp, 'o3')), /input_0\.pb: not an ONNX TensorProto file/);
  });

  it('more input files than model inputs', () => {
    const d = join(tmp, 'extra');
    mkdirSync(d, { recursive: true });
    copyFileSync(`${DATA}/input_0.pb`, join(d, 'input_0.pb'));
    copyFileSync(`${DATA}/input_0.pb`, join(d, 'input_1.pb'));
    expectCleanError(rnnc('validate', CASE, '--data', d), /extra: has 2 input file\(s\) but the model has 1 input\(s\) \(X\)/);
  });

  it('validate without expected outputs', () => {
    const d = join(tmp, 'no-out');
    mkdirSync(d, { recursive: true });
    copyFileSync(`${DATA}/input_0.pb`, join(d, 'input_0.pb'));
    expectCleanError(rnnc('validate', CASE, '--data', d), /no-out: no output_0\.pb to compare with/);
  });

  it('a failed run leaves no output folder or file behind', () => {
    const out = join(tmp, 'never-written');
    const r = rnnc('run', CASE, '--data', join(tmp, 'garbage'), '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('--out that is a file', () => {
    const f = write('a-file', 'x');
    expectCleanError(rnnc('run', CASE, '--data', DATA, '--out', f), /a-file: cannot create output folder/);
    expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('command-line mistakes', () => {
  it('unknown flag', () => expectCleanError(rnnc('analyze', CASE, '--frobnicate'), /analyze: Unknown option '--frobnicate'/));
  it('unknown command', () => expectCleanError(rnnc('compiel', CASE), /unknown command 'compiel'/));
  it('missing --data', () => expectCleanError(rnnc('validate', CASE), /validate: --data DIR is required/));
  it('bad tolerance', () => expectCleanError(rnnc('validate', CASE, '--data', DATA, '--atol', 'abc'), /--atol abc: expected a non-negative number/));
  it('unknown engine', () => expectCleanError(rnnc('validate', CASE, '--data', DATA, '--engine', 'gpu'), /--engine gpu is not available/));
  it('--debug adds the stack trace', () => {
    const r = rnnc('analyze', join(tmp, 'nope.onnx'), '--debug');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
