/**
 * @fileoverview Keras Bidirectional merge_mode sum / ave / mul in the lowered program. The TF.js
 * importer writes them as Gather(Y, d) along the direction axis for each direction, then
 * Add (sum), Add then Mul by 0.5 (ave) or Mul (mul) of the two; lowering turns that into one
 * program merge (./program.ts Merge) per layer, and its float run (calibration, and the check
 * of lowering against the interpreter).
 *
 * Only the two directions of one layer merge: anything else elementwise between computed values
 * (residual sums, gating) is refused with the node named, never guessed.
 */
import type { Graph, Node, Tensor } from '../ir/types.ts';
import { vecKey, vecSize, type Merge, type Program, type VecRef } from './program.ts';
import type * as V from './views.ts';

type Value = { view: V.LView } | { constant: Tensor } | undefined;
type Observe = ((tag: string, values: ArrayLike<number>) => void) | undefined;

/** Gather(index) along the direction axis (ONNX axis, may be negative): one direction group (Keras's forward or backward half). */
export function gatherDirection(v: V.LView, onnxAxis: number, index: Tensor, fail: V.Fail): V.LView {
  const axis = onnxAxis < 0 ? onnxAxis + v.axes.length : onnxAxis;
  const i = Number(index.data[0]);
  if (index.data.length !== 1) fail('only one direction can be gathered');
  const group = v.groups[i < 0 ? i + v.groups.length : i] ?? fail(`direction ${i} of ${v.groups.length}`);
  const keep = index.shape.length > 0;
  const axes = keep ? v.axes.map((a, k) => (k === axis ? '1' : a)) : v.axes.filter((_, k) => k !== axis);
  return { ...v, axes, groups: [group] };
}

const soleRef = (v: V.LView): VecRef | undefined => (v.groups.length === 1 && v.groups[0].length === 1 ? v.groups[0][0] : undefined);

/** Add or Mul of two computed values: they must be the two directions of one layer. */
export function lowerMerge(p: Program, node: Node, mode: 'sum' | 'mul', a: V.LView, b: V.LView, fail: V.Fail): V.LView {
  const [ra, rb] = [soleRef(a), soleRef(b)];
  if (!ra || !rb || ra.kind !== 'h' || rb.kind !== 'h' || ra.layer !== rb.layer || ra.dir === rb.dir) {
    return fail(`${mode === 'sum' ? 'adding' : 'multiplying'} computed values: only the two directions of one bidirectional layer (Keras merge_mode sum, ave, mul) are supported`);
  }
  if (a.timing !== b.timing || a.axes.join() !== b.axes.join()) fail('the two directions have different layouts or timing');
  const merge: Merge = { name: node.name, mode, a: ra, b: rb, size: vecSize(p, ra), timing: a.timing, after: ra.layer + 1 };
  const index = p.merges.push(merge) - 1;
  return { ...a, groups: [[{ kind: 'merge', merge: index }]] };
}

/**
 * Mul: of two directions (merge_mode mul), or of a direction sum by the constant 0.5 (merge_mode
 * ave). A sum read only here becomes the average; one read elsewhere too stays and gets a twin.
 */
export function lowerMul(p: Program, graph: Graph, node: Node, x: Value, y: Value, fail: V.Fail): V.LView {
  if (x && 'view' in x && y && 'view' in y) return lowerMerge(p, node, 'mul', x.view, y.view, fail);
  const [v, c, vi] = x && 'view' in x ? [x.view, y, 0] : [y && 'view' in y ? y.view : undefined, x, 1];
  const ref = v && soleRef(v);
  const sum = ref?.kind === 'merge' ? p.merges[ref.merge] : undefined;
  if (!v || !sum || sum.mode !== 'sum' || !c || !('constant' in c) || c.constant.data.length !== 1 || Number(c.constant.data[0]) !== 0.5) {
    return fail('only the product of two directions or half their sum (Keras merge_mode mul, ave) is supported');
  }
  const name = node.inputs[vi];
  const uses = graph.nodes.filter((n) => n.inputs.includes(name)).length + graph.outputs.filter((o) => o.name === name).length;
  if (uses === 1) {
    sum.mode = 'ave';
    sum.name = node.name;
    return v;
  }
  const index = p.merges.push({ ...sum, name: node.name, mode: 'ave' }) - 1;
  return { ...v, groups: [[{ kind: 'merge', merge: index }]] };
}

/** Float merges that run after layer l (float64, as the float program keeps states). */
export function runMergesFloat(p: Program, l: number, seq: Map<string, ArrayLike<number>[]>, final: Map<string, ArrayLike<number>>,
  observe: Observe): void {
  p.merges.forEach((m, i) => {
    if (m.after !== l + 1) return;
    const key = vecKey({ kind: 'merge', merge: i });
    const f = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const y = Float64Array.from(a, (v, j) => (m.mode === 'mul' ? v * b[j] : v + b[j]));
      if (m.mode === 'ave') y.forEach((v, j) => (y[j] = 0.5 * v));
      observe?.(key, y);
      return y;
    };
    const [ka, kb] = [vecKey(m.a), vecKey(m.b)];
    if (m.timing === 'seq') seq.set(key, seq.get(ka)!.map((a, t) => f(a, seq.get(kb)![t])));
    else final.set(key, f(final.get(ka)!, final.get(kb)!));
  });
}
