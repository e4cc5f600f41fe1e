/**
 * Every non-recurrent op of the IR op table, imported from a small ONNX model and run by the
 * float reference, against onnxruntime-node (an independent implementation) on the same seeded
 * inputs: floats within 1e-6 + 1e-5·|expected|, integers exactly, shapes and types equal.
 * Covers the old-opset forms the importer rewrites (Squeeze/Unsqueeze axes and Slice bounds as
 * attributes, Softmax's 2-D coercion before opset 13), every Constant value form, and the
 * Shape → Gather → Unsqueeze → Concat → Reshape chain exporters emit, which import must fold.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadOnnx } from '../compiler/importers/onnx/load.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { buildModel, rng, uniform, type Attr, type NodeDef, type TensorDef } from './helpers/onnx-builder.ts';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

type DT = 'float32' | 'int32' | 'int64' | 'bool';
const CODE: Record<DT, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };
interface Port { name: string; dims: number[]; type?: DT; data?: number[] }
interface Case { name: string; nodes: NodeDef[]; inputs: Port[]; outputs: Port[]; inits?: TensorDef[]; opset?: number }

const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);
const i64 = (name: string, data: number[], dims = [data.length], raw = true): TensorDef => ({ name, dims, data, type: 'int64', raw });
const f32 = (name: string, dims: number[], seed: number, raw = true): TensorDef => ({ name, dims, data: uniform(rng(seed), prod(dims), 1.5), raw });
const x = (dims: number[], type: DT = 'float32', data?: number[]): Port => ({ name: 'X', dims, type, data });
const y = (dims: number[], type: DT = 'float32'): Port[] => [{ name: 'Y', dims, type }];

/** One node reading `inputs` and writing Y. */
function single(name: string, op: string, inputs: Port[], inNames: string[], out: Port[], more: Partial<Case> & { attrs?: Record<string, Attr> } = {}): Case {
  return { name, nodes: [{ op, inputs: inNames, outputs: out.map((o) => o.name), attrs: more.attrs }], inputs, outputs: out, ...more };
}
const unary = (op: string, xDims: number[], yDims: number[], attrs?: Record<string, Attr>, opset?: number, label = ''): Case =>
  single(`${op}${label} ${JSON.stringify(attrs ?? {})} on [${xDims}]${opset ? ` opset ${opset}` : ''}`, op, [x(xDims)], ['X'], y(yDims), { attrs, opset });

function toIr(p: Port): Tensor {
  const t = p.type ?? 'float32';
  const data = t === 'float32' ? Float32Array.from(p.data!) : t === 'int32' ? Int32Array.from(p.data!)
    : t === 'bool' ? Uint8Array.from(p.data!) : Float64Array.from(p.data!);
  return { dtype: t, shape: p.dims, data };
}
function toOrt(p: Port) {
  const t = p.type ?? 'float32';
  const data = t === 'float32' ? Float32Array.from(p.data!) : t === 'int32' ? Int32Array.from(p.data!)
    : t === 'bool' ? Uint8Array.from(p.data!) : BigInt64Array.from(p.data!.map(BigInt));
  return new ort.Tensor(t, data, p.dims);
}

/** Runs the case in onnxruntime and rnnc, compares every output, returns the imported graph. */
async function check(c: Case, seed: number): Promise<Graph> {
  const r = rng(seed);
  const feeds = c.inputs.map((p) => ({ ...p, data: p.data ?? uniform(r, prod(p.dims), 2) }));
  const bytes = buildModel({
    nodes: c.nodes, opset: c.opset ?? 13, initializers: c.inits,
    inputs: feeds.map((p) => ({ name: p.name, dims: p.dims, type: CODE[p.type ?? 'float32'] })),
    outputs: c.outputs.map((o) => ({ name: o.name, dims: o.dims, type: CODE[o.type ?? 'float32'] })),
  });
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const expected = await session.run(Object.fromEntries(feeds.map((p) => [p.name, toOrt(p)])));
  const graph = loadOnnx(bytes, `${c.name}.onnx`);
  expect(verifyGraph(graph)).toEqual([]);
  const got = runReference(graph, new Map(feeds.map((p) => [p.name, toIr(p)])));
  for (const o of c.outputs) {
    const want = expected[o.name];
    const t = got.get(o.name)!;
    expect(t.shape, `${o.name} shape`).toEqual([...want.dims].map(Number));
    expect(graph.values.get(o.name)!.shape, `${o.name} inferred shape`).toEqual([...want.dims].map(Number));
    expect(t.dtype, `${o.name} dtype`).toBe(want.type);
    const w = Array.from(want.data as ArrayLike<number | bigint>, Number);
    // Integers compare by value (an int64 -0 held in a Float64Array equals 0).
    if (want.type !== 'float32') expect(Array.from(t.data, (v) => v + 0), o.name).toEqual(w);
    else {
      w.forEach((e, k) => {
        if (!(Math.abs(t.data[k] - e) <= 1e-6 + 1e-5 * Math.abs(e))) throw new Error(`${o.name}[${k}]: rnnc ${t.data[k]}, onnxruntime ${e}`);
      });
    }
  }
  return graph;
}

const cases: Case[] = [];
const X2 = x([3, 4]);
// Gemm: alpha/beta/transA/transB, C as [N], [M,N], [M,1] or absent; B typed (raw: false) or raw.
const gemm = (label: string, a: number[], b: number[], cDims: number[] | undefined, attrs: Record<string, Attr>, raw: boolean) =>
  single(`Gemm ${label}`, 'Gemm', [x(a)], ['X', 'B', ...(cDims ? ['C'] : [])], y([3, 5]),
    { attrs, inits: [f32('B', b, 11, raw), ...(cDims ? [f32('C', cDims, 12, !raw)] : [])] });
cases.push(
  gemm('C [N], alpha 0.5, beta 2', [3, 4], [4, 5], [5], { alpha: 0.5, beta: 2 }, false),
  gemm('transA, transB, C [M,N], beta 0.25', [4, 3], [5, 4], [3, 5], { transA: 1, transB: 1, beta: 0.25 }, true),
  gemm('transB, C [M,1]', [3, 4], [5, 4], [3, 1], { transB: 1, alpha: 1.75 }, true),
  gemm('no C, transA', [4, 3], [4, 5], undefined, { transA: 1 }, false),
  gemm('C scalar, beta -1', [3, 4], [4, 5], [], { beta: -1 }, false),
);
// MatMul: 2-D, batched 3-D × 2-D, broadcast batch dims, 1-D operands on either or both sides.
const matmul = (a: number[], b: number[], out: number[]) =>
  single(`MatMul [${a}]·[${b}]`, 'MatMul', [x(a), { name: 'W', dims: b }], ['X', 'W'], y(out));
cases.push(matmul([3, 4], [4, 5], [3, 5]), matmul([2, 3, 4], [4, 5], [2, 3, 5]), matmul([2, 1, 3, 4], [5, 4, 2], [2, 5, 3, 2]),
  matmul([4], [4, 5], [5]), matmul([2, 3, 4], [4], [2, 3]), matmul([4], [4], []), matmul([4], [2, 4, 3], [2, 3]));
// Binary arithmetic with broadcasting, scalars on either side, and integer division.
const away = (n: number, seed: number) => uniform(rng(seed), n, 1).map((v) => (v < 0 ? v - 0.5 : v + 0.5));
for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
  for (const [a, b, out] of [[[2, 3, 4], [4], [2, 3, 4]], [[2, 1, 4], [3, 1], [2, 3, 4]], [[], [2, 3], [2, 3]], [[2, 3], [], [2, 3]]]) {
    cases.push(single(`${op} [${a}] with [${b}]`, op, [x(a), { name: 'B', dims: b, data: away(prod(b), a.length) }], ['X', 'B'], y(out)));
  }
}
const ints = [7, -7, 9, -9, 0, 5];
for (const t of ['int32', 'int64'] as DT[]) {
  for (const op of ['Div', 'Sub']) {
    cases.push(single(`${op} ${t}`, op, [x([2, 3], t, ints), { name: 'B', dims: [3], type: t, data: [2, -4, 3] }], ['X', 'B'], y([2, 3], t)));
  }
}
for (const op of ['Relu', 'Sigmoid', 'Tanh', 'Identity']) cases.push(unary(op, [2, 3, 4], [2, 3, 4]));
for (const op of ['Softmax', 'LogSoftmax']) {
  for (const axis of [-1, 0, 1, 2]) cases.push(unary(op, [2, 3, 4], [2, 3, 4], { axis }, 13));
  cases.push(unary(op, [2, 3, 4], [2, 3, 4], undefined, 13, ' default axis'));
  // Before opset 13 the input is coerced to 2-D at `axis` and normalized over all trailing axes.
  cases.push(unary(op, [2, 3, 4], [2, 3, 4], { axis: 1 }, 11), unary(op, [2, 3, 4], [2, 3, 4], undefined, 11, ' default axis'));
  cases.push(unary(op, [2, 3, 4, 2], [2, 3, 4, 2], { axis: -2 }, 11), unary(op, [2, 3, 4], [2, 3, 4], { axis: 0 }, 11));
}
// Cast float → int32/int64 (truncation toward zero) and back.
const big = uniform(rng(5), 12, 50);
big[3] = 0;
for (const [from, to] of [['float32', 'int32'], ['float32', 'int64'], ['int32', 'float32'], ['int64', 'float32'], ['int64', 'int32'], ['float32', 'bool'], ['bool', 'float32']] as DT[][]) {
  const data = from === 'float32' ? big : from === 'bool' ? big.map((v) => (v > 0 ? 1 : 0)) : big.map(Math.round);
  cases.push(single(`Cast ${from} → ${to}`, 'Cast', [x([3, 4], from, data)], ['X'], y([3, 4], to), { attrs: { to: CODE[to] } }));
}
cases.push(unary('Transpose', [2, 3, 4], [3, 4, 2], { perm: [1, 2, 0] }), unary('Transpose', [2, 3, 4], [4, 3, 2]));
cases.push(unary('Transpose', [2, 3, 4, 5], [5, 2, 4, 3], { perm: [3, 0, 2, 1] }));
// Squeeze / Unsqueeze: axes attribute (opset 11) and axes input (opset 13), negative axes.
cases.push(unary('Squeeze', [1, 3, 1, 4], [3, 4], { axes: [0, -2] }, 11), unary('Squeeze', [1, 3, 1, 4], [3, 4], undefined, 11));
cases.push(unary('Unsqueeze', [3, 4], [1, 3, 4, 1], { axes: [0, -1] }, 11), unary('Unsqueeze', [3, 4], [3, 1, 1, 4], { axes: [2, 1] }, 11));
cases.push(single('Squeeze axes input [-2], opset 13', 'Squeeze', [x([3, 1, 4])], ['X', 'axes'], y([3, 4]), { inits: [i64('axes', [-2], [1], false)] }));
cases.push(single('Squeeze no axes, opset 13', 'Squeeze', [x([1, 3, 1])], ['X'], y([3])));
cases.push(single('Unsqueeze axes input [1,-1], opset 13', 'Unsqueeze', [x([3, 4])], ['X', 'axes'], y([3, 1, 4, 1]), { inits: [i64('axes', [1, -1])] }));
// Reshape with 0 (copy) and -1 (infer).
for (const [target, out] of [[[0, -1], [2, 12]], [[-1, 0, 2], [4, 3, 2]], [[4, 0, -1], [4, 3, 2]], [[24], [24]]]) {
  cases.push(single(`Reshape [2,3,4] to [${target}]`, 'Reshape', [x([2, 3, 4])], ['X', 'shape'], y(out), { inits: [i64('shape', target)] }));
}
for (const [axis, out] of [[0, [1, 24]], [1, [2, 12]], [2, [6, 4]], [3, [24, 1]], [-1, [6, 4]], [-3, [1, 24]]] as [number, number[]][]) {
  cases.push(unary('Flatten', [2, 3, 4], out, { axis }));
}
// Gather: negative indices, axis 0 and 1, scalar index, indices fed as input or initializer.
cases.push(single('Gather axis 0, 2-D negative indices', 'Gather', [x([5, 4]), { name: 'I', dims: [2, 2], type: 'int64', data: [-1, 0, 2, -5] }], ['X', 'I'], y([2, 2, 4])));
cases.push(single('Gather axis 1, negative indices', 'Gather', [x([2, 4, 3])], ['X', 'I'], y([2, 3, 3]), { attrs: { axis: 1 }, inits: [i64('I', [-1, 1, -4], [3], false)] }));
cases.push(single('Gather axis -1, scalar index', 'Gather', [x([2, 4, 3])], ['X', 'I'], y([2, 4]), { attrs: { axis: -1 }, inits: [i64('I', [-2], [])] }));
cases.push(single('Gather int32 indices, axis 1', 'Gather', [x([3, 5]), { name: 'I', dims: [4], type: 'int32', data: [4, -5, 0, 2] }], ['X', 'I'], y([3, 4]), { attrs: { axis: 1 } }));
// Slice: bounds as attributes (opset 9), as inputs (opset 13) with negative steps and clamping.
cases.push(unary('Slice', [4, 3, 5], [2, 3, 4], { starts: [1, -4], ends: [3, 100], axes: [0, 2] }, 9));
cases.push(unary('Slice', [4, 3, 5], [3, 1, 5], { starts: [1, -2], ends: [1000, -1] }, 9, ' no axes'));
const slice = (label: string, out: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]) =>
  single(`Slice opset 13 ${label}`, 'Slice', [x([4, 3, 5])], ['X', 's', 'e', ...(axes ? ['a'] : []), ...(steps ? ['p'] : [])], y(out),
    { inits: [i64('s', starts), i64('e', ends, [ends.length], false), ...(axes ? [i64('a', axes)] : []), ...(steps ? [i64('p', steps)] : [])] });
cases.push(
  slice('reverse axis 1, clamped end', [4, 3, 5], [-1], [-1000], [1], [-1]),
  slice('step -2 from past the end', [4, 3, 3], [1000], [-1000], [-1], [-2]),
  slice('step 2 and 3, clamped ends', [2, 3, 2], [0, 1], [1000, 1000], [0, 2], [2, 3]),
  slice('no axes/steps, negative starts', [2, 3, 2], [-2, 0, 1], [4, 1000, -2]),
  slice('empty result', [0, 3, 5], [3], [1], [0]),
  slice('negative step, end -1 means last', [4, 3, 0], [4], [-1], [2], [-1]),
);
cases.push(single('Concat 3 inputs, axis 1', 'Concat', [x([2, 1, 3]), { name: 'B', dims: [2, 2, 3] }, { name: 'C', dims: [2, 3, 3] }], ['X', 'B', 'C'], y([2, 6, 3]), { attrs: { axis: 1 } }));
cases.push(single('Concat 3 inputs, axis -1, one initializer', 'Concat', [x([2, 2]), { name: 'B', dims: [2, 1] }], ['X', 'K', 'B'], y([2, 6]), { attrs: { axis: -1 }, inits: [f32('K', [2, 3], 9, false)] }));
// Shape with start/end (opset 15).
for (const [attrs, out] of [[{}, [4]], [{ start: 1, end: -1 }, [2]], [{ start: -2 }, [2]], [{ end: 1 }, [1]], [{ start: -10, end: 10 }, [4]], [{ start: 3, end: 1 }, [0]]] as [Record<string, number>, number[]][]) {
  cases.push(single(`Shape ${JSON.stringify(attrs)}`, 'Shape', [x([2, 3, 4, 5])], ['X'], y(out, 'int64'), { attrs, opset: 15 }));
}
// Constant nodes in each value form, added to an input so the graph has a runtime part.
const constant = (label: string, attrs: Record<string, Attr>, dims: number[], type: DT = 'float32') => ({
  name: `Constant ${label}`, inputs: [x(dims, type, type === 'float32' ? undefined : [3, -1, 4, 1, -5, 9].slice(0, prod(dims)))], outputs: y(dims, type),
  nodes: [{ op: 'Constant', inputs: [], outputs: ['K'], attrs }, { op: 'Add', inputs: ['X', 'K'], outputs: ['Y'] }],
});
cases.push(
  constant('value (float, raw_data)', { value: { tensor: f32('v', [2, 3], 3) } }, [2, 3]),
  constant('value (int64, typed field)', { value: { tensor: i64('v', [5, -6, 7], [3], false) } }, [2, 3], 'int64'),
);

describe('non-recurrent ops: float reference vs onnxruntime-node', () => {
  cases.forEach((c, idx) => it(c.name, () => check(c, 500 + idx)));

  it('a layout subgraph on initializers is folded into one initializer', async () => {
    const graph = await check({
      name: 'folded-weights', inputs: [x([3, 4])], outputs: y([3, 4]),
      inits: [f32('W0', [5, 4], 31, false), i64('s', [1]), i64('e', [1000]), i64('a', [-1])],
      nodes: [
        { op: 'Transpose', inputs: ['W0'], outputs: ['Wt'] },
        { op: 'Slice', inputs: ['Wt', 's', 'e', 'a'], outputs: ['Ws'] },
        { op: 'Relu', inputs: ['Ws'], outputs: ['Wr'] },
        { op: 'MatMul', inputs: ['X', 'Wr'], outputs: ['Y'] },
      ],
    }, 98);
    expect(graph.nodes.map((n) => n.op)).toEqual(['MatMul']);
    expect(graph.initializers.get('Wr')!.shape).toEqual([4, 4]);
  });

  it('the Shape → Gather → Unsqueeze → Concat → Reshape chain around a GRU is folded away', async () => {
    const [T, B, I, H] = [5, 2, 3, 4];
    const graph = await check({
      name: 'gru-chain', opset: 13,
      inputs: [x([T, B, I])],
      outputs: [{ name: 'Z', dims: [T * B, 3] }, { name: 'Y_h', dims: [1, B, H] }],
      inits: [f32('W', [1, 3 * H, I], 21, false), f32('R', [1, 3 * H, H], 22), f32('Bias', [1, 6 * H], 23, false), f32('D', [H, 3], 24),
        i64('ax1', [1]), i64('ax0', [0], [1], false), i64('i0', [0], []), i64('i1', [-2], [], false), i64('minus1', [-1])],
      nodes: [
        { op: 'GRU', inputs: ['X', 'W', 'R', 'Bias'], outputs: ['Y', 'Y_h'], attrs: { hidden_size: H } },
        { op: 'Squeeze', inputs: ['Y', 'ax1'], outputs: ['Ys'] },
        { op: 'Shape', inputs: ['Ys'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'i0'], outputs: ['t'] },
        { op: 'Gather', inputs: ['s', 'i1'], outputs: ['b'] },
        { op: 'Mul', inputs: ['t', 'b'], outputs: ['tb'] },
        { op: 'Unsqueeze', inputs: ['tb', 'ax0'], outputs: ['tbu'] },
        { op: 'Concat', inputs: ['tbu', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['Ys', 'target'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'D'], outputs: ['Z'] },
      ],
    }, 99);
    expect(graph.nodes.map((n) => n.op)).toEqual(['GRU', 'Squeeze', 'Reshape', 'MatMul']);
    expect(Array.from(graph.initializers.get('target')!.data)).toEqual([T * B, -1]);
    for (const gone of ['s', 't', 'b', 'tb', 'tbu', 'i0', 'i1', 'ax0', 'minus1']) expect(graph.initializers.has(gone), gone).toBe(false);
  });
});
