/**
 * @fileoverview The bit-exact simulator: runs a quantized program on integer vectors with the
 * TypeScript cells, one batch entry at a time, layer by layer over the sequence (for forward-only
 * models this equals the module's step-by-step order: no layer reads a later one). Compiled
 * modules must reproduce its integers exactly. The f32 scheme runs its float32 cells (./f32) the
 * same way: its "integers" are float32 vectors, taken and given as they are.
 */
import type { Tensor } from '../ir/types.ts';
import { assembleOutputs, batchSize, inputSteps, type EntryValues } from '../lower/assemble.ts';
import { poolKeys } from '../lower/lower-attention.ts';
import { vecKey, type VecRef } from '../lower/program.ts';
import { cellState, isF32Head, previousInput, type QDirection, type QProgram } from '../quantize/quantize.ts';
import { isF32 } from '../quantize/schemes.ts';
import type { Vec } from './cells/common.ts';
import { attentionPoolStep, poolVec } from './cells/attention.ts';
import { denseStep } from './cells/dense.ts';
import { simulateMerges } from './cells/merge.ts';
import { gruStep } from './cells/gru.ts';
import { lstmStep } from './cells/lstm.ts';
import { qrnnStep } from './cells/qrnn.ts';
import { rnnStep } from './cells/rnn.ts';
import { sruStep } from './cells/sru.ts';
import { denseStepF32, gruStepF32, lstmStepF32, rnnStepF32 } from './f32/cells.ts';
import { qrnnStepF32, sruStepF32 } from './f32/sru-qrnn.ts';
import { attentionPoolStepF32, isF32Pool } from './f32/attention.ts';
import { dequantize, quantizeInput } from './io.ts';

/** A stored vector: integer, or float32 in the f32 scheme. */
export type SimVec = Vec | Float32Array;

/** Integer values of one batch entry: per-step vectors (seq) and after the sequence (final). */
export interface IntEntry {
  seq: Map<string, SimVec[]>;
  final: Map<string, SimVec>;
}

export function stepDirection(dir: QDirection): void {
  const q = dir.q;
  if (q.kind === 'RNN') rnnStep(q.cell);
  else if (q.kind === 'GRU') gruStep(q.cell);
  else if (q.kind === 'LSTM') lstmStep(q.cell);
  else if (q.kind === 'SRU') sruStep(q.cell);
  else if (q.kind === 'QRNN') qrnnStep(q.cell);
  else if (q.kind === 'RNN_F32') rnnStepF32(q.cell);
  else if (q.kind === 'GRU_F32') gruStepF32(q.cell);
  else if (q.kind === 'SRU_F32') sruStepF32(q.cell);
  else if (q.kind === 'QRNN_F32') qrnnStepF32(q.cell);
  else lstmStepF32(q.cell);
}

/** Loads the initial state of batch entry b (the last one given if the model has fewer). */
export function resetDirection(dir: QDirection, b: number): void {
  dir.q.cell.h.set(dir.h0[Math.min(b, dir.h0.length - 1)]);
  cellState(dir.q)?.set(dir.c0[Math.min(b, dir.c0.length - 1)]);
  previousInput(dir.q)?.fill(0); // QRNN window 2, the convolution's left padding: x_{−1} = 0
}

function fill(dst: SimVec, refs: VecRef[], at: (key: string) => SimVec): void {
  let o = 0;
  for (const r of refs) {
    const src = at(vecKey(r));
    dst.set(src, o);
    o += src.length;
  }
}

/** One direction over the whole sequence (forward or reverse), publishing its h (and c) streams. */
function runDirection(qp: QProgram, dir: QDirection, l: number, d: number, b: number, T: number, seq: Map<string, SimVec[]>,
  final: Map<string, SimVec>): void {
  const cell = dir.q.cell;
  const cState = cellState(dir.q);
  resetDirection(dir, b);
  const hs: SimVec[] = new Array(T), cs: SimVec[] = new Array(T);
  for (let s = 0; s < T; s++) {
    const t = dir.reverse ? T - 1 - s : s;
    fill(cell.v, qp.program.layers[l].input, (k) => seq.get(k)![t]);
    stepDirection(dir);
    hs[t] = cell.h.slice();
    if (cState) cs[t] = cState.slice();
  }
  const hk = vecKey({ kind: 'h', layer: l, dir: d }), ck = vecKey({ kind: 'c', layer: l, dir: d });
  seq.set(hk, hs);
  final.set(hk, cell.h.slice());
  if (cState) {
    seq.set(ck, cs);
    final.set(ck, cState.slice());
  }
}

export function simulateEntryInts(qp: QProgram, xq: SimVec[], b: number): IntEntry {
  const T = xq.length;
  const seq = new Map<string, SimVec[]>([['x', xq]]);
  const final = new Map<string, SimVec>();
  qp.layers.forEach((dirs, l) => {
    dirs.forEach((dir, d) => runDirection(qp, dir, l, d, b, T, seq, final));
    simulateMerges(qp.program.merges, qp.merges, l, seq, final); // a later layer may read them
  });
  // Per-step heads, then attention pools (they may read them), then final heads (they may read pools).
  const runHead = (i: number) => {
    const head = qp.heads[i];
    const spec = qp.program.heads[i];
    const key = vecKey({ kind: 'head', head: i });
    const step = () => (isF32Head(head) ? denseStepF32(head) : denseStep(head));
    if (spec.timing === 'seq') {
      seq.set(key, xq.map((_, t) => {
        fill(head.v, spec.input, (k) => seq.get(k)![t]);
        step();
        return head.y.slice();
      }));
    } else {
      fill(head.v, spec.input, (k) => final.get(k)!);
      step();
      final.set(key, head.y.slice());
    }
  };
  qp.program.heads.forEach((h, i) => h.timing === 'seq' && runHead(i));
  qp.pools?.forEach((cell, i) => {
    const spec = qp.program.pools[i];
    const f32 = isF32Pool(cell);
    const hs = xq.map((_, t) => {
      const v = f32 ? new Float32Array(spec.hidden) : poolVec(cell, spec.hidden);
      fill(v, spec.input, (k) => seq.get(k)![t]);
      return v;
    });
    const [pk, wk] = poolKeys(i);
    seq.set(wk, f32 ? attentionPoolStepF32(cell, hs as Float32Array[]) : attentionPoolStep(cell, hs as Vec[]));
    final.set(pk, cell.y.slice());
  });
  qp.program.heads.forEach((h, i) => h.timing === 'final' && runHead(i));
  return { seq, final };
}

/** The input steps as the module stores them: quantized, or float32 as given (f32 scheme). */
export function quantizeSteps(qp: QProgram, xs: Float32Array[]): SimVec[] {
  if (isF32(qp.options.scheme)) return xs.map((x) => Float32Array.from(x));
  const f = qp.formats.get('x')!;
  return xs.map((x) => {
    const q = f.bits === 8 ? new Int8Array(x.length) : new Int16Array(x.length);
    for (let i = 0; i < x.length; i++) q[i] = quantizeInput(x[i], f.frac, f.bits);
    return q;
  });
}

/** Float values of an entry (f32 vectors have frac 0: dequantize is the identity on them). */
export function dequantizeEntry(qp: QProgram, e: IntEntry): EntryValues {
  const deq = (key: string, v: SimVec) => Float32Array.from(v, (q) => dequantize(q, qp.formats.get(key)!.frac));
  return {
    seq: new Map([...e.seq].map(([k, vs]) => [k, vs.map((v) => deq(k, v))])),
    final: new Map([...e.final].map(([k, v]) => [k, deq(k, v)])),
  };
}

export interface SimulationResult {
  outputs: Tensor[];
  entries: IntEntry[];
}

/** Runs the quantized program on the graph input (all batch entries). */
export function simulate(qp: QProgram, x: Tensor): SimulationResult {
  const p = qp.program;
  const entries = Array.from({ length: batchSize(p, x) }, (_, b) => simulateEntryInts(qp, quantizeSteps(qp, inputSteps(p, x, b)), b));
  return { outputs: assembleOutputs(p, x.shape[p.input.timeAxis], entries.map((e) => dequantizeEntry(qp, e))), entries };
}
