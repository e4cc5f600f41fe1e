/**
 * The classifier models the head tests share: LSTM → last state → Gemm → Softmax or LogSoftmax
 * (→ ArgMax), ONNX bytes built with tests/helpers/onnx-builder.ts, so onnxruntime can run them.
 */
import { buildModel, uniform } from './onnx-builder.ts';

export const T = 6, B = 24, I = 3, H = 8, C = 5;

export function softmaxModel(r: () => number, axis = -1, argmax?: Record<string, number>, op: 'Softmax' | 'LogSoftmax' = 'Softmax'): Uint8Array {
  return buildModel({
    nodes: [
      { op: 'LSTM', name: 'lstm', inputs: ['X', 'W', 'R', 'Bias'], outputs: ['Y', 'Yh'], attrs: { hidden_size: H } },
      { op: 'Squeeze', name: 'sq', inputs: ['Yh', 'ax0'], outputs: ['S'] },
      { op: 'Gemm', name: 'fc', inputs: ['S', 'Wfc', 'Bfc'], outputs: ['Z'], attrs: { transB: 1 } },
      { op, name: 'probs', inputs: ['Z'], outputs: ['P'], attrs: { axis } },
      ...(argmax ? [{ op: 'ArgMax', name: 'top', inputs: ['P'], outputs: ['K'], attrs: argmax }] : []),
    ],
    inputs: [{ name: 'X', dims: [T, B, I] }],
    outputs: argmax ? [{ name: 'K', dims: argmax.keepdims === 0 ? [B] : [B, 1], type: 7 }] : [{ name: 'P', dims: [B, C] }],
    initializers: [
      { name: 'W', dims: [1, 4 * H, I], data: uniform(r, 4 * H * I, 1.2) },
      { name: 'R', dims: [1, 4 * H, H], data: uniform(r, 4 * H * H, 0.6) },
      { name: 'Bias', dims: [1, 8 * H], data: uniform(r, 8 * H, 0.3) },
      { name: 'ax0', dims: [1], data: [0], type: 'int64' },
      { name: 'Wfc', dims: [C, H], data: uniform(r, C * H, 3) },
      { name: 'Bfc', dims: [C], data: uniform(r, C, 0.5) },
    ],
  });
}

