/**
 * @fileoverview Float reference for the SRU and QRNN ops: walks directions and batch entries,
 * computes the input-side work for every step first (SRU's projection U, QRNN's convolution),
 * then runs the sequential part of ../cells. Both ops are layout 0 only: X [T,B,I], Y [T,D,B,H].
 */
import { QRNN_GATES } from '../../ir/ops/qrnn.ts';
import type { Node, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import { qrnnGates, qrnnPool, type QrnnWeights } from '../cells/qrnn.ts';
import { sruProject, sruStep, type SruDirection } from '../cells/sru.ts';

type Maybe = Tensor | undefined;
const f32 = (t: Tensor) => t.data as Float32Array;

/** One direction's parameters as views into the SRU node's tensors (also used by lowering). */
export function sruDirection(node: Node, W: Tensor, Wc: Tensor, B: Maybe, d: number): SruDirection {
  const [, rows, inputSize] = W.shape;
  const H = Wc.shape[1] / 2;
  const wc = f32(Wc).subarray(d * 2 * H, (d + 1) * 2 * H);
  const b = B ? f32(B).subarray(d * 2 * H, (d + 1) * 2 * H) : new Float32Array(2 * H);
  return {
    W: f32(W).subarray(d * rows * inputSize, (d + 1) * rows * inputSize),
    vf: wc.subarray(0, H), vr: wc.subarray(H), bf: b.subarray(0, H), br: b.subarray(H),
    inputSize, hidden: H, k: node.attrs.k as number, tanh: node.attrs.activation === 'tanh',
    highway: node.attrs.highway === 1, scaleX: node.attrs.scale_x as number,
  };
}

export function runSru(node: Node, inputs: Maybe[]): Tensor[] {
  const [X, W, Wc, B, c0] = inputs as [Tensor, Tensor, Tensor, Maybe, Maybe];
  const D = node.attrs.direction === 'bidirectional' ? 2 : 1;
  const [T, Bn, I] = X.shape;
  const H = Wc.shape[1] / 2;
  const Y = newTensor('float32', [T, D, Bn, H]);
  const Yc = newTensor('float32', [D, Bn, H]);
  const x = f32(X);
  for (let d = 0; d < D; d++) {
    const p = sruDirection(node, W, Wc, B, d);
    const reverse = node.attrs.direction === 'reverse' || d === 1;
    for (let b = 0; b < Bn; b++) {
      const xAt = (t: number) => x.subarray((t * Bn + b) * I, (t * Bn + b + 1) * I);
      // Phase 1: U for all steps (it reads only the input).
      const U = Array.from({ length: T }, (_, t) => {
        const u = new Float64Array(p.k * H);
        sruProject(u, xAt(t), p);
        return u;
      });
      // Phase 2: the recurrence, in this direction's time order.
      const c = new Float64Array(H);
      if (c0) c.set(f32(c0).subarray((d * Bn + b) * H, (d * Bn + b + 1) * H));
      const h = new Float64Array(H);
      for (let s = 0; s < T; s++) {
        const t = reverse ? T - 1 - s : s;
        // This direction's H-slice of the input, for the k = 3 highway (I = D·H then).
        const slice = p.k === 3 && p.highway ? xAt(t).subarray(d * H, (d + 1) * H) : xAt(t);
        sruStep(h, c, U[t], slice, p);
        Y.data.set(h, ((t * D + d) * Bn + b) * H);
      }
      Yc.data.set(c, (d * Bn + b) * H);
    }
  }
  return [Y, Yc];
}

export function runQrnn(node: Node, inputs: Maybe[]): Tensor[] {
  const [X, W, B, c0] = inputs as [Tensor, Tensor, Maybe, Maybe];
  const [T, Bn, I] = X.shape;
  const gates = QRNN_GATES[node.attrs.pooling as string];
  const H = W.shape[0] / gates;
  const p: QrnnWeights = { W: f32(W), B: B ? f32(B) : new Float32Array(gates * H), inputSize: I, hidden: H, gates, window: node.attrs.window as number };
  const Y = newTensor('float32', [T, 1, Bn, H]);
  const Yh = newTensor('float32', [1, Bn, H]);
  const Yc = newTensor('float32', [1, Bn, H]);
  const x = f32(X);
  for (let b = 0; b < Bn; b++) {
    const xAt = (t: number) => x.subarray((t * Bn + b) * I, (t * Bn + b + 1) * I);
    // Phase 1: every step's gates from the convolution (input only).
    const G = Array.from({ length: T }, (_, t) => {
      const g = new Float64Array(gates * H);
      qrnnGates(g, t > 0 ? xAt(t - 1) : undefined, xAt(t), p);
      return g;
    });
    // Phase 2: pooling, the only sequential part.
    const c = new Float64Array(H);
    if (c0) c.set(f32(c0).subarray(b * H, (b + 1) * H));
    // f-pooling's h is its state, so an empty sequence returns the initial state for both.
    const h = gates === 2 ? Float64Array.from(c) : new Float64Array(H);
    for (let t = 0; t < T; t++) {
      qrnnPool(h, c, G[t], p);
      Y.data.set(h, (t * Bn + b) * H);
    }
    Yh.data.set(h, b * H);
    Yc.data.set(c, b * H);
  }
  return [Y, Yh, Yc];
}
