/**
 * @fileoverview Fixed-point LSTM step (simulator), ONNX gate order i, o, f, c; P = [Pi, Po, Pf]:
 *   v = [x; h];  acc = rescale(W·v + b) for all 4H rows (gate input formats)
 *   i = f(clip(sat16(acc_i + peep(Pi ⊙ C))))   Q15;  likewise f (input_forget: f = 1 − i)
 *   g = gAct(clip(sat16(acc_c)))                Q(fg)
 *   C' = sat16(mulQ15(f, C) + shiftRescale(mulQ15(i, g), fg − fc))      Q(fc)
 *   o = f(clip(sat16(acc_o + peep(Po ⊙ C'))))   Q15
 *   h' = satVec(shiftRescale(mulQ15(o, hAct(C')), ft − fh))              Q(fh)
 * peep(P ⊙ C)_j = rescale(P_j·C_j, peepMult[k], peepShift[k]) into the gate's input format.
 * Output projection (P > 0, PyTorch proj_size; descriptor LSTMP, AS runtime-as/cells/lstm-proj.ts):
 *   m = satVec(shiftRescale(mulQ15(o, hAct(C')), ft − fm))   Q(fm), H elements (in place of h' above)
 *   h' = satVec(rescale(proj·m + 0))                          Q(fh), P elements; v = [x; h] has I + P
 */
import { activate, matRows, mulQ15, preActivation, rescale, satVec, type QAct, type QMat, type Vec } from './common.ts';
import { sat16, satAdd32, shiftRescale } from '../primitives.ts';

export interface LstmCell {
  I: number;
  H: number;
  inputForget: boolean;
  /** [4H, I+H] rows i, o, f, c. */
  gates: QMat;
  f: QAct; // gate activation, output Q15
  g: QAct; // candidate activation, output Q(fg)
  hAct: QAct; // output activation, input Q(fc), output Q(ft)
  /** Peepholes [3H] int16 (i, o, f), or empty; per-gate rescale. */
  peep: Int16Array;
  peepMult: Int32Array; // [3]
  peepShift: Int32Array; // [3]
  fc: number;
  fh: number;
  clipQ: number; // gate input formats share the clip only when equal; see quantizer
  clipCandQ: number;
  h: Vec;
  cState: Int16Array;
  v: Vec; // [I+K], K = P or H
  acc: Int32Array; // [max(4H, P)]: the projection's P rows reuse it
  /** Output projection size (absent or 0: none; the descriptor is then LSTM's); h has P elements. */
  P?: number;
  /** [P, H] over m, rows rescaled into Q(fh). */
  proj?: QMat;
  fm?: number;
  m?: Vec; // [H] o ⊙ hAct(C') in Q(fm)
}

const GI = 0, GO = 1, GF = 2, GC = 3;

function peephole(c: LstmCell, k: number, j: number, state: number): number {
  return c.peep.length ? rescale(c.peep[k * c.H + j] * state, c.peepMult[k], c.peepShift[k]) : 0;
}

export function lstmStep(c: LstmCell): void {
  const { I, H, h, v, acc, cState } = c;
  for (let j = 0; j < h.length; j++) v[I + j] = h[j];
  // With a projection, o ⊙ hAct(C') goes to m in Q(fm), then h' = proj·m.
  const [out, fOut] = c.P ? [c.m!, c.fm!] : [h, c.fh];
  matRows(acc, c.gates, v, 0, 0, 4 * H);
  for (let j = 0; j < H; j++) {
    const prev = cState[j];
    const i = activate(preActivation(satAdd32(acc[GI * H + j], peephole(c, 0, j, prev)), c.clipQ), c.f);
    const f = c.inputForget ? Math.min(32767, 32768 - i)
      : activate(preActivation(satAdd32(acc[GF * H + j], peephole(c, 2, j, prev)), c.clipQ), c.f);
    const g = activate(preActivation(acc[GC * H + j], c.clipCandQ), c.g);
    const next = sat16(satAdd32(mulQ15(f, prev), shiftRescale(mulQ15(i, g), c.g.outFrac - c.fc)));
    cState[j] = next;
    const o = activate(preActivation(satAdd32(acc[GO * H + j], peephole(c, 1, j, next)), c.clipQ), c.f);
    out[j] = satVec(out, shiftRescale(mulQ15(o, activate(next, c.hAct)), c.hAct.outFrac - fOut));
  }
  if (!c.P) return;
  matRows(acc, c.proj!, c.m!, 0, 0, c.P);
  for (let k = 0; k < c.P; k++) h[k] = satVec(h, acc[k]);
}
