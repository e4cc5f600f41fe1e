/**
 * PyTorch nn.LSTM with proj_size (the rnnc LSTM input Wproj): the importer and the float reference
 * against a float64 transcription of PyTorch's equations written here from its docs (state dict in
 * PyTorch's own layout and gate order i, f, g, o; nothing shared with the importer), a hand-computed
 * step, shape inference and one-line importer errors. Fixed point: tests/lstm-proj-fixed.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RnncError } from '../compiler/errors.ts';
import { loadPytorchModel } from '../compiler/importers/pytorch/load.ts';
import type { Tensor } from '../compiler/ir/types.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { nodeCost } from '../compiler/ir/infer.ts';
import { f32, randomInput, writeSafetensors } from './helpers/sru-qrnn-models.ts';
import { projLstmDir, torchProjLstm, type ProjCfg } from './helpers/proj-models.ts';

const run = (file: string, x: Tensor) => {
  const g = loadPytorchModel(file);
  expect(verifyGraph(g)).toEqual([]);
  return { g, out: runReference(g, new Map([[g.inputs[0].name, x]])) };
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const CASES: [string, ProjCfg][] = [
  ['1 layer', { input_size: 3, hidden_size: 5, proj_size: 2, num_layers: 1 }],
  ['2 layers, bidirectional', { input_size: 4, hidden_size: 6, proj_size: 3, num_layers: 2, bidirectional: true }],
  ['2 layers, batch_first, bias=False', { input_size: 2, hidden_size: 4, proj_size: 3, num_layers: 2, batch_first: true, bias: false }],
  ['bidirectional, batch_first, bias=False', { input_size: 3, hidden_size: 5, proj_size: 1, num_layers: 1, bidirectional: true, batch_first: true, bias: false }],
];

describe('LSTM proj_size: reference = float64 transcription of PyTorch', () => {
  for (const [name, cfg] of CASES) {
    for (const withConfig of [true, false]) {
      if (!withConfig && cfg.batch_first) continue; // without config.json the importer assumes batch_first false
      it(`${name}${withConfig ? '' : ' (no config.json: proj_size from the shapes)'}`, () => {
        const T = 5, N = 2;
        const { file, tensors } = projLstmDir(cfg, 7 + 10 * cfg.hidden_size + cfg.input_size, withConfig);
        const x = randomInput(cfg.batch_first ? N : T, cfg.batch_first ? T : N, cfg.input_size, 99, 1.5);
        if (cfg.batch_first) x.shape = [N, T, cfg.input_size];
        const want = torchProjLstm(cfg, tensors, x);
        const { g, out } = run(file, x);
        const D = cfg.bidirectional ? 2 : 1, L = cfg.num_layers;
        expect(g.outputs.map((o) => [o.name, o.shape.join()])).toEqual([
          ['output', (cfg.batch_first ? ['batch', 'seq', D * cfg.proj_size] : ['seq', 'batch', D * cfg.proj_size]).join()],
          ['h_n', [D * L, 'batch', cfg.proj_size].join()], ['c_n', [D * L, 'batch', cfg.hidden_size].join()]]);
        expect(Math.max(...want.output.map(Math.abs))).toBeGreaterThan(0.01); // not a vacuous comparison
        expect(maxDiff(out.get('output')!.data, want.output), 'output').toBeLessThanOrEqual(2e-6);
        expect(maxDiff(out.get('h_n')!.data, want.h_n), 'h_n').toBeLessThanOrEqual(2e-6);
        expect(maxDiff(out.get('c_n')!.data, want.c_n), 'c_n').toBeLessThanOrEqual(2e-6);
      });
    }
  }

  it('one step by hand: H = 2, P = 1, input 1, from zero states', () => {
    // PyTorch rows i0 i1 f0 f1 g0 g1 o0 o1; weight_hh [8, 1] multiplies h0 = 0, so only biases and W_ih x count.
    const wih = [1, -1, 0.5, 2, -0.5, 0.25, 1.5, -2], bih = [0.5, 0, 0, 0, 0.25, 0, 0, 0.5], bhh = [0, 0.25, 0, 0, 0, -0.5, 0.25, 0];
    const whr = [0.75, -1.25];
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-proj-'));
    const file = writeSafetensors(dir, {
      weight_ih_l0: f32([8, 1], wih), weight_hh_l0: f32([8, 1], [3, 3, 3, 3, 3, 3, 3, 3]), bias_ih_l0: f32([8], bih), bias_hh_l0: f32([8], bhh),
      weight_hr_l0: f32([1, 2], whr),
    });
    const sig = (v: number) => 1 / (1 + Math.exp(-v)), x = 0.5;
    const pre = (k: number) => wih[k] * x + bih[k] + bhh[k];
    const c = [0, 1].map((j) => sig(pre(j)) * Math.tanh(pre(4 + j)));
    const m = [0, 1].map((j) => sig(pre(6 + j)) * Math.tanh(c[j]));
    const h = 0.75 * m[0] - 1.25 * m[1];
    const { out } = run(file, f32([1, 1, 1], [x]));
    expect(maxDiff(out.get('c_n')!.data, c)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(out.get('h_n')!.data, [h])).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(out.get('output')!.data, [h])).toBeLessThanOrEqual(1e-6);
  });

  it('cost: MACs per step = D·(4H·(I + P) + P·H); parameters count W_hr', () => {
    const { file } = projLstmDir({ input_size: 3, hidden_size: 5, proj_size: 2, num_layers: 1, bidirectional: true }, 3, true);
    const g = loadPytorchModel(file);
    const cost = nodeCost(g, g.nodes.find((n) => n.op === 'LSTM')!)!;
    expect(cost.macs).toBe(2 * (4 * 5 * (3 + 2) + 2 * 5));
    expect(cost.weights).toBe(2 * (4 * 5 * 3 + 4 * 5 * 2 + 2 * 5));
  });
});

describe('LSTM proj_size: importer errors (one line, naming the tensor)', () => {
  const cfg: ProjCfg = { input_size: 2, hidden_size: 4, proj_size: 2, num_layers: 1 };
  const expectError = (f: () => unknown, re: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RnncError);
      expect((e as Error).message).not.toContain('\n');
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error('no error');
  };
  const variant = (edit: (t: Record<string, Tensor>) => void, config: Record<string, unknown> | undefined) => {
    const { tensors } = projLstmDir(cfg, 5, false);
    edit(tensors);
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-proj-'));
    if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify({ module: 'torch.nn.LSTM', input_size: 2, hidden_size: 4, ...config }));
    return writeSafetensors(dir, tensors);
  };
  it('weight_hr of the wrong shape (config.json)', () => {
    expectError(() => loadPytorchModel(variant((t) => (t.weight_hr_l0 = f32([2, 3], [1, 2, 3, 4, 5, 6])), { proj_size: 2 })), /tensor 'weight_hr_l0' has shape \[2,3\], expected \[2,4\]/);
  });
  it('weight_hh not [4H, P] (config.json)', () => {
    expectError(() => loadPytorchModel(variant((t) => (t.weight_hh_l0 = f32([16, 4], new Array(64).fill(0))), { proj_size: 2 })), /tensor 'weight_hh_l0' has shape \[16,4\], expected \[16,2\]/);
  });
  it('weight_hr missing while config.json says proj_size 2', () => {
    expectError(() => loadPytorchModel(variant((t) => delete t.weight_hr_l0, { proj_size: 2 })), /tensor 'weight_hr_l0' is missing/);
  });
  it('weight_hr present while config.json says proj_size 0', () => {
    expectError(() => loadPytorchModel(variant(() => {}, {})), /tensor 'weight_hr_l0' means proj_size > 0/);
  });
  it('proj_size not below hidden_size', () => {
    expectError(() => loadPytorchModel(variant(() => {}, { proj_size: 4 })), /proj_size 4 must be smaller than hidden_size 4/);
  });
  it('proj_size on a GRU', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-proj-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ module: 'torch.nn.GRU', input_size: 2, hidden_size: 4, proj_size: 2 }));
    expectError(() => loadPytorchModel(writeSafetensors(dir, { weight_ih_l0: f32([12, 2], new Array(24).fill(0)) })), /"proj_size" applies only to torch\.nn\.LSTM/);
  });
  it('without config.json: weight_hr inconsistent with weight_hh', () => {
    expectError(() => loadPytorchModel(variant((t) => (t.weight_hr_l0 = f32([3, 4], new Array(12).fill(0))), undefined)), /tensor 'weight_hr_l0' has shape \[3,4\]: not \[proj_size, hidden_size\]/);
  });
  it('without config.json: a second layer whose weight_hr has the wrong shape', () => {
    const { tensors } = projLstmDir({ ...cfg, num_layers: 2 }, 5, false);
    tensors.weight_hr_l1 = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const dir = mkdtempSync(join(tmpdir(), 'rnnc-proj-'));
    expectError(() => loadPytorchModel(writeSafetensors(dir, tensors)), /tensor 'weight_hr_l1' has shape \[2,3\], expected \[2,4\]/);
  });
});
