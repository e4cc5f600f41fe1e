/**
 * @fileoverview GRU step (float reference), ONNX gate order z, r, h:
 *   z = f(X·Wzᵀ + H·Rzᵀ + Wbz + Rbz)
 *   r = f(X·Wrᵀ + H·Rrᵀ + Wbr + Rbr)
 *   linear_before_reset = 0:  ĥ = g(X·Whᵀ + (r ⊙ H)·Rhᵀ + Rbh + Wbh)
 *   linear_before_reset = 1:  ĥ = g(X·Whᵀ + r ⊙ (H·Rhᵀ + Rbh) + Wbh)   (PyTorch's convention)
 *   H' = (1 − z) ⊙ ĥ + z ⊙ H
 */
import { applyActivation } from '../../ir/activations.ts';
import { clipValue, inputProjection, recurrentProjection, type DirectionWeights, type GateObserver } from './common.ts';

const Z = 0, RG = 1, HG = 2;

export function gruStep(h: Float64Array, x: ArrayLike<number>, p: DirectionWeights, linearBeforeReset: boolean, observe?: GateObserver): void {
  const H = p.hidden;
  const [f, g] = p.acts;
  const xz = new Float64Array(H), hz = new Float64Array(H);
  const xr = new Float64Array(H), hr = new Float64Array(H);
  const xh = new Float64Array(H), hh = new Float64Array(H);
  inputProjection(xz, x, p, Z);
  recurrentProjection(hz, h, p, Z);
  inputProjection(xr, x, p, RG);
  recurrentProjection(hr, h, p, RG);
  inputProjection(xh, x, p, HG);
  const preZ = xz.map((v, j) => clipValue(v + hz[j], p.clip));
  const preR = xr.map((v, j) => clipValue(v + hr[j], p.clip));
  observe?.('z', preZ);
  observe?.('r', preR);
  const z = preZ.map((v) => applyActivation(f, v));
  const r = preR.map((v) => applyActivation(f, v));
  if (linearBeforeReset) {
    recurrentProjection(hh, h, p, HG);
    for (let j = 0; j < H; j++) hh[j] *= r[j];
  } else {
    recurrentProjection(hh, h.map((v, j) => v * r[j]), p, HG);
  }
  const preH = xh.map((v, j) => clipValue(v + hh[j], p.clip));
  observe?.('h', preH);
  for (let j = 0; j < H; j++) {
    const candidate = applyActivation(g, preH[j]);
    h[j] = (1 - z[j]) * candidate + z[j] * h[j];
  }
}
