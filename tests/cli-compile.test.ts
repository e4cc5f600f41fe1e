/**
 * `rnnc compile` and the fixed/wasm engines of `run` and `validate`, as users call them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTensorFile } from '../compiler/importers/onnx/tensor.ts';
import { FIXTURES, rnnc } from './helpers/cli.ts';
import { buildModel } from './helpers/onnx-builder.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rnnc-cli-'));
const GRU = `${FIXTURES}/conformance/generated/gru_linear_before_reset`;
const GRU_DATA = `${GRU}/test_data_set_0`;
const BIDI = `${FIXTURES}/conformance/generated/gru_bidirectional`;

function oneLine(r: { code: number; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('rnnc: error'))).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('rnnc compile', () => {
  const out = join(tmp, 'gru');
  it('writes the module, manifest and generated source; says where calibration came from', () => {
    const r = rnnc('compile', GRU, '--data', GRU_DATA, '--quant', 'int8', '--target', 'wasm3', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: no --calib given: calibrating on the --data inputs/);
    expect(r.stderr).toMatch(/note: froze input\(s\) initial_h as constants/);
    for (const f of ['model.wasm', 'model.manifest.json', 'model.ts']) expect(existsSync(join(out, f))).toBe(true);
    const m = JSON.parse(readFileSync(join(out, 'model.manifest.json'), 'utf8'));
    expect(m.quant).toBe('int8');
    expect(m.sizes.module_bytes).toBe(readFileSync(join(out, 'model.wasm')).length);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(out, 'model.wasm'))))).toEqual([]);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('validate on the compiled folder runs the wasm engine and reports bit_exact', () => {
    const r = rnnc('validate', out, '--data', GRU_DATA, '--atol', '0.05', '--rtol', '0', '--json', '--drift');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.ok, j.engine, j.quant, j.bit_exact]).toEqual([true, 'wasm', 'int8', true]);
    expect(j.outputs.map((o: { name: string }) => o.name)).toEqual(['Y', 'Y_h']);
    expect(j.drift.length).toBeGreaterThan(0);
    expect(j.drift[0]).toHaveProperty('max_abs_err');
  });

  it('run --engine wasm writes outputs equal to run --engine fixed, and near the float reference', () => {
    const outs = ['wasm', 'fixed', 'reference'].map((engine) => {
      const dir = join(tmp, `run-${engine}`);
      const args = engine === 'reference' ? [GRU] : [GRU, '--quant', 'int16'];
      const r = rnnc('run', ...args, '--data', GRU_DATA, '--out', dir, '--engine', engine);
      expect(r.code).toBe(0);
      return [0, 1].map((i) => decodeTensorFile(readFileSync(join(dir, `output_${i}.pb`)), 'x').tensor);
    });
    expect(Array.from(outs[0][0].data)).toEqual(Array.from(outs[1][0].data));
    for (let k = 0; k < outs[2][0].data.length; k++) expect(Math.abs(outs[0][0].data[k] - outs[2][0].data[k])).toBeLessThan(2e-3);
  });

  it('step mode on a bidirectional model is refused with a clear error', () => {
    oneLine(rnnc('validate', BIDI, '--data', `${BIDI}/test_data_set_0`, '--engine', 'wasm', '--mode', 'step'), /step\(\) needs the whole sequence; use run mode/);
  });
});

describe('rnnc compile: bad input', () => {
  it('no calibration data', () => oneLine(rnnc('compile', GRU, '-o', join(tmp, 'x1')), /calibration data is needed/));
  it('unknown scheme', () => oneLine(rnnc('compile', GRU, '--data', GRU_DATA, '--quant', 'int4'), /--quant int4: unknown scheme/));
  it('unknown target', () => oneLine(rnnc('compile', GRU, '--data', GRU_DATA, '--target', 'esp32/wasmtime'), /unknown runtime 'wasmtime'/));
  it('I/O type that does not match the scheme', () => {
    oneLine(rnnc('compile', GRU, '--data', GRU_DATA, '--quant', 'int8x16', '--io', 'int8', '-o', join(tmp, 'x2')), /--io int8 does not match --quant int8x16/);
    expect(existsSync(join(tmp, 'x2'))).toBe(false);
  });
  it('bad calibration file', () => {
    const f = join(tmp, 'bad.json');
    writeFileSync(f, '[[1, 2], "x"]');
    oneLine(rnnc('compile', GRU, '--calib', f, '--data', GRU_DATA), /bad\.json: window 1 is not a non-empty array of steps/);
  });
  it('an op the fixed-point compiler cannot lower names the node', () => {
    const H = 2;
    const model = buildModel({
      nodes: [
        { op: 'RNN', name: 'rnn', inputs: ['X', 'W', 'R'], outputs: ['Y', 'Yh'], attrs: { hidden_size: H } },
        { op: 'Mul', name: 'square', inputs: ['Yh', 'Yh'], outputs: ['P'] },
      ],
      inputs: [{ name: 'X', dims: [3, 1, 1] }],
      outputs: [{ name: 'P', dims: [1, 1, H] }],
      initializers: [{ name: 'W', dims: [1, H, 1], data: [0.5, -0.5] }, { name: 'R', dims: [1, H, H], data: [0.1, 0.2, 0.3, 0.4] }],
    });
    const file = join(tmp, 'square.onnx');
    writeFileSync(file, model);
    const calib = join(tmp, 'calib.json');
    writeFileSync(calib, JSON.stringify([[[0.1], [0.2], [0.3]]]));
    oneLine(rnnc('compile', file, '--calib', calib, '-o', join(tmp, 'x3')), /node 'square' \(Mul\): multiplying computed values: only the two directions of one bidirectional layer .* — not supported by the fixed-point compiler/);
    expect(existsSync(join(tmp, 'x3'))).toBe(false);
  });
});
