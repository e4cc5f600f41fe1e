/**
 * @fileoverview Synthetic single-layer recurrent models for sweeps (`rnnc bench cells`): one ONNX
 * RNN/GRU/LSTM node, batch 1, symbolic sequence length (so the module streams, max_steps 1),
 * weights uniform in (−1/√H, 1/√H) from a seeded PRNG (PyTorch's default initialisation range).
 * Sizes, op counts and estimates do not depend on the weight values; the seed keeps files stable.
 *
 * A cell type is one entry of CELL_TYPES: its name, its gate count (for the hand formulas) and a
 * builder of the IR graph the compiler sees. Cell types that ONNX lacks (SRU, QRNN) build their
 * graph in code (./synthetic-ir.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail } from '../../compiler/errors.ts';
import type { Graph } from '../../compiler/ir/types.ts';
import { loadModel } from '../model.ts';
import { QRNN_G, QRNN_POOLING, QRNN_WINDOW, qrnnGraph, SRU_K, sruGraph } from './synthetic-ir.ts';

const { onnx } = createRequire(import.meta.url)('onnx-proto');

export interface CellType {
  name: string;
  /**
   * Row blocks of H in the input matrix: the gates G of RNN/GRU/LSTM (parameters G·H·(I+H) + 2·G·H,
   * MACs G·H·(I+H)) and of QRNN; SRU's k matrices.
   */
  gates: number;
  /** How the model is made, for the doc: 'one ONNX LSTM node', 'an IR SRU node (k 4, tanh)'. */
  model: string;
  /** The graph for input size I and hidden size H (any file it writes goes into dir). */
  graph(dir: string, inputSize: number, hidden: number, seed: number): Graph;
}

/** mulberry32: a tiny seeded PRNG (reproducible weights). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function floatTensor(name: string, dims: number[], random: () => number, scale: number) {
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = new Uint8Array(4 * n);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(4 * i, (2 * random() - 1) * scale, true);
  return { name, dims, dataType: 1, rawData: raw };
}

function valueInfo(name: string, dims: (number | string)[]) {
  return { name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** The bytes of a one-node ONNX model: X [T, 1, I] → Y [T, 1, 1, H], Y_h [1, 1, H]. */
export function onnxRecurrentModel(op: 'RNN' | 'GRU' | 'LSTM', gates: number, inputSize: number, hidden: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const scale = 1 / Math.sqrt(hidden);
  const model = {
    irVersion: 8,
    producerName: 'rnnc-bench',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: `${op.toLowerCase()}_i${inputSize}_h${hidden}`,
      node: [{
        name: op.toLowerCase(), opType: op, input: ['X', 'W', 'R', 'B'], output: ['Y', 'Y_h'],
        attribute: [{ name: 'hidden_size', type: 2, i: hidden }],
      }],
      input: [valueInfo('X', ['T', 1, inputSize])],
      output: [valueInfo('Y', ['T', 1, 1, hidden]), valueInfo('Y_h', [1, 1, hidden])],
      initializer: [
        floatTensor('W', [1, gates * hidden, inputSize], random, scale),
        floatTensor('R', [1, gates * hidden, hidden], random, scale),
        floatTensor('B', [1, 2 * gates * hidden], random, scale),
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

function onnxCell(op: 'RNN' | 'GRU' | 'LSTM', gates: number): CellType {
  return {
    name: op, gates, model: `one ONNX ${op} node`,
    graph(dir, inputSize, hidden, seed) {
      const path = join(dir, `${op.toLowerCase()}_i${inputSize}_h${hidden}.onnx`);
      writeFileSync(path, onnxRecurrentModel(op, gates, inputSize, hidden, seed));
      return loadModel(path);
    },
  };
}

/** SRU and QRNN are not ONNX ops: their graphs are built in code, with the same weight range. */
const sruCell: CellType = {
  name: 'SRU', gates: SRU_K, model: `an IR SRU node (k ${SRU_K}, tanh, forward, highway)`,
  graph: (_dir, inputSize, hidden, seed) => sruGraph(inputSize, hidden, seededRandom(seed)),
};
const qrnnCell: CellType = {
  name: 'QRNN', gates: QRNN_G, model: `an IR QRNN node (window ${QRNN_WINDOW}, ${QRNN_POOLING}-pooling)`,
  graph: (_dir, inputSize, hidden, seed) => qrnnGraph(inputSize, hidden, seededRandom(seed)),
};

export const CELL_TYPES: CellType[] = [onnxCell('RNN', 1), onnxCell('GRU', 3), onnxCell('LSTM', 4), sruCell, qrnnCell];

export function cellType(name: string): CellType {
  const c = CELL_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!c) fail(`unknown cell type '${name}' (known: ${CELL_TYPES.map((t) => t.name).join(', ')})`);
  return c!;
}

/** A fresh temporary folder for generated models. */
export function syntheticModelDir(): string {
  return mkdtempSync(join(tmpdir(), 'rnnc-cells-'));
}
