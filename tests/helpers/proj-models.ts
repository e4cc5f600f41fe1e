/**
 * PyTorch nn.LSTM with proj_size, for tests: a random state dict in PyTorch's layout (rows i, f, g, o;
 * weight_hh [4H, P], weight_hr [P, H]) written as safetensors (+ config.json), and a float64
 * transcription of PyTorch's equations (torch.nn.LSTM docs) that shares nothing with rnnc:
 *   i, f, g, o = σ, σ, tanh, σ (W_ih x + b_ih + W_hh h + b_hh)     c' = f c + i g     h' = W_hr (o tanh c')
 * The output concatenates the directions' h (forward first); layer k > 0 reads it (D·P features).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '../../compiler/ir/types.ts';
import { f32, uniform, writeSafetensors } from './sru-qrnn-models.ts';

export interface ProjCfg { input_size: number; hidden_size: number; proj_size: number; num_layers: number; bidirectional?: boolean; batch_first?: boolean; bias?: boolean }

/**
 * A folder with model.safetensors (and config.json when `withConfig`); weights uniform in ±0.6.
 * `linearOut` adds a torch.nn.Linear after it ('fc.weight' [out, D·P], 'fc.bias').
 */
export function projLstmDir(cfg: ProjCfg, seed: number, withConfig: boolean, linearOut = 0): { file: string; tensors: Record<string, Tensor> } {
  const rnd = uniform(seed, 0.6);
  const rand = (...shape: number[]) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, rnd));
  const { hidden_size: H, proj_size: P } = cfg, D = cfg.bidirectional ? 2 : 1;
  const tensors: Record<string, Tensor> = {};
  for (let k = 0; k < cfg.num_layers; k++) {
    for (let d = 0; d < D; d++) {
      const s = `_l${k}${d ? '_reverse' : ''}`;
      tensors[`weight_ih${s}`] = rand(4 * H, k ? D * P : cfg.input_size);
      tensors[`weight_hh${s}`] = rand(4 * H, P);
      if (cfg.bias !== false) [tensors[`bias_ih${s}`], tensors[`bias_hh${s}`]] = [rand(4 * H), rand(4 * H)];
      tensors[`weight_hr${s}`] = rand(P, H);
    }
  }
  if (linearOut) [tensors['fc.weight'], tensors['fc.bias']] = [rand(linearOut, D * P), rand(linearOut)];
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-proj-'));
  const lstm = { module: 'torch.nn.LSTM', ...cfg };
  const config = linearOut ? [lstm, { module: 'torch.nn.Linear', prefix: 'fc.', in_features: D * P, out_features: linearOut }] : lstm;
  if (withConfig) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { file: writeSafetensors(dir, tensors), tensors };
}

/** PyTorch's outputs in float64: output [L, N, D·P] ([N, L, D·P]), h_n [layers·D, N, P], c_n [layers·D, N, H], flattened. */
export function torchProjLstm(cfg: ProjCfg, t: Record<string, Tensor>, x: Tensor): { output: number[]; h_n: number[]; c_n: number[] } {
  const { hidden_size: H, proj_size: P } = cfg, D = cfg.bidirectional ? 2 : 1;
  const [L, N] = cfg.batch_first ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  // seq[n][t] = the layer input vector of batch entry n at time t.
  let seq: number[][][] = Array.from({ length: N }, (_, n) => Array.from({ length: L }, (_, s) => {
    const at = (cfg.batch_first ? n * L + s : s * N + n) * x.shape[2];
    return Array.from(x.data.slice(at, at + x.shape[2]));
  }));
  const hN: number[][][] = [], cN: number[][][] = []; // [layer·D + d][n]
  for (let k = 0; k < cfg.num_layers; k++) {
    const next: number[][][][] = seq.map((s) => s.map(() => [])); // [n][t][d] = h
    for (let d = 0; d < D; d++) {
      const sfx = `_l${k}${d ? '_reverse' : ''}`;
      const wih = t[`weight_ih${sfx}`], whh = t[`weight_hh${sfx}`], whr = t[`weight_hr${sfx}`];
      const bih = t[`bias_ih${sfx}`]?.data, bhh = t[`bias_hh${sfx}`]?.data;
      const I = wih.shape[1];
      hN[k * D + d] = [];
      cN[k * D + d] = [];
      for (let n = 0; n < N; n++) {
        let h = new Array<number>(P).fill(0);
        const c = new Array<number>(H).fill(0);
        for (let s = 0; s < L; s++) {
          const tt = d ? L - 1 - s : s;
          const xv = seq[n][tt];
          const gate = (row: number) => {
            let a = (bih?.[row] ?? 0) + (bhh?.[row] ?? 0);
            for (let q = 0; q < I; q++) a += wih.data[row * I + q] * xv[q];
            for (let q = 0; q < P; q++) a += whh.data[row * P + q] * h[q];
            return a;
          };
          const m = new Array<number>(H);
          for (let j = 0; j < H; j++) {
            const i = sig(gate(j)), f = sig(gate(H + j)), g = Math.tanh(gate(2 * H + j)), o = sig(gate(3 * H + j));
            c[j] = f * c[j] + i * g;
            m[j] = o * Math.tanh(c[j]);
          }
          h = Array.from({ length: P }, (_, r) => m.reduce((a, v, j) => a + whr.data[r * H + j] * v, 0));
          next[n][tt][d] = h;
        }
        hN[k * D + d][n] = h;
        cN[k * D + d][n] = c;
      }
    }
    seq = next.map((s) => s.map((dirs) => dirs.flat())); // forward features first
  }
  const output: number[] = [];
  if (cfg.batch_first) for (let n = 0; n < N; n++) for (let s = 0; s < L; s++) output.push(...seq[n][s]);
  else for (let s = 0; s < L; s++) for (let n = 0; n < N; n++) output.push(...seq[n][s]);
  return { output, h_n: hN.flatMap((e) => e.flat()), c_n: cN.flatMap((e) => e.flat()) };
}
