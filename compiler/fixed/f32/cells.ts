/**
 * @fileoverview The f32 scheme's cells (simulator): RNN, GRU, LSTM and dense in float32, ONNX
 * semantics as compiler/reference/cells (clip on pre-activations, peepholes, input_forget,
 * linear_before_reset both ways). runtime-as/f32/cells.ts mirrors them bit for bit: every
 * value is an f32 (stored in Float32Arrays or rounded by `f`), every operation one f32 op, in
 * the same order. Descriptor layouts: ../cells/layout.ts (*_F32).
 *
 *   row r of a matrix:  acc = bias_r; acc += w[r,c]·v[c] for c in order   (bias = Wb + Rb)
 *   RNN:   h' = act(clip(W·[x; h] + b))
 *   GRU:   z, r = f(clip(Wzr·[x; h] + b))
 *          lbr=0: ĥ = g(clip(Wh·[x; r⊙h] + b));  lbr=1: ĥ = g(clip((Whx·x + bx) + r⊙(Whh·h + bh)))
 *          h' = (1 − z)·ĥ + z·h
 *   LSTM:  i = f(clip(acc_i + Pi·C)), f = f(clip(acc_f + Pf·C)) (input_forget: 1 − i), g = gAct(clip(acc_c))
 *          C' = f·C + i·g;  o = f(clip(acc_o + Po·C'));  h' = o·hAct(C')   (no peephole terms without P)
 *          projection (P > 0): m = o·hAct(C') [H], h' = proj·m (bias 0, columns in order) [P]
 *   dense: y = act(W·v + b), or z = W·v + b normalized (m = the first largest z, s = Σ exp(z − m) in order):
 *          softmax y = exp(z − m) / s;  log-softmax y = (z − m) − ln s;  argmax: y[0] = index of the first largest y
 * SRU and QRNN: ./sru-qrnn.ts.
 */
import { activateF32, clipF32, expF32, logF32, type F32Act } from './math.ts';

const f = Math.fround;

export interface F32Mat {
  rows: number;
  cols: number;
  /** [rows, cols] row-major. */
  w: Float32Array;
  bias: Float32Array;
}

export interface RnnF32Cell {
  I: number;
  H: number;
  gates: F32Mat; // [H, I+H]
  act: F32Act;
  /** f32 clip bound; +Inf: none. */
  clip: number;
  h: Float32Array; // [H]
  v: Float32Array; // [I+H]
}

export interface GruF32Cell {
  I: number;
  H: number;
  linearBeforeReset: boolean;
  gatesZR: F32Mat; // [2H, I+H]: z rows then r rows
  /** lbr=0: [H, I+H] over [x; r⊙h]. lbr=1: [H, I] over x (cand) and [H, H] over h (candH). */
  cand: F32Mat;
  candH: F32Mat;
  f: F32Act;
  g: F32Act;
  clip: number;
  h: Float32Array; // [H]
  v: Float32Array; // [I+H]
  acc: Float32Array; // [3H] z | r | ĥ, plus [H] for Whh·h when lbr=1
}

export interface LstmF32Cell {
  I: number;
  H: number;
  inputForget: boolean;
  gates: F32Mat; // [4H, I+H] rows i, o, f, c
  f: F32Act;
  g: F32Act;
  hAct: F32Act;
  /** [3H] (i, o, f) or empty. */
  peep: Float32Array;
  clip: number;
  h: Float32Array; // [H]
  cState: Float32Array; // [H]
  v: Float32Array; // [I+K], K = P or H
  acc: Float32Array; // [4H]
  /** Output projection size (absent or 0: none; else descriptor LSTMP_F32), proj [P, H] over m [H]. */
  P?: number;
  proj?: F32Mat;
  m?: Float32Array;
}

/** Dense head normalizations (descriptor field `norm`); with one, `act` is the identity. */
export const F32_NORM = { none: 0, softmax: 1, logSoftmax: 2 } as const;

export interface DenseF32Cell {
  I: number;
  N: number;
  mat: F32Mat; // [N, I]
  act: F32Act;
  y: Float32Array; // [N]
  v: Float32Array; // [I]
  norm: number;
  /** 1: y[0] becomes the index of the first largest y (ONNX ArgMax), as a float. */
  argmax: number;
}

/** out[r − row0] for rows [row0, row0+count) of m over v[vOff : vOff+cols]. */
export function matRowsF32(out: Float32Array, m: F32Mat, v: Float32Array, vOff: number, row0: number, count: number): void {
  const { w, cols } = m;
  for (let r = row0; r < row0 + count; r++) {
    let acc = m.bias[r];
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc = f(acc + f(w[base + c] * v[vOff + c]));
    out[r - row0] = acc;
  }
}

export function rnnStepF32(c: RnnF32Cell): void {
  const { I, H, h, v } = c;
  for (let j = 0; j < H; j++) v[I + j] = h[j];
  matRowsF32(h, c.gates, v, 0, 0, H); // v holds the old h: write the sums straight into h
  for (let j = 0; j < H; j++) h[j] = activateF32(clipF32(h[j], c.clip), c.act);
}

export function gruStepF32(c: GruF32Cell): void {
  const { I, H, h, v, acc } = c;
  for (let j = 0; j < H; j++) v[I + j] = h[j];
  matRowsF32(acc, c.gatesZR, v, 0, 0, 2 * H);
  for (let j = 0; j < 2 * H; j++) acc[j] = activateF32(clipF32(acc[j], c.clip), c.f);
  const cand = acc.subarray(2 * H, 3 * H);
  if (!c.linearBeforeReset) {
    for (let j = 0; j < H; j++) v[I + j] = f(acc[H + j] * h[j]);
    matRowsF32(cand, c.cand, v, 0, 0, H);
    for (let j = 0; j < H; j++) cand[j] = activateF32(clipF32(cand[j], c.clip), c.g);
  } else {
    const ph = acc.subarray(3 * H, 4 * H);
    matRowsF32(cand, c.cand, v, 0, 0, H);
    matRowsF32(ph, c.candH, v, I, 0, H);
    for (let j = 0; j < H; j++) cand[j] = activateF32(clipF32(f(cand[j] + f(acc[H + j] * ph[j])), c.clip), c.g);
  }
  for (let j = 0; j < H; j++) {
    const z = acc[j];
    h[j] = f(f(f(1 - z) * cand[j]) + f(z * h[j]));
  }
}

const GI = 0, GO = 1, GF = 2, GC = 3;

export function lstmStepF32(c: LstmF32Cell): void {
  const { I, H, h, v, acc, cState, peep } = c;
  const hasPeep = peep.length > 0;
  for (let j = 0; j < h.length; j++) v[I + j] = h[j];
  const out = c.P ? c.m! : h;
  matRowsF32(acc, c.gates, v, 0, 0, 4 * H);
  for (let j = 0; j < H; j++) {
    const prev = cState[j];
    let pi = acc[GI * H + j], pf = acc[GF * H + j], po = acc[GO * H + j];
    if (hasPeep) {
      pi = f(pi + f(peep[j] * prev));
      pf = f(pf + f(peep[2 * H + j] * prev));
    }
    const i = activateF32(clipF32(pi, c.clip), c.f);
    const fg = c.inputForget ? f(1 - i) : activateF32(clipF32(pf, c.clip), c.f);
    const g = activateF32(clipF32(acc[GC * H + j], c.clip), c.g);
    const next = f(f(fg * prev) + f(i * g));
    cState[j] = next;
    if (hasPeep) po = f(po + f(peep[H + j] * next));
    out[j] = f(activateF32(clipF32(po, c.clip), c.f) * activateF32(next, c.hAct));
  }
  if (c.P) matRowsF32(h, c.proj!, c.m!, 0, 0, c.P);
}

export function denseStepF32(c: DenseF32Cell): void {
  const { y, N } = c;
  matRowsF32(y, c.mat, c.v, 0, 0, N);
  if (c.norm === F32_NORM.none) for (let n = 0; n < N; n++) y[n] = activateF32(y[n], c.act);
  else normalizeF32(y, N, c.norm === F32_NORM.logSoftmax);
  if (c.argmax) {
    let best = 0;
    for (let n = 1; n < N; n++) if (y[n] > y[best]) best = n;
    y[0] = best;
  }
}

/** In place: logits → softmax or log-softmax (max-subtracted, as the float reference). */
export function normalizeF32(y: Float32Array, n: number, log: boolean): void {
  let m = y[0];
  for (let j = 1; j < n; j++) if (y[j] > m) m = y[j];
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const d = f(y[j] - m), e = expF32(d);
    sum = f(sum + e);
    y[j] = log ? d : e;
  }
  if (log) {
    const ls = logF32(sum);
    for (let j = 0; j < n; j++) y[j] = f(y[j] - ls);
  } else {
    for (let j = 0; j < n; j++) y[j] = f(y[j] / sum);
  }
}
