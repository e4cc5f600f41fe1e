/**
 * @fileoverview Layout and shape ops (Transpose, Squeeze, Unsqueeze, Reshape, Flatten, Gather,
 * Slice, Concat, Shape, Constant). They take the newest ONNX form: axes, shapes and slice
 * bounds are inputs; the ONNX importer rewrites older opsets' attributes into constant inputs.
 * When such an input is not constant, output dims become symbolic ('<node>:<axis>').
 */
import type { InferContext, OpSpec } from '../op-spec.ts';
import type { Dim, Tensor } from '../types.ts';

function normAxis(ctx: InferContext, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

function ints(t: Tensor | undefined): number[] | undefined {
  return t ? Array.from(t.data as ArrayLike<number>, Number) : undefined;
}

function unknown(ctx: InferContext, rank: number): Dim[] {
  return Array.from({ length: rank }, (_, i) => `${ctx.node.name}:${i}`);
}

/** Output shape of Reshape given the target shape tensor (0 copies, -1 infers). */
export function reshapeTarget(input: Dim[], target: number[], allowZero: boolean, fail: (m: string) => never): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) fail('shape has more than one -1');
  if (minus === 1) {
    const total = input.reduce((p: number, d) => (typeof d === 'number' && typeof p === 'number' ? p * d : NaN), 1);
    const known = out.reduce((p: number, d) => (d === -1 ? p : typeof d === 'number' ? p * d : NaN), 1);
    const idx = out.indexOf(-1);
    if (Number.isNaN(total) || Number.isNaN(known)) out[idx] = `reshape:${idx}`;
    else if (known === 0 || total % known !== 0) fail(`cannot reshape [${input.join(',')}] to [${target.join(',')}]`);
    else out[idx] = total / known;
  } else {
    const a = input.reduce((p: number, d) => (typeof d === 'number' ? p * d : NaN), 1);
    const b = out.reduce((p: number, d) => (typeof d === 'number' ? p * d : NaN), 1);
    if (!Number.isNaN(a) && !Number.isNaN(b) && a !== b) fail(`cannot reshape [${input.join(',')}] (${a} elements) to [${target.join(',')}] (${b})`);
  }
  return out;
}

/** Resolved [start, end, step] per axis for Slice, clamped as ONNX specifies. */
export function sliceBounds(dim: number, start: number, end: number, step: number): [number, number, number] {
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  return [start, end, step];
}

export function sliceLength([start, end, step]: [number, number, number]): number {
  return Math.max(0, Math.ceil((end - start) / step));
}

const data = { name: 'data' };
const one = (name: string) => [{ name }];

export const shapeOps: Record<string, OpSpec> = {
  Transpose: {
    summary: 'permute axes (perm, default reversed)',
    inputs: one('data'), outputs: one('transposed'),
    attrs: { perm: { type: 'ints' } },
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      const perm = (ctx.node.attrs.perm as number[] | undefined) ?? s.map((_, i) => s.length - 1 - i);
      if (perm.length !== s.length || [...perm].sort().some((p, i) => p !== i)) ctx.fail(`perm [${perm}] is not a permutation of ${s.length} axes`);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: perm.map((p) => s[p]) }];
    },
  },
  Squeeze: {
    summary: 'remove size-1 axes',
    inputs: [data, { name: 'axes', optional: true }], outputs: one('squeezed'), attrs: {},
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      let axes = ints(ctx.constant(1));
      if (ctx.inputs[1] && !axes) ctx.fail('axes must be a constant');
      axes = axes ? axes.map((a) => normAxis(ctx, a, s.length)) : s.flatMap((d, i) => (d === 1 ? [i] : []));
      for (const a of axes) if (typeof s[a] === 'number' && s[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${s[a]}`);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: s.filter((_, i) => !axes!.includes(i)) }];
    },
  },
  Unsqueeze: {
    summary: 'insert size-1 axes',
    inputs: [data, { name: 'axes' }], outputs: one('expanded'), attrs: {},
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      const axes = ints(ctx.constant(1)) ?? ctx.fail('axes must be a constant');
      const rank = s.length + axes.length;
      const at = new Set(axes.map((a) => normAxis(ctx, a, rank)));
      const out: Dim[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : s[j++]);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: out }];
    },
  },
  Reshape: {
    summary: 'reshape (0 copies a dim, -1 infers one)',
    inputs: [data, { name: 'shape' }], outputs: one('reshaped'),
    attrs: { allowzero: { type: 'int', default: 0 } },
    infer(ctx) {
      const target = ints(ctx.constant(1));
      const dtype = ctx.inputs[0]!.dtype;
      if (!target) {
        const len = ctx.inputs[1]!.shape[0];
        if (typeof len !== 'number') return ctx.fail('shape input has unknown length');
        return [{ dtype, shape: unknown(ctx, len) }];
      }
      return [{ dtype, shape: reshapeTarget(ctx.inputs[0]!.shape, target, !!ctx.node.attrs.allowzero, ctx.fail) }];
    },
  },
  Flatten: {
    summary: 'reshape to 2-D at an axis',
    inputs: one('input'), outputs: one('output'), attrs: { axis: { type: 'int', default: 1 } },
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      let axis = ctx.node.attrs.axis as number;
      if (axis < -s.length || axis > s.length) ctx.fail(`axis ${axis} is out of range for rank ${s.length}`);
      if (axis < 0) axis += s.length;
      const prod = (d: Dim[]) => d.reduce((p: Dim, x) => (typeof p === 'number' && typeof x === 'number' ? p * x : `${ctx.node.name}:f`), 1 as Dim);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: [prod(s.slice(0, axis)), prod(s.slice(axis))] }];
    },
  },
  Gather: {
    summary: 'take entries along an axis',
    inputs: [data, { name: 'indices' }], outputs: one('output'), attrs: { axis: { type: 'int', default: 0 } },
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      const axis = normAxis(ctx, ctx.node.attrs.axis as number, s.length);
      return [{ dtype: ctx.inputs[0]!.dtype, shape: [...s.slice(0, axis), ...ctx.inputs[1]!.shape, ...s.slice(axis + 1)] }];
    },
  },
  Slice: {
    summary: 'strided slice (starts, ends, axes, steps inputs)',
    inputs: [data, { name: 'starts' }, { name: 'ends' }, { name: 'axes', optional: true }, { name: 'steps', optional: true }],
    outputs: one('output'), attrs: {},
    infer(ctx) {
      const s = ctx.inputs[0]!.shape;
      const [starts, ends, axesT, stepsT] = [1, 2, 3, 4].map((i) => ints(ctx.constant(i)));
      if (!starts || !ends || (ctx.inputs[3] && !axesT) || (ctx.inputs[4] && !stepsT)) {
        return [{ dtype: ctx.inputs[0]!.dtype, shape: unknown(ctx, s.length) }];
      }
      const axes = axesT ?? starts.map((_, i) => i);
      const steps = stepsT ?? starts.map(() => 1);
      const out = [...s];
      axes.forEach((a, i) => {
        const ax = normAxis(ctx, a, s.length);
        if (steps[i] === 0) ctx.fail('slice step 0');
        const d = s[ax];
        out[ax] = typeof d === 'number' ? sliceLength(sliceBounds(d, starts[i], ends[i], steps[i])) : `${ctx.node.name}:${ax}`;
      });
      return [{ dtype: ctx.inputs[0]!.dtype, shape: out }];
    },
  },
  Concat: {
    summary: 'join along an axis',
    inputs: [{ name: 'inputs', variadic: true }], outputs: one('concat_result'),
    attrs: { axis: { type: 'int', required: true } },
    infer(ctx) {
      const first = ctx.inputs[0]!;
      const axis = normAxis(ctx, ctx.node.attrs.axis as number, first.shape.length);
      let total: Dim = 0;
      for (const v of ctx.inputs as NonNullable<(typeof ctx.inputs)[0]>[]) {
        if (v.shape.length !== first.shape.length) ctx.fail(`input '${v.name}' has rank ${v.shape.length}, expected ${first.shape.length}`);
        v.shape.forEach((d, i) => {
          const f = first.shape[i];
          if (i !== axis && typeof d === 'number' && typeof f === 'number' && d !== f) {
            ctx.fail(`input '${v.name}' has shape [${v.shape.join(',')}], incompatible with [${first.shape.join(',')}] off axis ${axis}`);
          }
        });
        const d = v.shape[axis];
        total = typeof total === 'number' && typeof d === 'number' ? total + d : `${ctx.node.name}:${axis}`;
      }
      const shape = [...first.shape];
      shape[axis] = total;
      return [{ dtype: first.dtype, shape }];
    },
  },
  Shape: {
    summary: 'the shape of a tensor as int64 (start, end)',
    inputs: one('data'), outputs: one('shape'),
    attrs: { start: { type: 'int', default: 0 }, end: { type: 'int' } },
    infer(ctx) {
      const r = ctx.inputs[0]!.shape.length;
      const [start, end] = sliceBounds(r, ctx.node.attrs.start as number, (ctx.node.attrs.end as number | undefined) ?? r, 1);
      return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
    },
  },
  Constant: {
    summary: 'a constant tensor (folded into an initializer at import)',
    inputs: [], outputs: one('output'), attrs: { value: { type: 'tensor', required: true } },
    infer(ctx) {
      const t = ctx.node.attrs.value as Tensor;
      return [{ dtype: t.dtype, shape: [...t.shape] }];
    },
  },
};
