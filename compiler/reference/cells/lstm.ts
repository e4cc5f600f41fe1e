/**
 * @fileoverview LSTM step (float reference), ONNX gate order i, o, f, c; peepholes P = [Pi, Po, Pf]:
 *   i = f(X·Wiᵀ + H·Riᵀ + Pi ⊙ C + Wbi + Rbi)
 *   f = f(X·Wfᵀ + H·Rfᵀ + Pf ⊙ C + Wbf + Rbf)      (input_forget: f = 1 − i)
 *   c = g(X·Wcᵀ + H·Rcᵀ + Wbc + Rbc)
 *   C' = f ⊙ C + i ⊙ c
 *   o = f(X·Woᵀ + H·Roᵀ + Po ⊙ C' + Wbo + Rbo)
 *   H' = o ⊙ h(C')                        (projection, rnnc/PyTorch proj_size: m = o ⊙ h(C'), H' = Wproj·m [P])
 * `clip` bounds the four gate pre-activations, not C' (onnxruntime's reading).
 */
import { applyActivation } from '../../ir/activations.ts';
import { clipValue, inputProjection, recurrentProjection, type DirectionWeights, type GateObserver } from './common.ts';

const I = 0, O = 1, F = 2, C = 3;

function gatePre(x: ArrayLike<number>, h: Float64Array, p: DirectionWeights, gate: number): Float64Array {
  const a = new Float64Array(p.hidden);
  const b = new Float64Array(p.hidden);
  inputProjection(a, x, p, gate);
  recurrentProjection(b, h, p, gate);
  for (let j = 0; j < p.hidden; j++) a[j] += b[j];
  return a;
}

export function lstmStep(h: Float64Array, c: Float64Array, x: ArrayLike<number>, p: DirectionWeights, inputForget: boolean, observe?: GateObserver): void {
  const H = p.hidden;
  const [fAct, gAct, hAct] = p.acts;
  const peep = (k: number, j: number) => (p.P ? p.P[k * H + j] : 0);
  const preI = gatePre(x, h, p, I), preF = gatePre(x, h, p, F), preC = gatePre(x, h, p, C), preO = gatePre(x, h, p, O);
  const seen = observe ? { i: new Float64Array(H), f: new Float64Array(H), c: new Float64Array(H), o: new Float64Array(H) } : undefined;
  // With a projection h holds P values: o ⊙ h(C') goes to m first (every gate above already read h).
  const m = p.Wproj ? new Float64Array(H) : h;
  for (let j = 0; j < H; j++) {
    const pi = clipValue(preI[j] + peep(0, j) * c[j], p.clip);
    const pf = clipValue(preF[j] + peep(2, j) * c[j], p.clip);
    const pc = clipValue(preC[j], p.clip);
    const i = applyActivation(fAct, pi);
    const f = inputForget ? 1 - i : applyActivation(fAct, pf);
    c[j] = f * c[j] + i * applyActivation(gAct, pc);
    const po = clipValue(preO[j] + peep(1, j) * c[j], p.clip);
    m[j] = applyActivation(fAct, po) * applyActivation(hAct, c[j]);
    if (seen) [seen.i[j], seen.f[j], seen.c[j], seen.o[j]] = [pi, pf, pc, po];
  }
  if (seen) for (const [gate, v] of Object.entries(seen)) observe!(gate, v);
  if (p.Wproj) {
    for (let k = 0; k < p.proj!; k++) {
      let acc = 0;
      for (let j = 0; j < H; j++) acc += p.Wproj[k * H + j] * m[j];
      h[k] = acc;
    }
    observe?.('m', m);
  }
}
