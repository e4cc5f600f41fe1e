/**
 * `rnnc analyze` parameter and MAC counts against values computed by hand from the layer sizes
 * (gates·H·(I+H) MACs per step and direction; W, R, B, P element counts).
 */
import { describe, expect, it } from 'vitest';
import { FIXTURES, rnnc } from './helpers/cli.ts';
import { buildModel } from './helpers/onnx-builder.ts';
import { loadModel } from '../src/model.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const C = `${FIXTURES}/conformance`;

function analyze(path: string) {
  const r = rnnc('analyze', path, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('rnnc analyze: hand-computed parameters and MACs', () => {
  it('RNN (rnn_relu: I=4, H=8, bias)', () => {
    const [l] = analyze(`${C}/generated/rnn_relu`).layers;
    // W 8·4 = 32, R 8·8 = 64, B 2·8 = 16; MACs 8·(4+8) = 96
    expect([l.op, l.params, l.weights, l.biases, l.macs, l.macs_per]).toEqual(['RNN', 112, 96, 16, 96, 'step']);
    expect(l.bytes).toEqual({ f32: 448, int16: 2 * 96 + 4 * 16, int8: 96 + 4 * 16 });
  });

  it('GRU bidirectional (I=6, H=10, D=2)', () => {
    const [l] = analyze(`${C}/generated/gru_bidirectional`).layers;
    // W 2·30·6 = 360, R 2·30·10 = 600, B 2·60 = 120; MACs 2·3·10·(6+10) = 960
    expect([l.params, l.weights, l.biases, l.macs]).toEqual([1080, 960, 120, 960]);
    expect(l.output_shapes).toEqual(['[7,2,2,10]', '[2,2,10]']);
  });

  it('LSTM (lstm_initial_states_large: I=16, H=32)', () => {
    const [l] = analyze(`${C}/generated/lstm_initial_states_large`).layers;
    // W 128·16 = 2048, R 128·32 = 4096, B 256; MACs 4·32·48 = 6144
    expect([l.params, l.macs]).toEqual([6400, 6144]);
  });

  it('stacked GRU (two layers: I=8→16, H=16)', () => {
    const a = analyze(`${C}/generated/gru_stacked_2layer`);
    const grus = a.layers.filter((l: { op: string }) => l.op === 'GRU');
    // layer 0: W 48·8 + R 48·16 + B 96 = 1248, MACs 3·16·24 = 1152
    // layer 1: W 48·16 + R 48·16 + B 96 = 1632, MACs 3·16·32 = 1536
    expect(grus.map((l: { params: number; macs: number }) => [l.params, l.macs])).toEqual([[1248, 1152], [1632, 1536]]);
    expect(a.totals.params).toBe(2880);
    expect(a.totals.macs_per_step).toBe(2688);
  });

  it('LSTM + dense head (TF.js Seattle model: I=1, H=16, Dense 16→1)', () => {
    const a = analyze(`${C}/tfjs/lstm_seattle_temp_max/onnx_equivalent`);
    const [lstm, mm, add] = a.layers;
    expect([lstm.op, lstm.params, lstm.macs]).toEqual(['LSTM', 64 + 1024 + 128, 4 * 16 * 17]);
    expect([mm.op, mm.params, mm.macs, mm.macs_per]).toEqual(['MatMul', 16, 16, 'row']);
    expect([add.op, add.params, add.biases]).toEqual(['Add', 1, 1]);
    expect(a.totals.bytes.int8).toBe(64 + 1024 + 4 * 128 + 16 + 4);
  });

  it('LSTM with peepholes counts P as bias-like storage and 3H MACs per direction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-'));
    const [I, H, D] = [3, 4, 2];
    const zeros = (n: number) => new Array(n).fill(0.1);
    const file = join(dir, 'peep.onnx');
    writeFileSync(file, buildModel({
      nodes: [{ op: 'LSTM', inputs: ['X', 'W', 'R', 'B', '', '', '', 'P'], outputs: ['Y'], attrs: { hidden_size: H, direction: 'bidirectional' } }],
      inputs: [{ name: 'X', dims: ['T', 1, I] }],
      outputs: [{ name: 'Y', dims: ['T', D, 1, H] }],
      initializers: [
        { name: 'W', dims: [D, 4 * H, I], data: zeros(D * 4 * H * I) },
        { name: 'R', dims: [D, 4 * H, H], data: zeros(D * 4 * H * H) },
        { name: 'B', dims: [D, 8 * H], data: zeros(D * 8 * H) },
        { name: 'P', dims: [D, 3 * H], data: zeros(D * 3 * H) },
      ],
    }));
    const [l] = analyze(file).layers;
    // W 2·16·3 = 96, R 2·16·4 = 128, B 2·32 = 64, P 2·12 = 24; MACs 2·(4·4·7 + 3·4) = 248
    expect([l.weights, l.biases, l.macs]).toEqual([224, 88, 248]);
  });

  it('prints a table with the same numbers', () => {
    const r = rnnc('analyze', `${C}/generated/gru_bidirectional`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/GRU\s.*1,080\s+960\s+step/);
  });
});

describe('rnnc analyze --target: per step and per sequence', () => {
  it('per-sequence op counts, latency and energy are T × the per-step figures; --steps overrides T', async () => {
    const model = `${C}/generated/rnn_relu`;
    const T = loadModel(`${model}/model.onnx`).inputs[0].shape[0]; // layout 0: [T, B, I], T static here
    expect(typeof T).toBe('number');
    for (const [args, steps] of [[[], T], [['--steps', '50'], 50]] as const) {
      const r = rnnc('analyze', model, '--target', 'stm32f446/wasm2c', '--json', ...args);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.sequence_steps).toBe(steps);
      expect(j.op_counts_method).toMatch(/^static/);
      for (const [k, n] of Object.entries(j.op_counts_per_step as Record<string, number>)) expect(j.op_counts_per_sequence[k], k).toBe(n * (steps as number));
      const [e] = j.targets;
      expect(e.latency_us_per_sequence).toBeCloseTo(e.latency_us_per_step * (steps as number), 9);
      expect(e.energy_uj_per_sequence).toBeCloseTo(e.energy_uj_per_step * (steps as number), 9);
    }
    const bad = rnnc('analyze', model, '--target', 'stm32f446/wasm2c', '--steps', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^rnnc: error: --steps 0: expected a whole number of time steps ≥ 1$/);
  });
});
