/**
 * @fileoverview Program input/output marshalling shared by every engine (float program run,
 * fixed-point simulator, compiled WASM): slicing one batch entry's input sequence out of the
 * graph input, and rebuilding each graph output tensor from per-step and final vectors.
 */
import { newTensor, type Tensor } from '../ir/types.ts';
import { vecKey, vecSize, type Program, type VecRef } from './program.ts';

/** Input steps of batch entry b: xs[t] is the feature vector at time t. */
export function inputSteps(p: Program, x: Tensor, b: number): Float32Array[] {
  const { timeAxis, batchAxis, featureAxis } = p.input;
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, d) => a * d, 1));
  const T = x.shape[timeAxis], I = x.shape[featureAxis];
  return Array.from({ length: T }, (_, t) => {
    const v = new Float32Array(I);
    for (let f = 0; f < I; f++) v[f] = x.data[t * strides[timeAxis] + b * strides[batchAxis] + f * strides[featureAxis]];
    return v;
  });
}

export function batchSize(p: Program, x: Tensor): number {
  return x.shape[p.input.batchAxis];
}

/** Values of one batch entry: per-step vectors by key (seq) and after the sequence (final). */
export interface EntryValues {
  seq: Map<string, ArrayLike<number>[]>;
  final: Map<string, ArrayLike<number>>;
}

/** Builds every graph output for all batch entries. */
export function assembleOutputs(p: Program, steps: number, entries: EntryValues[]): Tensor[] {
  return p.outputs.map((out) => {
    const { view } = out;
    const sizes = view.axes.map((a) =>
      a === 'T' ? steps : a === 'B' ? entries.length : a === 'D' ? view.groups.length
      : a === 'F' ? view.groups[0].reduce((s, r) => s + vecSize(p, r), 0) : 1);
    const t = newTensor('float32', sizes);
    const idx = sizes.map(() => 0);
    const pos = (tag: string) => view.axes.indexOf(tag as never);
    const [tA, bA, dA, fA] = ['T', 'B', 'D', 'F'].map(pos);
    for (let flat = 0; flat < t.data.length; flat++) {
      const b = bA >= 0 ? idx[bA] : 0;
      const group = view.groups[dA >= 0 ? idx[dA] : 0];
      let f = fA >= 0 ? idx[fA] : 0;
      let ref: VecRef = group[0];
      for (const r of group) {
        ref = r;
        if (f < vecSize(p, r)) break;
        f -= vecSize(p, r);
      }
      const e = entries[b];
      const vec = view.timing === 'seq' ? e.seq.get(vecKey(ref))![idx[tA]] : e.final.get(vecKey(ref))!;
      t.data[flat] = vec[f];
      for (let a = sizes.length - 1; a >= 0 && ++idx[a] === sizes[a]; a--) idx[a] = 0;
    }
    return t;
  });
}
