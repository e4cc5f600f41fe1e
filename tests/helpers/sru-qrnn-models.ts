/**
 * Test models for SRU and QRNN: `sru.SRU` folders (config.json + a random state dict with the
 * package's parameter shapes, as tests/sru-qrnn.test.ts builds them) read by the PyTorch
 * importer, stacked QRNN graphs built with GraphBuilder, seeded random inputs and calibration
 * windows (JSON, as `compile --calib` reads them).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, int64 } from '../../compiler/importers/graph-builder.ts';
import type { Graph, Tensor } from '../../compiler/ir/types.ts';

/** xorshift32 → uniform in [−a, a), rounded to float32 so the graph and the oracles see the same numbers. */
export function uniform(seed: number, a = 1): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return Math.fround((s / 2 ** 32 * 2 - 1) * a); };
}
export const f32 = (shape: number[], data: ArrayLike<number>): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });
const randomTensor = (rnd: () => number, ...shape: number[]) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, rnd));

/** A sequence input [T, B, I] of uniform values in [−a, a). */
export function randomInput(T: number, B: number, I: number, seed: number, a = 1): Tensor {
  return randomTensor(uniform(seed, a), T, B, I);
}

/** `count` calibration windows of T steps as a JSON file; returns its path. */
export function windowsFile(dir: string, I: number, count: number, T: number, seed: number, a = 1): string {
  const rnd = uniform(seed, a);
  const windows = Array.from({ length: count }, () => Array.from({ length: T }, () => Array.from({ length: I }, rnd)));
  const path = join(dir, `calib-${seed}.json`);
  writeFileSync(path, JSON.stringify(windows));
  return path;
}

/** A safetensors file (F32): header length, JSON header padded to 8 bytes, data. */
export function writeSafetensors(dir: string, tensors: Record<string, Tensor>): string {
  const header: Record<string, unknown> = {};
  let end = 0;
  for (const [name, t] of Object.entries(tensors)) header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [end, (end += 4 * t.data.length)] };
  const json = JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' ');
  const bytes = new Uint8Array(8 + json.length + end);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) for (const v of t.data) { view.setFloat32(at, v, true); at += 4; }
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  return join(dir, 'model.safetensors');
}

export interface SruCfg { input_size: number; hidden_size: number; num_layers: number; bidirectional?: boolean; use_tanh?: boolean;
  has_skip_term?: boolean; rescale?: boolean }

/** A model folder for sru.SRU(cfg) with random weights in [−0.8, 0.8) (scale_x in [0.45, 2.05)). */
export function sruModelDir(cfg: SruCfg, seed: number): string {
  const rnd = uniform(seed, 0.8), out = (cfg.bidirectional ? 2 : 1) * cfg.hidden_size;
  const sd: Record<string, Tensor> = {};
  for (let l = 0, I = cfg.input_size; l < cfg.num_layers; l++, I = out) {
    const k = (cfg.has_skip_term ?? true) && I !== out ? 4 : 3;
    Object.assign(sd, {
      [`rnn_lst.${l}.weight`]: randomTensor(rnd, I, out * k), [`rnn_lst.${l}.weight_c`]: randomTensor(rnd, 2 * out),
      [`rnn_lst.${l}.bias`]: randomTensor(rnd, 2 * out), [`rnn_lst.${l}.scale_x`]: f32([1], [1.25 + rnd()]),
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnnc-fixed-sru-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ module: 'sru.SRU', ...cfg }));
  writeSafetensors(dir, sd);
  return dir;
}

export interface QrnnLayer { H: number; window: 1 | 2; pooling: 'f' | 'fo'; W: Tensor; B: Tensor; c0?: Tensor }

/** Weights uniform in [−1, 1); with c0Batch > 0, initial cell states [1, c0Batch, H] (one per batch entry). */
export function randomQrnnLayer(I: number, H: number, window: 1 | 2, pooling: 'f' | 'fo', seed: number, c0Batch = 0): QrnnLayer {
  const rnd = uniform(seed), G = pooling === 'fo' ? 3 : 2;
  const c0 = c0Batch > 0 ? { c0: randomTensor(rnd, 1, c0Batch, H) } : {};
  return { H, window, pooling, W: randomTensor(rnd, G * H, window * I), B: randomTensor(rnd, G * H), ...c0 };
}

/** Stacked QRNN nodes with a Squeeze of the direction axis between them; outputs Y of the last, then Y_h, Y_c of each. */
export function qrnnGraph(layers: QrnnLayer[], I: number): Graph {
  const b = new GraphBuilder('qrnn', 'qrnn-test', {});
  let x = b.input('x', ['seq', 'batch', I]);
  const states: string[] = [];
  layers.forEach((l, k) => {
    const ins = [x, b.constant(`W${k}`, l.W), b.constant(`B${k}`, l.B), ...(l.c0 ? [b.constant(`c0_${k}`, l.c0)] : [])];
    const [y, yh, yc] = b.node('QRNN', ins, { window: l.window, pooling: l.pooling }, [`Y${k}`, `Yh${k}`, `Yc${k}`], `layer ${k}`);
    x = b.op('Squeeze', [y, b.constant('axes', int64([1]))], {}, `out${k}`, `layer ${k}`);
    states.push(yh, yc);
  });
  return b.finish([x, ...states]);
}
