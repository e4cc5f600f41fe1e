/**
 * @fileoverview Program → the f32 scheme's program: float32 cells and heads (compiler/fixed/f32)
 * with the model's weights as they are. Nothing is calibrated (the calibration is still made,
 * for the report); every vector stream has the format { bits: 32, frac: 0 } (float32, scale 1).
 * Biases are folded as f32(Wb + Rb), except the GRU linear_before_reset candidate's, which the
 * cell keeps apart as ONNX does. SRU and QRNN are arranged as the integer quantizer arranges them
 * (./quantize-sru-qrnn.ts): SRU's projection rows x̃, f, r, (highway) with b_f and b_r as the f
 * and r rows' biases; QRNN's column blocks reordered to [x_t; x_{t−1}]. Attention pools keep
 * W, b, V and the dot scale as given (the scale is applied after the dot product, as the reference does).
 */
import { fail } from '../errors.ts';
import { F32_ACT, type F32Act } from '../fixed/f32/math.ts';
import { F32_NORM, type DenseF32Cell, type F32Mat } from '../fixed/f32/cells.ts';
import type { QrnnF32Cell, SruF32Cell } from '../fixed/f32/sru-qrnn.ts';
import type { AttentionF32Cell } from '../fixed/f32/attention.ts';
import { poolKeys } from '../lower/lower-attention.ts';
import type { ResolvedActivation } from '../ir/activations.ts';
import { hasCellState, vecKey, type AttentionPool, type Head, type Layer, type Program } from '../lower/program.ts';
import type { QCell, QDirection, QProgram, QuantOptions, VecFormat } from './quantize.ts';
import type { Calibration } from './calibrate.ts';
import { quantizeMerges } from './quantize-merge.ts';

const F32_FORMAT: VecFormat = { frac: 0, bits: 32 };

export function quantizeProgramF32(p: Program, o: QuantOptions, cal?: Calibration): QProgram {
  const formats = new Map<string, VecFormat>([['x', F32_FORMAT]]);
  const qp: QProgram = { program: p, options: o, formats, layers: [], heads: [] };
  p.layers.forEach((layer, l) => {
    qp.layers.push(layer.dirs.map((_, d) => {
      formats.set(vecKey({ kind: 'h', layer: l, dir: d }), F32_FORMAT);
      if (hasCellState(layer.kind)) formats.set(vecKey({ kind: 'c', layer: l, dir: d }), F32_FORMAT);
      return layer.kind === 'SRU' ? f32Sru(layer, d) : layer.kind === 'QRNN' ? f32Qrnn(layer) : f32Direction(layer, d);
    }));
    quantizeMerges(qp, l, cal); // direction merges (f32: nothing calibrated)
  });
  p.heads.forEach((head, i) => {
    formats.set(vecKey({ kind: 'head', head: i }), F32_FORMAT);
    qp.heads.push(f32Head(head));
  });
  qp.pools = p.pools.map((pool, i) => {
    for (const key of poolKeys(i)) formats.set(key, F32_FORMAT);
    return f32Pool(pool);
  });
  return qp;
}

/** The f32 cells' activation descriptor; Softplus would need a log, which the module does not have. */
export function f32Act(a: ResolvedActivation, what: string): F32Act {
  if (a.name === 'Softplus') fail(`${what}: Softplus is not supported by --quant f32 (use an integer scheme, which tabulates it)`);
  const kind = (F32_ACT as Record<string, number>)[a.name];
  if (kind === undefined) fail(`${what}: activation ${a.name} is not supported by --quant f32`);
  return { kind, alpha: Math.fround(a.alpha), beta: Math.fround(a.beta) };
}

const EMPTY_MAT: F32Mat = { rows: 0, cols: 0, w: new Float32Array(0), bias: new Float32Array(0) };

function f32Direction(layer: Layer, d: number): QDirection {
  const dir = layer.dirs[d];
  const { inputSize: I, hidden: H, kind } = layer;
  const K = layer.proj ?? H; // elements of h: the LSTM output projection's P, else H
  const what = `layer '${layer.name}' direction ${d}`;
  const acts = dir.acts.map((a) => f32Act(a, what));
  const clip = layer.clip === undefined ? Infinity : Math.fround(layer.clip);
  // Rows of [W | R] over [x; h] (or W alone), in the given ONNX gate blocks; bias Wb (+ Rb).
  const mat = (gates: number[], withR = true): F32Mat => {
    const cols = withR ? I + K : I;
    const w = new Float32Array(gates.length * H * cols), bias = new Float32Array(gates.length * H);
    gates.forEach((g, gi) => {
      for (let j = 0; j < H; j++) {
        const r = g * H + j, out = gi * H + j;
        w.set(dir.W.subarray(r * I, (r + 1) * I), out * cols);
        if (withR) w.set(dir.R.subarray(r * K, (r + 1) * K), out * cols + I);
        bias[out] = dir.Wb[r] + (withR ? dir.Rb[r] : 0);
      }
    });
    return { rows: gates.length * H, cols, w, bias };
  };
  const h = new Float32Array(K), v = new Float32Array(I + K);
  let q: QCell;
  if (kind === 'RNN') {
    q = { kind: 'RNN_F32', cell: { I, H, gates: mat([0]), act: acts[0], clip, h, v } };
  } else if (kind === 'GRU') {
    const lbr = layer.linearBeforeReset;
    const candH = lbr ? { rows: H, cols: H, w: dir.R.slice(2 * H * H, 3 * H * H), bias: dir.Rb.slice(2 * H, 3 * H) } : EMPTY_MAT;
    q = { kind: 'GRU_F32', cell: { I, H, linearBeforeReset: lbr, gatesZR: mat([0, 1]), cand: mat([2], !lbr), candH,
      f: acts[0], g: acts[1], clip, h, v, acc: new Float32Array((lbr ? 4 : 3) * H) } };
  } else {
    q = { kind: 'LSTM_F32', cell: { I, H, inputForget: layer.inputForget, gates: mat([0, 1, 2, 3]), f: acts[0], g: acts[1], hAct: acts[2],
      peep: dir.P ? Float32Array.from(dir.P) : new Float32Array(0), clip, h, cState: new Float32Array(H), v, acc: new Float32Array(4 * H),
      ...(layer.proj ? { P: layer.proj, proj: { rows: layer.proj, cols: H, w: dir.Wproj!, bias: new Float32Array(layer.proj) }, m: new Float32Array(H) } : {}) } };
  }
  const h0 = (dir.initialH ?? [new Float32Array(K)]).map((s) => Float32Array.from(s));
  const c0 = (dir.initialC ?? [new Float32Array(H)]).map((s) => Float32Array.from(s));
  return { q, reverse: dir.reverse, h0, c0 };
}

const HEAD_ACT: Record<Head['activation'], number> = {
  none: F32_ACT.Identity, Relu: F32_ACT.Relu, Sigmoid: F32_ACT.Sigmoid, Tanh: F32_ACT.Tanh, Softmax: F32_ACT.Identity, LogSoftmax: F32_ACT.Identity,
};

function f32Head(head: Head): DenseF32Cell {
  const norm = head.activation === 'Softmax' ? F32_NORM.softmax : head.activation === 'LogSoftmax' ? F32_NORM.logSoftmax : F32_NORM.none;
  // The index is stored as a float32: exact up to 2^24 outputs.
  if (head.argmax && head.outputSize > 2 ** 24) fail(`dense '${head.name}': ArgMax over ${head.outputSize} outputs does not fit float32 indices`);
  return {
    I: head.inputSize, N: head.outputSize, mat: { rows: head.outputSize, cols: head.inputSize, w: head.W, bias: head.b },
    act: { kind: HEAD_ACT[head.activation], alpha: 0, beta: 0 }, y: new Float32Array(head.outputSize), v: new Float32Array(head.inputSize),
    norm, argmax: head.argmax ? 1 : 0,
  };
}

const states = (given: Float32Array[] | undefined, H: number) => (given ?? [new Float32Array(H)]).map((s) => Float32Array.from(s));

function f32Sru(layer: Layer, d: number): QDirection {
  const dir = layer.dirs[d], p = dir.sru!;
  const { inputSize: I, hidden: H } = layer;
  const bias = new Float32Array(p.k * H);
  bias.set(p.bf, H);
  bias.set(p.br, 2 * H);
  const peep = new Float32Array(2 * H);
  peep.set(p.vf);
  peep.set(p.vr, H);
  const cell: SruF32Cell = {
    I, H, k: p.k, tanh: p.tanh, highway: p.highway, hwOff: d * H, U: { rows: p.k * H, cols: I, w: Float32Array.from(p.W), bias },
    peep, scaleX: Math.fround(p.scaleX), h: new Float32Array(H), cState: new Float32Array(H), v: new Float32Array(I), acc: new Float32Array(p.k * H),
  };
  // h is an output only (the recurrence reads C): it starts at zero, as in the reference.
  return { q: { kind: 'SRU_F32', cell }, reverse: dir.reverse, h0: [new Float32Array(H)], c0: states(dir.initialC, H) };
}

function f32Qrnn(layer: Layer): QDirection {
  const dir = layer.dirs[0], p = dir.qrnn!;
  const { inputSize: I, hidden: H } = layer;
  const { gates: G, window } = p;
  const cols = window * I;
  const w = new Float32Array(G * H * cols);
  for (let r = 0; r < G * H; r++) {
    w.set(p.W.subarray(r * cols + (window - 1) * I, (r + 1) * cols), r * cols);
    if (window === 2) w.set(p.W.subarray(r * cols, r * cols + I), r * cols + I);
  }
  const cell: QrnnF32Cell = {
    I, H, window, fo: G === 3, gates: { rows: G * H, cols, w, bias: Float32Array.from(p.B) }, h: new Float32Array(H), cState: new Float32Array(H),
    xPrev: new Float32Array(window === 2 ? I : 0), v: new Float32Array(cols), acc: new Float32Array(G * H),
  };
  return { q: { kind: 'QRNN_F32', cell }, reverse: false, h0: states(dir.initialH, H), c0: states(dir.initialC, H) };
}

function f32Pool(pool: AttentionPool): AttentionF32Cell {
  const { hidden: H, attention: A } = pool;
  const additive = pool.mode === 'additive';
  const W: F32Mat = additive ? { rows: A, cols: H, w: pool.W, bias: pool.b } : { rows: 1, cols: H, w: pool.W, bias: new Float32Array(1) };
  const V: F32Mat = additive ? { rows: 1, cols: A, w: pool.V, bias: new Float32Array(1) } : EMPTY_MAT;
  return { H, A, additive: additive ? 1 : 0, W, V, scale: additive ? 1 : Math.fround(pool.scale), y: new Float32Array(H), u: new Float32Array(Math.max(A, 1)) };
}
