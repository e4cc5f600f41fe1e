/**
 * @fileoverview The fixed-point SRU and QRNN cells (compiler/fixed/cells/{sru,qrnn}.ts) from
 * calibration. Both keep a cell state C in int16 Q(fc), like the LSTM, and publish h in the
 * scheme's vector format. Their input projection is one QMat whose rows are rescaled straight
 * into the format each use needs (gate inputs, the cell-state format, SRU's working format).
 *
 * Format choices (2× headroom over calibrated ranges, as for the LSTM cell state):
 *   SRU  fc from max(2·|C|, |x̃|, |C0|) (C is a running average of x̃); gates f, r share one input
 *        format; h = r·g + (1 − r)·x' lies between g and x', so the 16-bit working format fw comes
 *        from max(bound of g, 2·|x'|), and h's format fh from the smaller of that and 2·|h|.
 *   QRNN C and h lie within max(|z|, |C0|) ≤ max(1, |C0|) (tanh), a hard bound; z's table writes Q(fc).
 */
import { fail } from '../errors.ts';
import type { QrnnCell } from '../fixed/cells/qrnn.ts';
import type { SruCell } from '../fixed/cells/sru.ts';
import { quantizeMultiplier } from '../fixed/primitives.ts';
import { vecKey, type Layer } from '../lower/program.ts';
import { inputFracFor, makeAct, maxOutput, SIGMOID, TANH } from './activations.ts';
import type { Calibration } from './calibrate.ts';
import { fracFor, quantizeMatrix, quantizeVector } from './formats.ts';
import { emptyAct, maxAbsOf, newVec, quantizePeepholes, type QDirection, type QuantOptions, type VecFormat } from './quantize.ts';

const zeros = (n: number) => [new Float32Array(n)];

/**
 * Rescale (mult, shift) of an integer by the real factor `real` > 0: an exact shift when it is a
 * power of two (mult 0), else a TFLite multiplier.
 */
function factorRescale(real: number): [number, number] {
  const log = Math.log2(real);
  if (Number.isInteger(log)) return [0, Math.max(-31, Math.min(31, -log))];
  const m = quantizeMultiplier(real);
  return m.multiplier === 0 ? [0, 31] : [m.multiplier, m.shift];
}

export function quantizeSru(layer: Layer, l: number, d: number, cal: Calibration, o: QuantOptions, xFrac: number[],
  formats: Map<string, VecFormat>): QDirection {
  const dir = layer.dirs[d], p = dir.sru!;
  const { inputSize: I, hidden: H } = layer;
  const vb = o.scheme.vecBits as 8 | 16, wb = o.scheme.weightBits as 8 | 16;
  const tag = (g: string) => cal.range(`L${l}.d${d}.${g}`);
  const what = `layer '${layer.name}' direction ${d}`;
  if (p.highway && p.k === 3 && !(p.scaleX > 0)) fail(`${what}: scale_x ${p.scaleX} must be positive for the fixed-point highway term`);
  const fIn = inputFracFor(SIGMOID, Math.max(tag('f'), tag('r')));
  const cBound = Math.max(2 * tag('state_c'), tag('cand'), maxAbsOf(dir.initialC), 2 ** -8);
  const fc = fracFor(cBound, 16);
  const gBound = p.tanh ? maxOutput(TANH, fc) : cBound;
  const hBound = Math.max(gBound, p.highway ? 2 * tag('hw') : 0);
  // h is stored with 2× headroom over its calibrated range when that is tighter than the bound
  // (an int8 h gains a bit or two; the working format keeps the bound, so g and x' never clip).
  const fw = fracFor(hBound, 16), fh = fracFor(Math.min(hBound, Math.max(2 * tag('state_h'), 2 ** -8)), vb);
  formats.set(vecKey({ kind: 'h', layer: l, dir: d }), { frac: fh, bits: vb });
  formats.set(vecKey({ kind: 'c', layer: l, dir: d }), { frac: fc, bits: 16 });
  // U rows: x̃ into the cell-state format, f and r (their biases folded in) into the gate format.
  const rowFrac = [fc, fIn, fIn, fw].slice(0, p.k).flatMap((f) => new Array<number>(H).fill(f));
  const b = new Float64Array(p.k * H);
  b.set(p.bf, H);
  b.set(p.br, 2 * H);
  const U = quantizeMatrix({ W: p.W, b, rows: p.k * H, cols: I, colFrac: xFrac, rowFrac, weightBits: wb, vecBits: vb, mode: o.rescale, what });
  const peeps = new Float32Array(2 * H);
  peeps.set(p.vf);
  peeps.set(p.vr, H);
  // k = 3 highway: x' = scale_x · x[d·H + j], from that column's format into Q(fw).
  const hwOff = d * H, scaled = p.highway && p.k === 3;
  const hw = Array.from({ length: scaled ? H : 0 }, (_, j) => factorRescale(p.scaleX * 2 ** (fw - xFrac[hwOff + j])));
  const cell: SruCell = {
    I, H, k: p.k, tanh: p.tanh, highway: p.highway, hwOff, U,
    f: makeAct(SIGMOID, fIn, 15, o), g: p.tanh ? makeAct(TANH, fc, fw, o) : emptyAct,
    ...quantizePeepholes(peeps, 2, H, fc, fIn, o.rescale),
    hwMult: Int32Array.from(hw, (r) => r[0]), hwShift: Int32Array.from(hw, (r) => r[1]),
    fc, fw, fh, h: newVec(vb, H), cState: new Int16Array(H), v: newVec(vb, I), acc: new Int32Array(p.k * H),
  };
  const c0 = (dir.initialC ?? zeros(H)).map((s) => quantizeVector(s, fc, 16) as Int16Array);
  // h is an output only (the recurrence reads C): it starts at zero, as in the reference.
  return { q: { kind: 'SRU', cell }, reverse: dir.reverse, h0: [newVec(vb, H)], c0 };
}

export function quantizeQrnn(layer: Layer, l: number, cal: Calibration, o: QuantOptions, xFrac: number[],
  formats: Map<string, VecFormat>): QDirection {
  const dir = layer.dirs[0], p = dir.qrnn!;
  const { inputSize: I, hidden: H } = layer;
  const { gates: G, window } = p;
  const vb = o.scheme.vecBits as 8 | 16, wb = o.scheme.weightBits as 8 | 16;
  const tag = (g: string) => cal.range(`L${l}.d0.${g}`);
  const zIn = inputFracFor(TANH, tag('z'));
  const fIn = inputFracFor(SIGMOID, Math.max(tag('f'), G === 3 ? tag('o') : 0));
  const cBound = Math.max(maxOutput(TANH, zIn), maxAbsOf(dir.initialC));
  const fc = fracFor(cBound, 16), fh = fracFor(cBound, vb);
  formats.set(vecKey({ kind: 'h', layer: l, dir: 0 }), { frac: fh, bits: vb });
  formats.set(vecKey({ kind: 'c', layer: l, dir: 0 }), { frac: fc, bits: 16 });
  // The IR's column blocks are [x_{t−1} | x_t]; the cell's vector is [x_t; x_{t−1}].
  const cols = window * I;
  const W = new Float32Array(G * H * cols);
  for (let r = 0; r < G * H; r++) {
    W.set(p.W.subarray(r * cols + (window - 1) * I, (r + 1) * cols), r * cols);
    if (window === 2) W.set(p.W.subarray(r * cols, r * cols + I), r * cols + I);
  }
  const rowFrac = Array.from({ length: G * H }, (_, r) => (r < H ? zIn : fIn));
  const gates = quantizeMatrix({ W, b: p.B, rows: G * H, cols, colFrac: window === 2 ? [...xFrac, ...xFrac] : xFrac, rowFrac,
    weightBits: wb, vecBits: vb, mode: o.rescale, what: `layer '${layer.name}'` });
  const cell: QrnnCell = {
    I, H, window, fo: G === 3, gates, z: makeAct(TANH, zIn, fc, o), f: makeAct(SIGMOID, fIn, 15, o), fc, fh,
    h: newVec(vb, H), cState: new Int16Array(H), xPrev: newVec(vb, window === 2 ? I : 0), v: newVec(vb, cols), acc: new Int32Array(G * H),
  };
  const c0 = (dir.initialC ?? zeros(H)).map((s) => quantizeVector(s, fc, 16) as Int16Array);
  // f-pooling's h is C (an empty sequence returns the initial state); fo-pooling's starts at zero.
  const h0 = (dir.initialH ?? zeros(H)).map((s) => quantizeVector(s, fh, vb));
  return { q: { kind: 'QRNN', cell }, reverse: false, h0, c0 };
}
