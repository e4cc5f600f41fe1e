/**
 * @fileoverview Elman RNN step (float reference):  H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb)
 */
import { applyActivation } from '../../ir/activations.ts';
import { clipValue, inputProjection, recurrentProjection, type DirectionWeights, type GateObserver } from './common.ts';

/** h: [H] in/out state; x: [I]. */
export function rnnStep(h: Float64Array, x: ArrayLike<number>, p: DirectionWeights, observe?: GateObserver): void {
  const H = p.hidden;
  const pre = new Float64Array(H);
  const rec = new Float64Array(H);
  inputProjection(pre, x, p, 0);
  recurrentProjection(rec, h, p, 0);
  for (let j = 0; j < H; j++) pre[j] = clipValue(pre[j] + rec[j], p.clip);
  observe?.('pre', pre);
  for (let j = 0; j < H; j++) h[j] = applyActivation(p.acts[0], pre[j]);
}
