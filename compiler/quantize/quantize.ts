/**
 * @fileoverview Program + calibration → quantized program: the fixed-point cells and heads with
 * their integer weights, rescales, tables, formats, buffers and initial states. The simulator
 * runs it; the code generator serializes it into the module. The f32 scheme's program (float
 * cells, kinds *_F32) is built by ./quantize-f32.ts.
 */
import { fail } from '../errors.ts';
import type { GruCell } from '../fixed/cells/gru.ts';
import type { LstmCell } from '../fixed/cells/lstm.ts';
import type { QrnnCell } from '../fixed/cells/qrnn.ts';
import type { RnnCell } from '../fixed/cells/rnn.ts';
import type { SruCell } from '../fixed/cells/sru.ts';
import { ACT_LUT, type QAct, type QMat, type Vec } from '../fixed/cells/common.ts';
import type { DenseF32Cell, GruF32Cell, LstmF32Cell, RnnF32Cell } from '../fixed/f32/cells.ts';
import type { QrnnF32Cell, SruF32Cell } from '../fixed/f32/sru-qrnn.ts';
import { quantizeMultiplier } from '../fixed/primitives.ts';
import { vecKey, vecSize, type Head, type Layer, type Program, type VecRef } from '../lower/program.ts';
import { inputFracFor, lnMantissaTable, makeAct, maxOutput, SIGMOID, softmaxExp, TANH, type ActOptions } from './activations.ts';
import type { Calibration } from './calibrate.ts';
import { fracFor, quantizeMatrix, quantizeVector, type RescaleMode } from './formats.ts';
import { quantizeProgramF32 } from './quantize-f32.ts';
import { quantizeQrnn, quantizeSru } from './quantize-sru-qrnn.ts';
import { quantizePool } from './quantize-attention.ts';
import type { AttentionCell } from '../fixed/cells/attention.ts';
import type { MergeCell } from '../fixed/cells/merge.ts';
import { quantizeMerges } from './quantize-merge.ts';
import { projectionFormats, quantizeProjection } from './quantize-proj.ts';
import type { AttentionF32Cell } from '../fixed/f32/attention.ts';
import { isF32, type Scheme } from './schemes.ts';

export interface QuantOptions extends ActOptions {
  scheme: Scheme;
  rescale: RescaleMode;
}

/** bits 32: float32 (the f32 scheme, frac 0). */
export interface VecFormat {
  frac: number;
  bits: 8 | 16 | 32;
}

export type QCell = { kind: 'RNN'; cell: RnnCell } | { kind: 'GRU'; cell: GruCell } | { kind: 'LSTM'; cell: LstmCell }
  | { kind: 'SRU'; cell: SruCell } | { kind: 'QRNN'; cell: QrnnCell }
  | { kind: 'RNN_F32'; cell: RnnF32Cell } | { kind: 'GRU_F32'; cell: GruF32Cell } | { kind: 'LSTM_F32'; cell: LstmF32Cell }
  | { kind: 'SRU_F32'; cell: SruF32Cell } | { kind: 'QRNN_F32'; cell: QrnnF32Cell };

/** The cell type without the f32 suffix. */
export function baseKind(kind: QCell['kind']): 'RNN' | 'GRU' | 'LSTM' | 'SRU' | 'QRNN' {
  return kind.replace(/_F32$/, '') as ReturnType<typeof baseKind>;
}

/** The cell state of a direction (LSTM, SRU, QRNN: int16, or f32), or undefined for RNN and GRU. */
export function cellState(q: QCell): Int16Array | Float32Array | undefined {
  return 'cState' in q.cell ? q.cell.cState : undefined;
}

/** QRNN window 2's previous input step (state), or undefined. */
export function previousInput(q: QCell): Int8Array | Int16Array | Float32Array | undefined {
  return (q.kind === 'QRNN' || q.kind === 'QRNN_F32') && q.cell.xPrev.length ? q.cell.xPrev : undefined;
}

export interface QDirection {
  q: QCell;
  reverse: boolean;
  /** Initial states per batch entry (zeros when the model has none). */
  h0: (Vec | Float32Array)[];
  c0: (Int16Array | Float32Array)[];
}

export interface QHead {
  I: number;
  N: number;
  mat: QMat;
  /** 0: none, 1: relu, 2: table/PWL activation `act`, 3: softmax, 4: log-softmax (`act` the exp table; compiler/fixed/cells/dense.ts). */
  actKind: number;
  act: QAct;
  /** Softmax: right shift from the logits' format to the exp table's input format; else 0. */
  expShift: number;
  /** 1: the head outputs the index of its largest output (y[0], format Q0). */
  argmax: number;
  /** Log-softmax: the table of ln over the sum's mantissa; else empty. */
  log: QAct;
  y: Vec;
  v: Vec;
  acc: Int32Array;
}

export interface QProgram {
  program: Program;
  options: QuantOptions;
  /** Format of every vector stream, by vecKey ('x', 'h0.1', 'c0.0', 'head2'). */
  formats: Map<string, VecFormat>;
  layers: QDirection[][];
  /** QHead, or DenseF32Cell in the f32 scheme. */
  heads: (QHead | DenseF32Cell)[];
  /** Attention pooling (AttentionF32Cell in the f32 scheme; absent means none). */
  pools?: (AttentionCell | AttentionF32Cell)[];
  /** Direction merges, by program merge index (absent means none). */
  merges?: MergeCell[];
}

export function isF32Head(h: QHead | DenseF32Cell): h is DenseF32Cell {
  return !('acc' in h);
}

export const newVec = (bits: number, n: number): Vec => (bits === 8 ? new Int8Array(n) : new Int16Array(n));
export const emptyAct: QAct = { kind: 0, table: new Int16Array(0), log2N: 0, inFrac: 0, outFrac: 0 };

export function quantizeProgram(p: Program, cal: Calibration, o: QuantOptions): QProgram {
  if (isF32(o.scheme)) return quantizeProgramF32(p, o, cal);
  const vb = o.scheme.vecBits as 8 | 16;
  const formats = new Map<string, VecFormat>([['x', { frac: fracFor(cal.range('x'), vb), bits: vb }]]);
  const colFracs = (refs: VecRef[]) => refs.flatMap((r) => {
    const f = formats.get(vecKey(r))!;
    return new Array<number>(vecSize(p, r)).fill(f.frac);
  });
  const qp: QProgram = { program: p, options: o, formats, layers: [], heads: [] };
  p.layers.forEach((layer, l) => {
    qp.layers.push(layer.dirs.map((_, d) => quantizeDirection(p, layer, l, d, cal, o, colFracs(layer.input), formats)));
    quantizeMerges(qp, l, cal); // a later layer or head may read them
  });
  // Per-step heads, then attention pools (they may read them), then final heads (they may read pools).
  const head = (i: number) => (qp.heads[i] = quantizeHead(p.heads[i], i, cal, o, colFracs(p.heads[i].input), formats));
  p.heads.forEach((h, i) => h.timing === 'seq' && head(i));
  qp.pools = p.pools.map((pool, i) => quantizePool(pool, i, cal, o, colFracs(pool.input), formats));
  p.heads.forEach((h, i) => h.timing === 'final' && head(i));
  return qp;
}

export function maxAbsOf(arrays: Float32Array[] | undefined): number {
  return (arrays ?? []).reduce((m, a) => a.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
}

function quantizeDirection(p: Program, layer: Layer, l: number, d: number, cal: Calibration, o: QuantOptions,
  xFrac: number[], formats: Map<string, VecFormat>): QDirection {
  const dir = layer.dirs[d];
  const { inputSize: I, hidden: H, kind } = layer;
  const K = layer.proj ?? H; // elements of h: the LSTM output projection's P, else H
  if (kind === 'SRU') return quantizeSru(layer, l, d, cal, o, xFrac, formats);
  if (kind === 'QRNN') return quantizeQrnn(layer, l, cal, o, xFrac, formats);
  const vb = o.scheme.vecBits as 8 | 16, wb = o.scheme.weightBits as 8 | 16;
  const tag = (g: string) => cal.range(`L${l}.d${d}.${g}`);
  const what = `layer '${layer.name}' direction ${d}`;
  const [fAct, gAct, hAct] = kind === 'RNN' ? [dir.acts[0], dir.acts[0], undefined] : [dir.acts[0], dir.acts[1], dir.acts[2]];
  const gateTags = kind === 'GRU' ? ['z', 'r'] : kind === 'LSTM' ? ['i', 'f', 'o'] : [];
  const fIn = inputFracFor(fAct, Math.max(0, ...gateTags.map(tag)));
  if (kind !== 'RNN' && maxOutput(fAct, fIn) > 1 + 1e-9) {
    fail(`${what}: gate activation ${fAct.name} exceeds [-1, 1], which the fixed-point gates (Q15) cannot hold`);
  }
  const gIn = inputFracFor(gAct, tag(kind === 'RNN' ? 'pre' : kind === 'GRU' ? 'h' : 'c'));
  const h0max = maxAbsOf(dir.initialH);
  // State format: the state-producing function's bound on its domain (with the initial states).
  let fc = 0;
  let hBound: number;
  if (kind === 'LSTM') {
    fc = fracFor(Math.max(2 * cal.range(`L${l}.d${d}.state_c`), maxAbsOf(dir.initialC), 2 ** -8), 16);
    hBound = maxOutput(hAct!, fc);
  } else {
    hBound = maxOutput(gAct, gIn);
  }
  const pf = layer.proj ? projectionFormats(layer, l, d, cal, hBound, h0max, vb) : undefined;
  const fh = pf ? pf.fh : fracFor(Math.max(hBound, h0max), vb);
  formats.set(vecKey({ kind: 'h', layer: l, dir: d }), { frac: fh, bits: vb });
  if (kind === 'LSTM') formats.set(vecKey({ kind: 'c', layer: l, dir: d }), { frac: fc, bits: 16 });
  const clip = (inFrac: number) => (layer.clip === undefined ? 0 : Math.max(1, Math.min(32767, Math.round(layer.clip * 2 ** inFrac))));
  const G = kind === 'RNN' ? 1 : kind === 'GRU' ? 3 : 4;
  // [W | R] per row over [x; h], rows in ONNX gate order.
  const rowsWR = (gates: number[], withR = true) => {
    const cols = withR ? I + K : I;
    const W = new Float32Array(gates.length * H * cols);
    const b = new Float64Array(gates.length * H);
    gates.forEach((g, gi) => {
      for (let j = 0; j < H; j++) {
        const r = g * H + j, out = gi * H + j;
        W.set(dir.W.subarray(r * I, (r + 1) * I), out * cols);
        if (withR) W.set(dir.R.subarray(r * K, (r + 1) * K), out * cols + I);
        b[out] = dir.Wb[r] + (withR ? dir.Rb[r] : 0);
      }
    });
    return { W, b, cols };
  };
  const mat = (gates: number[], rowFrac: (g: number) => number, withR = true) => {
    const { W, b, cols } = rowsWR(gates, withR);
    const colFrac = withR ? [...xFrac, ...new Array<number>(K).fill(fh)] : xFrac;
    const rf = gates.flatMap((g) => new Array<number>(H).fill(rowFrac(g)));
    return quantizeMatrix({ W, b, rows: gates.length * H, cols, colFrac, rowFrac: rf, weightBits: wb, vecBits: vb, mode: o.rescale, what });
  };
  const h = newVec(vb, K), v = newVec(vb, I + K), acc = new Int32Array(Math.max(G * H, K)); // K > 4H: a projection's rows
  const common = { I, H, h, v, acc };
  const h0 = (dir.initialH ?? [new Float32Array(K)]).map((s) => quantizeVector(s, fh, vb));
  let q: QCell;
  if (kind === 'RNN') {
    q = { kind, cell: { ...common, gates: mat([0], () => gIn), act: makeAct(gAct, gIn, fh, o), clipQ: clip(gIn) } };
  } else if (kind === 'GRU') {
    const f = makeAct(fAct, fIn, 15, o), g = makeAct(gAct, gIn, fh, o);
    const lbr = layer.linearBeforeReset;
    let cand: QMat, candH: QMat;
    if (!lbr) {
      cand = mat([2], () => gIn);
      candH = { rows: 0, cols: 0, w: new Int8Array(0), bias: new Int32Array(0), mult: new Int32Array(0), shift: new Int8Array(0), accShift: 0 };
    } else {
      cand = mat([2], () => gIn, false);
      const Wh = new Float32Array(dir.R.subarray(2 * H * H, 3 * H * H));
      candH = quantizeMatrix({ W: Wh, b: dir.Rb.subarray(2 * H, 3 * H), rows: H, cols: H, colFrac: new Array<number>(H).fill(fh),
        rowFrac: new Array<number>(H).fill(gIn), weightBits: wb, vecBits: vb, mode: o.rescale, what });
    }
    q = { kind, cell: { ...common, linearBeforeReset: lbr, gatesZR: mat([0, 1], () => fIn), cand, candH, f, g,
      clipGateQ: clip(fIn), clipCandQ: clip(gIn), zr: new Int16Array(2 * H) } };
  } else {
    const gOut = fracFor(maxOutput(gAct, gIn), 16);
    const ft = fracFor(maxOutput(hAct!, fc), 16);
    const peep = quantizePeepholes(dir.P, 3, H, fc, fIn, o.rescale);
    q = { kind, cell: { ...common, inputForget: layer.inputForget, gates: mat([0, 1, 2, 3], (g) => (g === 3 ? gIn : fIn)),
      f: makeAct(fAct, fIn, 15, o), g: makeAct(gAct, gIn, gOut, o), hAct: makeAct(hAct!, fc, ft, o), ...peep,
      fc, fh, clipQ: clip(fIn), clipCandQ: clip(gIn), cState: new Int16Array(H),
      ...(pf ? quantizeProjection(layer, d, pf, wb, vb, o.rescale, what) : {}) } };
  }
  const c0 = (dir.initialC ?? [new Float32Array(H)]).map((s) => quantizeVector(s, fc, 16) as Int16Array);
  return { q, reverse: dir.reverse, h0, c0 };
}

/**
 * Peephole vectors [blocks·H] (LSTM: i, o, f; SRU: v_f, v_r) as int16 with one scale per block,
 * and per block the rescale of P_j·C_j (C in Q(fc)) into the gate input format Q(fIn).
 */
export function quantizePeepholes(P: Float32Array | undefined, blocks: number, H: number, fc: number, fIn: number, mode: RescaleMode) {
  const peep = new Int16Array(P ? blocks * H : 0), peepMult = new Int32Array(blocks), peepShift = new Int32Array(blocks);
  if (!P) return { peep, peepMult, peepShift };
  for (let k = 0; k < blocks; k++) {
    let maxAbs = 0;
    for (let j = 0; j < H; j++) maxAbs = Math.max(maxAbs, Math.abs(P[k * H + j]));
    let scale = Math.max(maxAbs, 2 ** -30) / 32767;
    if (mode === 'shift') scale = 2 ** Math.ceil(Math.log2(scale));
    for (let j = 0; j < H; j++) peep[k * H + j] = Math.round(P[k * H + j] / scale);
    const real = scale * 2 ** (fIn - fc);
    if (mode === 'shift') [peepMult[k], peepShift[k]] = [0, Math.max(-31, Math.min(31, -Math.round(Math.log2(real))))];
    else {
      const m = quantizeMultiplier(real);
      [peepMult[k], peepShift[k]] = m.multiplier === 0 ? [0, 31] : [m.multiplier, m.shift];
    }
  }
  return { peep, peepMult, peepShift };
}

function quantizeHead(head: Head, i: number, cal: Calibration, o: QuantOptions, colFrac: number[], formats: Map<string, VecFormat>): QHead {
  const vb = o.scheme.vecBits as 8 | 16;
  const key = vecKey({ kind: 'head', head: i });
  const logSoftmax = head.activation === 'LogSoftmax';
  const softmax = head.activation === 'Softmax' || logSoftmax;
  const bounded = head.activation === 'Sigmoid' || head.activation === 'Tanh';
  // Log-probabilities (<= 0) get twice their calibrated range: the smallest grows with the logits' spread.
  const outFrac = logSoftmax ? fracFor(Math.max(2 * cal.range(key), 2 ** -8), vb) : bounded || softmax ? vb - 1 : fracFor(1.25 * cal.range(key), vb);
  formats.set(key, { frac: head.argmax ? 0 : outFrac, bits: vb });
  if (head.argmax && head.outputSize - 1 > 2 ** (vb - 1) - 1) fail(`dense '${head.name}': ArgMax over ${head.outputSize} outputs does not fit int${vb} indices`);
  // Softmax logits: int16 with twice the calibrated range (the largest logit matters most).
  const logitFrac = softmax ? fracFor(Math.max(2 * cal.range(`${key}.logits`), 2 ** -8), 16) : 0;
  const rowFrac = bounded ? 12 : softmax ? logitFrac : outFrac;
  const mat = quantizeMatrix({ W: head.W, b: head.b, rows: head.outputSize, cols: head.inputSize, colFrac,
    rowFrac: new Array<number>(head.outputSize).fill(rowFrac), weightBits: o.scheme.weightBits as 8 | 16, vecBits: vb, mode: o.rescale, what: `dense '${head.name}'` });
  let act = bounded ? makeAct(head.activation === 'Sigmoid' ? SIGMOID : TANH, 12, outFrac, o) : emptyAct;
  let expShift = 0;
  if (softmax) {
    if (head.outputSize > 32768) fail(`dense '${head.name}': ${logSoftmax ? 'log-softmax' : 'softmax'} over ${head.outputSize} outputs (at most 32768 in fixed point)`);
    ({ act, expShift } = softmaxExp(logitFrac, outFrac, o)); // exp over z − max z (activations.ts)
  }
  return {
    I: head.inputSize, N: head.outputSize, mat, actKind: logSoftmax ? 4 : softmax ? 3 : bounded ? 2 : head.activation === 'Relu' ? 1 : 0, act,
    y: newVec(vb, head.outputSize), v: newVec(vb, head.inputSize), acc: new Int32Array(head.outputSize), expShift, argmax: head.argmax ? 1 : 0,
    log: logSoftmax ? { kind: ACT_LUT, table: lnMantissaTable(o.lutLog2N), log2N: o.lutLog2N, inFrac: 0, outFrac: 15 } : emptyAct,
  };
}
