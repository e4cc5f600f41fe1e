/**
 * @fileoverview Shared pieces of the float reference cells: one direction's weights as views,
 * and the gate pre-activation x·Wᵀ + h·Rᵀ + Wb + Rb computed in float64.
 */
import type { ResolvedActivation } from '../../ir/activations.ts';

/** One direction's parameters, row-major as ONNX stores them (gate blocks of `hidden` rows). */
export interface DirectionWeights {
  W: Float32Array; // [G·H, I]
  R: Float32Array; // [G·H, H], or [G·H, P] with a projection
  Wb: Float32Array; // [G·H] (zeros when B is absent)
  Rb: Float32Array; // [G·H]
  P?: Float32Array; // [3·H] LSTM peepholes i, o, f
  /** LSTM output projection (PyTorch proj_size) [P, H]: h = Wproj·(o ⊙ h(C)), P = proj. */
  Wproj?: Float32Array;
  proj?: number;
  inputSize: number;
  hidden: number;
  acts: ResolvedActivation[];
  clip?: number;
}

/** out[j] = Σ_k x[k]·W[(gate·H + j)·I + k] + Wb[gate·H + j], for one gate block. */
export function inputProjection(out: Float64Array, x: ArrayLike<number>, p: DirectionWeights, gate: number): void {
  const { W, Wb, inputSize: I, hidden: H } = p;
  for (let j = 0; j < H; j++) {
    const row = gate * H + j;
    let acc = Wb[row];
    for (let k = 0; k < I; k++) acc += x[k] * W[row * I + k];
    out[j] = acc;
  }
}

/** out[j] = Σ_k h[k]·R[(gate·H + j)·K + k] + Rb[gate·H + j], for one gate block (K = P with a projection, else H). */
export function recurrentProjection(out: Float64Array, h: ArrayLike<number>, p: DirectionWeights, gate: number): void {
  const { R, Rb, hidden: H } = p;
  const K = p.Wproj ? p.proj! : H;
  for (let j = 0; j < H; j++) {
    const row = gate * H + j;
    let acc = Rb[row];
    for (let k = 0; k < K; k++) acc += h[k] * R[row * K + k];
    out[j] = acc;
  }
}

/** ONNX `clip`: bounds gate pre-activations (not the cell state) to [-clip, clip]. */
export function clipValue(v: number, clip: number | undefined): number {
  return clip === undefined ? v : Math.min(clip, Math.max(-clip, v));
}

/** Receives each gate's pre-activation vector (after clip) so calibration can record ranges. */
export type GateObserver = (gate: string, values: ArrayLike<number>) => void;
