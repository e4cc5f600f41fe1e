/**
 * @fileoverview The synthetic SRU and QRNN layers of the cell sweep, built as IR graphs in code
 * (neither is an ONNX op): X [T, 1, I] → one node → Y [T, 1, 1, H] and its final state, like the
 * ONNX cells of ./synthetic-models.ts, with weights uniform in (−1/√H, 1/√H) from the caller's
 * seeded PRNG. Semantics and shapes: compiler/ir/ops/{sru,qrnn}.ts, docs/sru-qrnn.md.
 */
import { GraphBuilder } from '../../compiler/importers/graph-builder.ts';
import type { Graph, Tensor } from '../../compiler/ir/types.ts';
import { QRNN_GATES } from '../../compiler/ir/ops/qrnn.ts';

/** SRU with the highway projected (k 4: the input size 32 differs from H in most rows). */
export const SRU_K = 4;
export const QRNN_WINDOW = 2;
export const QRNN_POOLING = 'fo';
/** Gate blocks z, f, o. */
export const QRNN_G = QRNN_GATES[QRNN_POOLING];

function uniformTensor(shape: number[], random: () => number, scale: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => (2 * random() - 1) * scale) };
}

/** One forward SRU: W [1, k·H, I], Wc [1, 2·H] (v_f | v_r), B [1, 2·H]; outputs Y and Y_c. */
export function sruGraph(inputSize: number, hidden: number, random: () => number): Graph {
  const scale = 1 / Math.sqrt(hidden);
  const b = new GraphBuilder(`sru_i${inputSize}_h${hidden}`, `synthetic SRU (I ${inputSize}, H ${hidden})`, {});
  const x = b.input('X', ['T', 1, inputSize]);
  const W = b.constant('W', uniformTensor([1, SRU_K * hidden, inputSize], random, scale));
  const Wc = b.constant('Wc', uniformTensor([1, 2 * hidden], random, scale));
  const B = b.constant('B', uniformTensor([1, 2 * hidden], random, scale));
  const outs = b.node('SRU', [x, W, Wc, B], { hidden_size: hidden, k: SRU_K, activation: 'tanh', direction: 'forward', highway: 1 }, ['Y', 'Y_c'], 'sru');
  return b.finish(outs);
}

/** One QRNN: W [G·H, window·I] (column blocks x_{t−1}, x_t), B [G·H]; outputs Y and Y_h. */
export function qrnnGraph(inputSize: number, hidden: number, random: () => number): Graph {
  const scale = 1 / Math.sqrt(hidden);
  const G = QRNN_G;
  const b = new GraphBuilder(`qrnn_i${inputSize}_h${hidden}`, `synthetic QRNN (I ${inputSize}, H ${hidden})`, {});
  const x = b.input('X', ['T', 1, inputSize]);
  const W = b.constant('W', uniformTensor([G * hidden, QRNN_WINDOW * inputSize], random, scale));
  const B = b.constant('B', uniformTensor([G * hidden], random, scale));
  const [y, yh] = b.node('QRNN', [x, W, B], { hidden_size: hidden, window: QRNN_WINDOW, pooling: QRNN_POOLING }, ['Y', 'Y_h', ''], 'qrnn');
  return b.finish([y, yh]);
}
