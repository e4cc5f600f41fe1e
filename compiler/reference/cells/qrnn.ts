/**
 * @fileoverview QRNN (float reference, float64 inside), in the paper's two phases: the gates of
 * every step come from a causal convolution of the input alone (window 1: x_t; window 2: x_{t−1}
 * and x_t, with x_{−1} = 0), then pooling is the only sequential part:
 *   z = tanh(·), f = σ(·), o = σ(·)
 *   f-pooling:  c' = f ⊙ c + (1 − f) ⊙ z,  h = c'
 *   fo-pooling: c' = f ⊙ c + (1 − f) ⊙ z,  h = o ⊙ c'
 * Layouts: compiler/ir/ops/qrnn.ts, docs/sru-qrnn.md.
 */
import type { GateObserver } from './common.ts';

const Z = 0, F = 1, O = 2;
const TAGS = ['z', 'f', 'o'];

export interface QrnnWeights {
  W: Float32Array; // [G·H, window·I], row blocks z, f, (o); column blocks oldest input first
  B: Float32Array; // [G·H] (zeros when absent)
  inputSize: number;
  hidden: number;
  gates: number; // 2 (f-pooling) or 3 (fo-pooling)
  window: number;
}

/**
 * Activated gates of one step: out[g·H + j]. `previous` is x_{t−1} (undefined at t = 0, where
 * the convolution's left padding is zero); it is read only for window 2. `observe`
 * (calibration) receives each gate's pre-activations ('z', 'f', 'o'); results do not change.
 */
export function qrnnGates(out: Float64Array, previous: ArrayLike<number> | undefined, x: ArrayLike<number>, p: QrnnWeights, observe?: GateObserver): void {
  const { W, B, inputSize: I, window } = p;
  const cols = window * I;
  // Column block of x_t: the last one; x_{t−1} sits in the block before it.
  const current = (window - 1) * I;
  const pre = observe ? new Float64Array(p.gates * p.hidden) : undefined;
  for (let row = 0; row < p.gates * p.hidden; row++) {
    let acc = B[row];
    const w = row * cols;
    for (let i = 0; i < I; i++) acc += x[i] * W[w + current + i];
    if (window === 2 && previous) for (let i = 0; i < I; i++) acc += previous[i] * W[w + i];
    const gate = Math.floor(row / p.hidden);
    if (pre) pre[row] = acc;
    out[row] = gate === Z ? Math.tanh(acc) : 1 / (1 + Math.exp(-acc));
  }
  for (let g = 0; pre && g < p.gates; g++) observe!(TAGS[g], pre.subarray(g * p.hidden, (g + 1) * p.hidden));
}

/** One pooling step: updates `c` in place and writes `h`. */
export function qrnnPool(h: Float64Array, c: Float64Array, gates: Float64Array, p: QrnnWeights): void {
  const H = p.hidden;
  for (let j = 0; j < H; j++) {
    const f = gates[F * H + j];
    c[j] = f * c[j] + (1 - f) * gates[Z * H + j];
    h[j] = p.gates === 3 ? gates[O * H + j] * c[j] : c[j];
  }
}
