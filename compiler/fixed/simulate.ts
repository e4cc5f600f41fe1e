/**
 * @fileoverview The bit-exact simulator: runs a quantized program on integer vectors with the
 * TypeScript cells, one batch entry at a time, layer by layer over the sequence (for forward-only
 * models this equals the module's step-by-step order: no layer reads a later one). Compiled
 * modules must reproduce its integers exactly.
 */
import type { Tensor } from '../ir/types.ts';
import { assembleOutputs, batchSize, inputSteps, type EntryValues } from '../lower/assemble.ts';
import { vecKey, type VecRef } from '../lower/program.ts';
import type { QDirection, QProgram } from '../quantize/quantize.ts';
import type { Vec } from './cells/common.ts';
import { denseStep } from './cells/dense.ts';
import { gruStep } from './cells/gru.ts';
import { lstmStep } from './cells/lstm.ts';
import { rnnStep } from './cells/rnn.ts';
import { dequantize, quantizeInput } from './io.ts';

/** Integer values of one batch entry: per-step vectors (seq) and after the sequence (final). */
export interface IntEntry {
  seq: Map<string, Vec[]>;
  final: Map<string, Vec>;
}

export function stepDirection(dir: QDirection): void {
  if (dir.q.kind === 'RNN') rnnStep(dir.q.cell);
  else if (dir.q.kind === 'GRU') gruStep(dir.q.cell);
  else lstmStep(dir.q.cell);
}

/** Loads the initial state of batch entry b (the last one given if the model has fewer). */
export function resetDirection(dir: QDirection, b: number): void {
  dir.q.cell.h.set(dir.h0[Math.min(b, dir.h0.length - 1)]);
  if (dir.q.kind === 'LSTM') dir.q.cell.cState.set(dir.c0[Math.min(b, dir.c0.length - 1)]);
}

function fill(dst: Vec, refs: VecRef[], at: (key: string) => Vec): void {
  let o = 0;
  for (const r of refs) {
    const src = at(vecKey(r));
    dst.set(src, o);
    o += src.length;
  }
}

export function simulateEntryInts(qp: QProgram, xq: Vec[], b: number): IntEntry {
  const T = xq.length;
  const seq = new Map<string, Vec[]>([['x', xq]]);
  const final = new Map<string, Vec>();
  qp.layers.forEach((dirs, l) => dirs.forEach((dir, d) => {
    const cell = dir.q.cell;
    resetDirection(dir, b);
    const hs: Vec[] = new Array(T), cs: Vec[] = new Array(T);
    for (let s = 0; s < T; s++) {
      const t = dir.reverse ? T - 1 - s : s;
      fill(cell.v, qp.program.layers[l].input, (k) => seq.get(k)![t]);
      stepDirection(dir);
      hs[t] = cell.h.slice();
      if (dir.q.kind === 'LSTM') cs[t] = dir.q.cell.cState.slice();
    }
    const hk = vecKey({ kind: 'h', layer: l, dir: d }), ck = vecKey({ kind: 'c', layer: l, dir: d });
    seq.set(hk, hs);
    final.set(hk, cell.h.slice());
    if (dir.q.kind === 'LSTM') {
      seq.set(ck, cs);
      final.set(ck, dir.q.cell.cState.slice());
    }
  }));
  qp.heads.forEach((head, i) => {
    const spec = qp.program.heads[i];
    const key = vecKey({ kind: 'head', head: i });
    if (spec.timing === 'seq') {
      seq.set(key, xq.map((_, t) => {
        fill(head.v, spec.input, (k) => seq.get(k)![t]);
        denseStep(head);
        return head.y.slice();
      }));
    } else {
      fill(head.v, spec.input, (k) => final.get(k)!);
      denseStep(head);
      final.set(key, head.y.slice());
    }
  });
  return { seq, final };
}

export function quantizeSteps(qp: QProgram, xs: Float32Array[]): Vec[] {
  const f = qp.formats.get('x')!;
  return xs.map((x) => {
    const q = f.bits === 8 ? new Int8Array(x.length) : new Int16Array(x.length);
    for (let i = 0; i < x.length; i++) q[i] = quantizeInput(x[i], f.frac, f.bits);
    return q;
  });
}

export function dequantizeEntry(qp: QProgram, e: IntEntry): EntryValues {
  const deq = (key: string, v: Vec) => Float32Array.from(v, (q) => dequantize(q, qp.formats.get(key)!.frac));
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
