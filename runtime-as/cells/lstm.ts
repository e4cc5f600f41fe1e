// Fixed-point LSTM step (AssemblyScript reference kernel), ONNX gate order i, o, f, c;
// peepholes P = [Pi, Po, Pf]. Mirror: compiler/fixed/cells/lstm.ts — same results bit for bit.
//   v = [x; h];  acc = rescale(W·v + b) for all 4H rows   (the caller has put x in v[0:I])
//   i = f(clip(sat16(acc_i + peep(Pi ⊙ C))))   Q15;  likewise f (input_forget: f = 1 − i)
//   g = gAct(clip(sat16(acc_c)))                Q(fg)
//   C' = sat16(mulQ15(f, C) + shiftRescale(mulQ15(i, g), fg − fc))       Q(fc)
//   o = f(clip(sat16(acc_o + peep(Po ⊙ C'))))   Q15
//   h' = satVec(shiftRescale(mulQ15(o, hAct(C')), ft − fh))               Q(fh)
// peep(P ⊙ C)_j = rescale(P_j·C_j, peepMult[k], peepShift[k]) into the gate's input format.
import { sat16, satAdd32, shiftRescale } from '../ops/primitives';
import { activate, copyElems, loadAt, matRows, mulQ15, preActivation, rescale, satVec, storeAt } from './common';
import { ACT, LSTM } from './desc';

// Row blocks of acc (gate order i, o, f, c) and peephole blocks (i, o, f).
const GI = 0, GO = 1, GF = 2, GC = 3;
const PI = 0, PO = 1, PF = 2;

export function lstmStep<V, W>(desc: usize): void {
  const I = load<i32>(desc + LSTM.I);
  const H = load<i32>(desc + LSTM.H);
  const h = load<usize>(desc + LSTM.h); // V[H]
  const v = load<usize>(desc + LSTM.v); // V[I+H]
  copyElems<V>(v, I, h, H); // v[I:] = h
  matRows<V, W>(load<usize>(desc + LSTM.acc), desc + LSTM.gates, v, 0, 0, 4 * H);
  lstmGates<V>(desc, h, H, load<i32>(desc + LSTM.fh));
}

/**
 * The gate rows in acc (i32[4H]: i, o, f, c) → C' in place (i16, Q(fc)) and out[j] = o·hAct(C')
 * in Q(outFrac): h for the LSTM, m for the projected LSTM (./lstm-proj.ts: the same offsets).
 */
export function lstmGates<V>(desc: usize, out: usize, H: i32, outFrac: i32): void {
  const cState = load<usize>(desc + LSTM.cState); // i16[H] Q(fc)
  const acc = load<usize>(desc + LSTM.acc);
  const inputForget = load<i32>(desc + LSTM.inputForget) != 0;
  const clipCandQ = load<i32>(desc + LSTM.clipCandQ);
  const fc = load<i32>(desc + LSTM.fc);
  const fg = load<i32>(desc + LSTM.g + ACT.outFrac);
  const ft = load<i32>(desc + LSTM.hAct + ACT.outFrac);
  for (let j = 0; j < H; j++) {
    const prev = loadAt<i16>(cState, j);
    const i = gate(desc, loadAt<i32>(acc, GI * H + j), PI, j, prev);
    // 1 − i in Q15; i may be negative for a non-sigmoid f, hence the clamp to 32767.
    const f = inputForget ? min(32767, 32768 - i) : gate(desc, loadAt<i32>(acc, GF * H + j), PF, j, prev);
    const g = activate(preActivation(loadAt<i32>(acc, GC * H + j), clipCandQ), desc + LSTM.g);
    const next = sat16(satAdd32(mulQ15(f, prev), shiftRescale(mulQ15(i, g), fg - fc)));
    storeAt<i16>(cState, j, next);
    const o = gate(desc, loadAt<i32>(acc, GO * H + j), PO, j, next); // output peephole sees C'
    const y = activate(next, desc + LSTM.hAct); // Q(ft)
    storeAt<V>(out, j, satVec<V>(shiftRescale(mulQ15(o, y), ft - outFrac)));
  }
}

/** A sigmoid-like gate: f(clip(sat16(acc + peep(P_k,j ⊙ state)))), Q15. */
function gate(desc: usize, acc: i32, k: i32, j: i32, state: i32): i32 {
  const pre = satAdd32(acc, peephole(desc, k, j, state));
  return activate(preActivation(pre, load<i32>(desc + LSTM.clipQ)), desc + LSTM.f);
}

/** rescale(P[k·H + j] · state) into the gate's input format, or 0 without peepholes. */
function peephole(desc: usize, k: i32, j: i32, state: i32): i32 {
  const peep = load<usize>(desc + LSTM.peep); // i16[3H] or 0
  if (peep == 0) return 0;
  const H = load<i32>(desc + LSTM.H);
  const p = loadAt<i16>(peep, k * H + j) * state; // |p| <= 2^30
  return rescale(p, loadAt<i32>(load<usize>(desc + LSTM.peepMult), k), loadAt<i32>(load<usize>(desc + LSTM.peepShift), k));
}
