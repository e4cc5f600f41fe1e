/**
 * @fileoverview Float reference for the RNN, GRU and LSTM ops: walks directions, batch entries
 * and time steps (honouring layout, sequence_lens and initial states) around the cell steps
 * in ../cells. Outputs past a sequence's length are zero, as ONNX specifies.
 */
import { resolveActivations } from '../../ir/activations.ts';
import { GATES, type CellKind } from '../../ir/ops/recurrent.ts';
import type { Node, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import type { DirectionWeights } from '../cells/common.ts';
import { gruStep } from '../cells/gru.ts';
import { lstmStep } from '../cells/lstm.ts';
import { rnnStep } from '../cells/rnn.ts';

type Maybe = Tensor | undefined;

export function directionWeights(node: Node, W: Tensor, R: Tensor, B: Maybe, P: Maybe, d: number, kind: CellKind, Wproj?: Tensor): DirectionWeights {
  const G = GATES[kind];
  const [, rows, inputSize] = W.shape;
  const hidden = rows / G;
  const K = R.shape[2]; // P with a projection, else H
  const f32 = (t: Tensor) => t.data as Float32Array;
  const W1 = f32(W).subarray(d * rows * inputSize, (d + 1) * rows * inputSize);
  const R1 = f32(R).subarray(d * rows * K, (d + 1) * rows * K);
  const Bd = B ? f32(B).subarray(d * 2 * rows, (d + 1) * 2 * rows) : new Float32Array(2 * rows);
  const k = kind === 'LSTM' ? 3 : kind === 'GRU' ? 2 : 1;
  // alpha/beta lists run over all directions' functions in order.
  const all = resolveActivations(node.attrs.activations as string[], node.attrs.activation_alpha as number[], node.attrs.activation_beta as number[]);
  return {
    W: W1, R: R1, Wb: Bd.subarray(0, rows), Rb: Bd.subarray(rows), inputSize, hidden,
    P: P ? f32(P).subarray(d * 3 * hidden, (d + 1) * 3 * hidden) : undefined,
    acts: all.slice(d * k, (d + 1) * k),
    clip: node.attrs.clip as number | undefined,
    ...(Wproj ? { Wproj: f32(Wproj).subarray(d * K * hidden, (d + 1) * K * hidden), proj: K } : {}),
  };
}

export function runRecurrent(kind: CellKind, node: Node, inputs: Maybe[]): Tensor[] {
  const [X, W, R, B, seqLens, h0, c0, P, Wproj] = inputs as Tensor[];
  const layout = node.attrs.layout as number;
  const D = node.attrs.direction === 'bidirectional' ? 2 : 1;
  const [T, Bn, I] = layout === 0 ? X.shape : [X.shape[1], X.shape[0], X.shape[2]];
  // H: cell state size; K: h size (P with an LSTM output projection, else H).
  const H = W.shape[1] / GATES[kind], K = R.shape[2];
  const Y = newTensor('float32', layout === 0 ? [T, D, Bn, K] : [Bn, T, D, K]);
  const Yh = newTensor('float32', layout === 0 ? [D, Bn, K] : [Bn, D, K]);
  const Yc = newTensor('float32', layout === 0 ? [D, Bn, H] : [Bn, D, H]);
  const xAt = (t: number, b: number) => (X.data as Float32Array).subarray(...span(layout === 0 ? (t * Bn + b) * I : (b * T + t) * I, I));
  const stateAt = (d: number, b: number, n: number) => (layout === 0 ? (d * Bn + b) * n : (b * D + d) * n);
  const yAt = (t: number, d: number, b: number) => (layout === 0 ? ((t * D + d) * Bn + b) * K : ((b * T + t) * D + d) * K);
  for (let d = 0; d < D; d++) {
    const p = directionWeights(node, W, R, B, P, d, kind, Wproj);
    const reverse = node.attrs.direction === 'reverse' || d === 1;
    for (let b = 0; b < Bn; b++) {
      const h = new Float64Array(K);
      const c = new Float64Array(H);
      if (h0) h.set((h0.data as Float32Array).subarray(stateAt(d, b, K), stateAt(d, b, K) + K));
      if (c0) c.set((c0.data as Float32Array).subarray(stateAt(d, b, H), stateAt(d, b, H) + H));
      const len = seqLens ? Math.min(T, Math.max(0, seqLens.data[b])) : T;
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        const x = xAt(t, b);
        if (kind === 'RNN') rnnStep(h, x, p);
        else if (kind === 'GRU') gruStep(h, x, p, node.attrs.linear_before_reset === 1);
        else lstmStep(h, c, x, p, node.attrs.input_forget === 1);
        Y.data.set(h, yAt(t, d, b));
      }
      Yh.data.set(h, stateAt(d, b, K));
      Yc.data.set(c, stateAt(d, b, H));
    }
  }
  return kind === 'LSTM' ? [Y, Yh, Yc] : [Y, Yh];
}

function span(start: number, length: number): [number, number] {
  return [start, start + length];
}
