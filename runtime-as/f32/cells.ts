// The f32 scheme's cells (AssemblyScript): RNN, GRU, LSTM and dense in float32.
// Mirror: compiler/fixed/f32/cells.ts — same f32 operations in the same order, same results bit
// for bit (see there for the equations). Descriptors: ./desc.ts. MVP only (f32 ops are MVP);
// no FMA exists in wasm, so every `a + b * c` is a rounded product then a rounded sum.
import { activateF32, clipF32, expF32, logF32 } from './math';
import { DENSE_F32, FMAT, GRU_F32, LSTM_F32, RNN_F32 } from './desc';

const ONE: f32 = 1;

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** out[r − row0] for rows [row0, row0+count) of the fmat at `m` over f32 vector v: bias, then columns in order. */
export function matRowsF32(out: usize, m: usize, v: usize, row0: i32, count: i32): void {
  const w = load<usize>(m + FMAT.w); // f32[rows, cols]
  const bias = load<usize>(m + FMAT.bias); // f32[rows]
  const cols = load<i32>(m + FMAT.cols);
  for (let r = row0; r < row0 + count; r++) {
    const row = at(w, r * cols);
    let acc = load<f32>(at(bias, r));
    for (let c = 0; c < cols; c++) acc += load<f32>(at(row, c)) * load<f32>(at(v, c));
    store<f32>(at(out, r - row0), acc);
  }
}

/** dst[at : at+n] = src[0 : n] (f32). */
function copyF32(dst: usize, from: i32, src: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f32>(at(dst, from + j), load<f32>(at(src, j)));
}

export function rnnStepF32(desc: usize): void {
  const I = load<i32>(desc + RNN_F32.I);
  const H = load<i32>(desc + RNN_F32.H);
  const h = load<usize>(desc + RNN_F32.h);
  const v = load<usize>(desc + RNN_F32.v);
  const clip = load<f32>(desc + RNN_F32.clip);
  copyF32(v, I, h, H);
  matRowsF32(h, desc + RNN_F32.gates, v, 0, H); // v holds the old h
  for (let j = 0; j < H; j++) store<f32>(at(h, j), activateF32(clipF32(load<f32>(at(h, j)), clip), desc + RNN_F32.act));
}

export function gruStepF32(desc: usize): void {
  const I = load<i32>(desc + GRU_F32.I);
  const H = load<i32>(desc + GRU_F32.H);
  const h = load<usize>(desc + GRU_F32.h);
  const v = load<usize>(desc + GRU_F32.v);
  const acc = load<usize>(desc + GRU_F32.acc); // z | r | ĥ (| Whh·h)
  const clip = load<f32>(desc + GRU_F32.clip);
  const f = desc + GRU_F32.f, g = desc + GRU_F32.g;
  const cand = at(acc, 2 * H);
  copyF32(v, I, h, H);
  matRowsF32(acc, desc + GRU_F32.gatesZR, v, 0, 2 * H);
  for (let j = 0; j < 2 * H; j++) store<f32>(at(acc, j), activateF32(clipF32(load<f32>(at(acc, j)), clip), f));
  if (load<i32>(desc + GRU_F32.linearBeforeReset) == 0) {
    for (let j = 0; j < H; j++) store<f32>(at(v, I + j), load<f32>(at(acc, H + j)) * load<f32>(at(h, j)));
    matRowsF32(cand, desc + GRU_F32.cand, v, 0, H);
    for (let j = 0; j < H; j++) store<f32>(at(cand, j), activateF32(clipF32(load<f32>(at(cand, j)), clip), g));
  } else {
    const ph = at(acc, 3 * H);
    matRowsF32(cand, desc + GRU_F32.cand, v, 0, H);
    matRowsF32(ph, desc + GRU_F32.candH, at(v, I), 0, H);
    for (let j = 0; j < H; j++) {
      const pre = load<f32>(at(cand, j)) + load<f32>(at(acc, H + j)) * load<f32>(at(ph, j));
      store<f32>(at(cand, j), activateF32(clipF32(pre, clip), g));
    }
  }
  for (let j = 0; j < H; j++) {
    const z = load<f32>(at(acc, j));
    store<f32>(at(h, j), (ONE - z) * load<f32>(at(cand, j)) + z * load<f32>(at(h, j)));
  }
}

// Row blocks of acc (gate order i, o, f, c) and peephole blocks (i, o, f).
const GI = 0, GO = 1, GF = 2, GC = 3;

export function lstmStepF32(desc: usize): void {
  const I = load<i32>(desc + LSTM_F32.I);
  const H = load<i32>(desc + LSTM_F32.H);
  const h = load<usize>(desc + LSTM_F32.h);
  const v = load<usize>(desc + LSTM_F32.v);
  copyF32(v, I, h, H);
  matRowsF32(load<usize>(desc + LSTM_F32.acc), desc + LSTM_F32.gates, v, 0, 4 * H);
  lstmGatesF32(desc, h, H);
}

/**
 * The gate rows in acc (i, o, f, c; peepholes, clip, input_forget) → C' in place and
 * out[j] = o·hAct(C'): h for the LSTM, m for the projected LSTM (LSTMP_F32 keeps these offsets).
 */
export function lstmGatesF32(desc: usize, out: usize, H: i32): void {
  const cState = load<usize>(desc + LSTM_F32.cState);
  const acc = load<usize>(desc + LSTM_F32.acc);
  const peep = load<usize>(desc + LSTM_F32.peep); // f32[3H] or 0
  const clip = load<f32>(desc + LSTM_F32.clip);
  const inputForget = load<i32>(desc + LSTM_F32.inputForget) != 0;
  const fAct = desc + LSTM_F32.f;
  for (let j = 0; j < H; j++) {
    const prev = load<f32>(at(cState, j));
    let pi = load<f32>(at(acc, GI * H + j));
    let pf = load<f32>(at(acc, GF * H + j));
    let po = load<f32>(at(acc, GO * H + j));
    if (peep != 0) {
      pi = pi + load<f32>(at(peep, j)) * prev;
      pf = pf + load<f32>(at(peep, 2 * H + j)) * prev;
    }
    const i = activateF32(clipF32(pi, clip), fAct);
    const fg = inputForget ? ONE - i : activateF32(clipF32(pf, clip), fAct);
    const g = activateF32(clipF32(load<f32>(at(acc, GC * H + j)), clip), desc + LSTM_F32.g);
    const next = fg * prev + i * g;
    store<f32>(at(cState, j), next);
    if (peep != 0) po = po + load<f32>(at(peep, H + j)) * next;
    store<f32>(at(out, j), activateF32(clipF32(po, clip), fAct) * activateF32(next, desc + LSTM_F32.hAct));
  }
}

export function denseStepF32(desc: usize): void {
  const n = load<i32>(desc + DENSE_F32.N);
  const y = load<usize>(desc + DENSE_F32.y);
  const norm = load<i32>(desc + DENSE_F32.norm);
  matRowsF32(y, desc + DENSE_F32.mat, load<usize>(desc + DENSE_F32.v), 0, n);
  if (norm == 0) for (let j = 0; j < n; j++) store<f32>(at(y, j), activateF32(load<f32>(at(y, j)), desc + DENSE_F32.act));
  else normalizeF32(y, n, norm == 2);
  if (load<i32>(desc + DENSE_F32.argmax) != 0) {
    let best = 0;
    let top = load<f32>(y);
    for (let j = 1; j < n; j++) {
      const v = load<f32>(at(y, j));
      const better = v > top; // selects, not a branch: the same path for every input
      best = select<i32>(j, best, better);
      top = select<f32>(v, top, better);
    }
    store<f32>(y, <f32>best);
  }
}

/** In place: logits → softmax or log-softmax (max-subtracted). */
export function normalizeF32(y: usize, n: i32, log: bool): void {
  let m = load<f32>(y);
  for (let j = 1; j < n; j++) {
    const v = load<f32>(at(y, j));
    m = select<f32>(v, m, v > m); // not max(): its NaN rule differs from the simulator's comparison
  }
  let sum: f32 = 0;
  for (let j = 0; j < n; j++) {
    const d = load<f32>(at(y, j)) - m;
    const e = expF32(d);
    sum += e;
    store<f32>(at(y, j), log ? d : e);
  }
  if (log) {
    const ls = logF32(sum);
    for (let j = 0; j < n; j++) store<f32>(at(y, j), load<f32>(at(y, j)) - ls);
  } else {
    for (let j = 0; j < n; j++) store<f32>(at(y, j), load<f32>(at(y, j)) / sum);
  }
}
