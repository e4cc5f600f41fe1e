/**
 * @fileoverview Runs a lowered Program in float, with the reference cells. Two uses: tests check
 * it against the graph interpreter (so lowering is proven to preserve meaning), and
 * calibration observes every gate pre-activation and state through it.
 */
import type { Tensor } from '../ir/types.ts';
import type { DirectionWeights, GateObserver } from '../reference/cells/common.ts';
import { gruStep } from '../reference/cells/gru.ts';
import { lstmStep } from '../reference/cells/lstm.ts';
import { qrnnGates, qrnnPool } from '../reference/cells/qrnn.ts';
import { rnnStep } from '../reference/cells/rnn.ts';
import { sruProject, sruStep } from '../reference/cells/sru.ts';
import { attentionFloat, poolKeys } from './lower-attention.ts';
import { runMergesFloat } from './lower-merge.ts';
import { assembleOutputs, batchSize, inputSteps, type EntryValues } from './assemble.ts';
import { hasCellState, vecKey, type Head, type Layer, type LayerDirection, type Program, type VecRef } from './program.ts';

/** Called with a tag ('L0.d1.z', 'L0.d1.h', 'head2', 'x') and values, for range calibration. */
export type ProgramObserver = (tag: string, values: ArrayLike<number>) => void;

export function cellWeights(layer: Layer, d: number): DirectionWeights {
  const dir = layer.dirs[d];
  return {
    W: dir.W, R: dir.R, Wb: dir.Wb, Rb: dir.Rb, P: dir.P, inputSize: layer.inputSize, hidden: layer.hidden,
    acts: dir.acts, clip: layer.clip, ...(dir.Wproj ? { Wproj: dir.Wproj, proj: layer.proj } : {}),
  };
}

export function concatVectors(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, v) => s + v.length, 0));
  let o = 0;
  for (const v of parts) {
    out.set(v, o);
    o += v.length;
  }
  return out;
}

/** The head's output; `logits` (if given) sees the pre-activation values (W·x + b), for calibration. */
export function denseFloat(head: Head, x: ArrayLike<number>, logits?: (values: Float64Array) => void): Float64Array {
  const y = new Float64Array(head.outputSize);
  for (let n = 0; n < head.outputSize; n++) {
    let acc = head.b[n];
    for (let k = 0; k < head.inputSize; k++) acc += head.W[n * head.inputSize + k] * x[k];
    y[n] = acc;
  }
  logits?.(y.slice());
  if (head.activation === 'Softmax' || head.activation === 'LogSoftmax') {
    // Max-subtracted, as the reference kernel (compiler/reference/kernels/elementwise.ts) does.
    const m = y.reduce((a, v) => Math.max(a, v), -Infinity);
    let sum = 0;
    for (let n = 0; n < y.length; n++) sum += Math.exp(y[n] - m);
    for (let n = 0; n < y.length; n++) y[n] = head.activation === 'Softmax' ? Math.exp(y[n] - m) / sum : y[n] - m - Math.log(sum);
    return y;
  }
  for (let n = 0; n < y.length; n++) {
    const acc = y[n];
    y[n] = head.activation === 'Relu' ? Math.max(0, acc) : head.activation === 'Sigmoid' ? 1 / (1 + Math.exp(-acc))
      : head.activation === 'Tanh' ? Math.tanh(acc) : acc;
  }
  return y;
}

/** [index of the first largest value] (ONNX ArgMax, select_last_index 0). */
export function argMaxOf(y: ArrayLike<number>): Float64Array {
  let best = 0;
  for (let n = 1; n < y.length; n++) if (y[n] > y[best]) best = n;
  return Float64Array.of(best);
}

/**
 * One SRU or QRNN step. Their input-side work (SRU's projection U, QRNN's convolution) reads
 * only the input, so computing it step by step equals the reference's all-steps-first order.
 */
function sruQrnnStep(dir: LayerDirection, d: number, h: Float64Array, c: Float64Array, x: Float64Array, previous: Float64Array | undefined,
  gate: GateObserver | undefined): void {
  if (dir.sru) {
    const p = dir.sru;
    const u = new Float64Array(p.k * p.hidden);
    sruProject(u, x, p);
    // The k = 3 highway adds this direction's H-slice of the input.
    sruStep(h, c, u, p.k === 3 && p.highway ? x.subarray(d * p.hidden, (d + 1) * p.hidden) : x, p, gate);
  } else {
    const p = dir.qrnn!;
    const g = new Float64Array(p.gates * p.hidden);
    qrnnGates(g, previous, x, p, gate);
    qrnnPool(h, c, g, p);
  }
}

function runEntry(p: Program, xs: Float32Array[], b: number, observe?: ProgramObserver): EntryValues {
  const T = xs.length;
  const seq = new Map<string, ArrayLike<number>[]>([['x', xs]]);
  const final = new Map<string, ArrayLike<number>>();
  xs.forEach((x) => observe?.('x', x));
  const seqOf = (refs: VecRef[], t: number) => concatVectors(refs.map((r) => seq.get(vecKey(r))![t]));
  p.layers.forEach((layer, l) => {
    layer.dirs.forEach((dir, d) => {
      const w = cellWeights(layer, d);
      const H = layer.hidden;
      const h = new Float64Array(layer.proj ?? H), c = new Float64Array(H); // h: P elements with a projection
      const pick = (states: Float32Array[] | undefined) => states?.[Math.min(b, states.length - 1)];
      if (dir.initialH) h.set(pick(dir.initialH)!);
      if (dir.initialC) c.set(pick(dir.initialC)!);
      const hs: Float64Array[] = new Array(T), cs: Float64Array[] = new Array(T);
      const gate: GateObserver | undefined = observe && ((g, v) => observe(`L${l}.d${d}.${g}`, v));
      for (let s = 0; s < T; s++) {
        const t = dir.reverse ? T - 1 - s : s;
        const x = seqOf(layer.input, t);
        if (layer.kind === 'RNN') rnnStep(h, x, w, gate);
        else if (layer.kind === 'GRU') gruStep(h, x, w, layer.linearBeforeReset, gate);
        else if (layer.kind === 'LSTM') lstmStep(h, c, x, w, layer.inputForget, gate);
        else sruQrnnStep(dir, d, h, c, x, t > 0 ? seqOf(layer.input, t - 1) : undefined, gate);
        hs[t] = h.slice();
        cs[t] = c.slice();
        observe?.(`L${l}.d${d}.state_h`, h);
        if (hasCellState(layer.kind)) observe?.(`L${l}.d${d}.state_c`, c);
      }
      seq.set(vecKey({ kind: 'h', layer: l, dir: d }), hs);
      seq.set(vecKey({ kind: 'c', layer: l, dir: d }), cs);
      final.set(vecKey({ kind: 'h', layer: l, dir: d }), h);
      final.set(vecKey({ kind: 'c', layer: l, dir: d }), c);
    });
    runMergesFloat(p, l, seq, final, observe);
  });
  // Per-step heads, then attention pools (they may read per-step heads), then final heads (they may read pools).
  const runHead = (head: Head, i: number) => {
    const key = vecKey({ kind: 'head', head: i });
    const logits = observe && (head.activation === 'Softmax' || head.activation === 'LogSoftmax') ? (v: Float64Array) => observe(`${key}.logits`, v) : undefined;
    if (head.timing === 'seq') {
      seq.set(key, xs.map((_, t) => {
        const y = denseFloat(head, seqOf(head.input, t), logits);
        observe?.(key, y);
        return head.argmax ? argMaxOf(y) : y;
      }));
    } else {
      const y = denseFloat(head, concatVectors(head.input.map((r) => final.get(vecKey(r))!)), logits);
      observe?.(key, y);
      final.set(key, head.argmax ? argMaxOf(y) : y);
    }
  };
  p.heads.forEach((head, i) => head.timing === 'seq' && runHead(head, i));
  p.pools.forEach((pool, i) => {
    const { pooled, alpha } = attentionFloat(pool, i, xs.map((_, t) => seqOf(pool.input, t)), observe);
    const [pk, wk] = poolKeys(i);
    final.set(pk, pooled);
    seq.set(wk, Array.from(alpha, (a) => Float64Array.of(a)));
  });
  p.heads.forEach((head, i) => head.timing === 'final' && runHead(head, i));
  return { seq, final };
}

/** Runs the program on the graph input tensor (all batch entries); returns graph outputs in order. */
export function runProgramFloat(p: Program, x: Tensor, observe?: ProgramObserver): Tensor[] {
  const entries = Array.from({ length: batchSize(p, x) }, (_, b) => runEntry(p, inputSteps(p, x, b), b, observe));
  return assembleOutputs(p, x.shape[p.input.timeAxis], entries);
}

/** Per batch entry, every vector stream of the float run (for drift reports). */
export function runProgramFloatEntries(p: Program, x: Tensor): EntryValues[] {
  return Array.from({ length: batchSize(p, x) }, (_, b) => runEntry(p, inputSteps(p, x, b), b));
}
