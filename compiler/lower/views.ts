/**
 * @fileoverview The view algebra: how layout ops (Squeeze, Unsqueeze, Transpose, Reshape,
 * Flatten, Concat, last-step Gather/Slice) act on lowered values. Anything outside this
 * algebra is refused with a message naming the node, never approximated.
 */
import type { Dim } from '../ir/types.ts';
import type { AxisTag, VecRef, View } from './program.ts';

/** During lowering the graph input's axes are unresolved (numbers = its own axis positions). */
export type LAxis = AxisTag | number;
export interface LView extends Omit<View, 'axes'> {
  axes: LAxis[];
}

export type Fail = (message: string) => never;

const isUnit = (tag: LAxis, size: Dim, groups: number) =>
  tag === '1' || (tag === 'D' && groups === 1) || (tag === 'B' && size === 1);

export function squeeze(v: LView, axes: number[], shape: Dim[], fail: Fail): LView {
  for (const a of axes) {
    if (!isUnit(v.axes[a], shape[a], v.groups.length)) fail(`cannot squeeze axis ${a} (${describe(v.axes[a])} of size ${shape[a]})`);
  }
  return { ...v, axes: v.axes.filter((_, i) => !axes.includes(i)) };
}

export function unsqueeze(v: LView, axes: number[]): LView {
  const rank = v.axes.length + axes.length;
  const out: LAxis[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? '1' : v.axes[j++]);
  return { ...v, axes: out };
}

export function transpose(v: LView, perm: number[]): LView {
  return { ...v, axes: perm.map((p) => v.axes[p]) };
}

/**
 * Reshape that only drops/adds size-1 axes and may merge an adjacent (D, F) pair into F, which
 * concatenates the direction groups (PyTorch's bidirectional [T,B,2,H] → [T,B,2H]).
 */
export function reshape(v: LView, inShape: Dim[], outShape: Dim[], fail: Fail): LView {
  const cur = v.axes.map((tag, i) => ({ tag, size: inShape[i] })).filter((a) => !isUnit(a.tag, a.size, v.groups.length));
  const out: LAxis[] = [];
  let groups = v.groups;
  let i = 0;
  for (const d of outShape) {
    const a = cur[i];
    if (a && (a.size === d || (typeof a.size === 'string' && typeof d === 'string'))) {
      out.push(a.tag);
      i++;
    } else if (a && a.tag === 'D' && cur[i + 1]?.tag === 'F' && typeof a.size === 'number' && typeof cur[i + 1].size === 'number'
      && d === a.size * (cur[i + 1].size as number)) {
      out.push('F');
      groups = [groups.flat()];
      i += 2;
    } else if (d === 1) {
      out.push('1');
    } else {
      fail(`reshape [${inShape.join(',')}] → [${outShape.join(',')}] moves data across time, batch or direction axes`);
    }
  }
  if (i !== cur.length) fail(`reshape [${inShape.join(',')}] → [${outShape.join(',')}] is not supported`);
  return { ...v, axes: out, groups };
}

export function concat(views: LView[], axis: number, fail: Fail): LView {
  const [first] = views;
  if (views.some((w) => w.timing !== first.timing || w.axes.join() !== first.axes.join())) {
    fail('inputs have different layouts or timing');
  }
  const tag = first.axes[axis];
  if (tag === 'F') {
    if (views.some((w) => w.groups.length !== first.groups.length)) fail('inputs have different direction counts');
    return { ...first, groups: first.groups.map((_, g) => views.flatMap((w) => w.groups[g])) };
  }
  if (tag === 'D' || tag === '1') {
    const axes = [...first.axes];
    axes[axis] = 'D';
    return { ...first, axes, groups: views.flatMap((w) => w.groups) };
  }
  return fail(`concatenation along the ${describe(tag)} axis is not supported`);
}

/** Y[T-1] of forward directions is the final state: Gather(T, -1) or Slice(T, -1:). */
export function lastStep(v: LView, axis: number, keepAxis: boolean, isReverse: (r: VecRef) => boolean, fail: Fail): LView {
  if (v.timing !== 'seq' || v.axes[axis] !== 'T') fail('only the last time step of a sequence can be selected');
  if (v.groups.some((g) => g.some((r) => r.kind === 'input' || isReverse(r)))) {
    fail('the last time step of a reverse direction (or of the input) is not a final state');
  }
  const axes = keepAxis ? v.axes.map((a, i) => (i === axis ? '1' : a)) : v.axes.filter((_, i) => i !== axis);
  return { ...v, timing: 'final', axes };
}

export function describe(tag: LAxis): string {
  return typeof tag === 'number' ? `input axis ${tag}` : { T: 'time', B: 'batch', D: 'direction', F: 'feature', 1: 'unit' }[tag];
}
