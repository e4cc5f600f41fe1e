/**
 * The IR verifier: every imported conformance model is valid, and stays valid when the passes
 * run again (the verifier runs between them); each kind of broken graph is reported with a
 * message that names the node (or graph output) and the problem. The expected messages come
 * from reasoning about the hand-made graph, not from running the verifier.
 */
import { describe, expect, it } from 'vitest';
import { loadOnnx, loadOnnxFile } from '../compiler/importers/onnx/load.ts';
import { inferShapes } from '../compiler/ir/infer.ts';
import type { Graph } from '../compiler/ir/types.ts';
import { verifyGraph } from '../compiler/ir/verify.ts';
import { foldConstants } from '../compiler/passes/fold-constants.ts';
import { runReference } from '../compiler/reference/interpreter.ts';
import { onnxConformanceCases } from './helpers/cases.ts';
import { buildModel, rng, uniform } from './helpers/onnx-builder.ts';

describe('verifier on the imported conformance models', () => {
  const cases = onnxConformanceCases();
  it('finds the conformance cases', () => expect(cases.length).toBeGreaterThanOrEqual(23));

  for (const c of cases) {
    it(c.name, () => {
      const graph = loadOnnxFile(`${c.dir}/model.onnx`);
      expect(graph.nodes.length).toBeGreaterThan(0);
      expect(verifyGraph(graph)).toEqual([]);
      const ops = graph.nodes.map((n) => `${n.name}:${n.op}`);
      foldConstants(graph);
      expect(verifyGraph(graph)).toEqual([]);
      // Import already folded everything foldable: a second fold changes nothing.
      expect(graph.nodes.map((n) => `${n.name}:${n.op}`)).toEqual(ops);
      inferShapes(graph);
      expect(verifyGraph(graph)).toEqual([]);
    });
  }
});

describe('verifier between passes on a graph with a foldable shape chain', () => {
  it('stays valid through inferShapes → foldConstants → inferShapes, and folding keeps the values', () => {
    const g = base();
    const i64 = (data: number[], shape = [data.length]) => ({ dtype: 'int64' as const, shape, data: Float64Array.from(data) });
    for (const [name, t] of [['one', i64([1], [])], ['ax0', i64([0])], ['minus1', i64([-1])]] as const) {
      g.initializers.set(name, t);
      g.values.set(name, { name, dtype: 'int64', shape: [...t.shape] });
    }
    // r[2,4] → Reshape(r, Concat(-1, Unsqueeze(Gather(Shape(r), 1)))) → r2[2,4] → cat
    g.nodes.splice(2, 0,
      { name: 'shape', op: 'Shape', inputs: ['r'], outputs: ['s'], attrs: { start: 0 } },
      { name: 'pick', op: 'Gather', inputs: ['s', 'one'], outputs: ['d'], attrs: { axis: 0 } },
      { name: 'unsq', op: 'Unsqueeze', inputs: ['d', 'ax0'], outputs: ['du'], attrs: {} },
      { name: 'join', op: 'Concat', inputs: ['minus1', 'du'], outputs: ['tgt'], attrs: { axis: 0 } },
      { name: 'reshape', op: 'Reshape', inputs: ['r', 'tgt'], outputs: ['r2'], attrs: { allowzero: 0 } });
    node(g, 'cat').inputs[0] = 'r2';
    inferShapes(g);
    expect(verifyGraph(g)).toEqual([]);
    expect(g.values.get('r2')!.shape).toEqual(['reshape:0', 'reshape:1']);
    const feed = new Map([['X', { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from(uniform(rng(8), 6)) }]]);
    const before = Array.from(runReference(g, feed).get('Y')!.data);
    foldConstants(g);
    expect(verifyGraph(g)).toEqual([`node 'reshape' (Reshape): output 'r2' recorded as float32[reshape:0,reshape:1] but infers float32[2,4]`]);
    inferShapes(g);
    expect(verifyGraph(g)).toEqual([]);
    expect(g.nodes.map((n) => n.name)).toEqual(['gemm', 'relu', 'reshape', 'cat']);
    expect(Array.from(g.initializers.get('tgt')!.data)).toEqual([-1, 4]);
    for (const dead of ['s', 'd', 'du', 'one', 'ax0', 'minus1']) expect(g.initializers.has(dead), dead).toBe(false);
    expect(g.values.get('r2')!.shape).toEqual([2, 4]);
    expect(Array.from(runReference(g, feed).get('Y')!.data)).toEqual(before);
  });
});

/**
 * X[2,3] → Gemm 'gemm' (W[3,4], C[4]) → h[2,4] → Relu 'relu' → r → Concat 'cat' (r, K[2,1], axis 1) → Y[2,5]
 */
function base(): Graph {
  const r = rng(3);
  const bytes = buildModel({
    inputs: [{ name: 'X', dims: [2, 3] }],
    outputs: [{ name: 'Y', dims: [2, 5] }],
    initializers: [
      { name: 'W', dims: [3, 4], data: uniform(r, 12) },
      { name: 'C', dims: [4], data: uniform(r, 4), raw: false },
      { name: 'K', dims: [2, 1], data: uniform(r, 2) },
    ],
    nodes: [
      { name: 'gemm', op: 'Gemm', inputs: ['X', 'W', 'C'], outputs: ['h'], attrs: { alpha: 0.5 } },
      { name: 'relu', op: 'Relu', inputs: ['h'], outputs: ['r'] },
      { name: 'cat', op: 'Concat', inputs: ['r', 'K'], outputs: ['Y'], attrs: { axis: 1 } },
    ],
  });
  return loadOnnx(bytes, 'base.onnx');
}

const node = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;

describe('verifier reports broken graphs', () => {
  it('accepts the intact graph, which also runs', () => {
    const g = base();
    expect(verifyGraph(g)).toEqual([]);
    expect(g.values.get('Y')!.shape).toEqual([2, 5]);
    const out = runReference(g, new Map([['X', { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) }]])).get('Y')!;
    // X = 0: Y[:, :4] = relu(C), Y[:, 4] = K.
    const c = g.initializers.get('C')!.data, k = g.initializers.get('K')!.data;
    expect(Array.from(out.data)).toEqual(Array.from(new Float32Array([...Array.from(c, (v) => Math.max(v, 0)), k[0], ...Array.from(c, (v) => Math.max(v, 0)), k[1]])));
  });

  it('unknown op', () => {
    const g = base();
    node(g, 'relu').op = 'Frobnicate';
    expect(verifyGraph(g)[0]).toBe(`node 'relu' (Frobnicate): op not in the op table`);
  });

  it('missing required input', () => {
    const g = base();
    node(g, 'gemm').inputs[1] = '';
    expect(verifyGraph(g)).toContain(`node 'gemm' (Gemm): required input B missing`);
  });

  it('missing required attribute', () => {
    const g = base();
    delete node(g, 'cat').attrs.axis;
    const problems = verifyGraph(g);
    expect(problems).toContain(`node 'cat' (Concat): required attribute 'axis' missing`);
  });

  it('too many inputs', () => {
    const g = base();
    node(g, 'relu').inputs.push('X');
    expect(verifyGraph(g)).toEqual([`node 'relu' (Relu): 2 inputs, op takes at most 1`]);
  });

  it('unknown attribute', () => {
    const g = base();
    node(g, 'relu').attrs.gamma = 2;
    expect(verifyGraph(g)).toEqual([`node 'relu' (Relu): unknown attribute 'gamma'`]);
  });

  it('attribute of the wrong type', () => {
    const g = base();
    node(g, 'gemm').attrs.alpha = 'large';
    node(g, 'gemm').attrs.transB = 0.5;
    node(g, 'cat').attrs.axis = [1];
    expect(verifyGraph(g)).toEqual(expect.arrayContaining([
      `node 'gemm' (Gemm): attribute 'alpha' is not of type float`,
      `node 'gemm' (Gemm): attribute 'transB' is not of type int`,
      `node 'cat' (Concat): attribute 'axis' is not of type int`,
    ]));
  });

  it('value used before its definition', () => {
    const g = base();
    g.nodes.reverse();
    const problems = verifyGraph(g);
    expect(problems).toContain(`node 'cat' (Concat): input 'r' used before it is defined`);
    expect(problems).toContain(`node 'relu' (Relu): input 'h' used before it is defined`);
    expect(problems.some((p) => p.includes(`'gemm'`))).toBe(false);
  });

  it('value used but never defined', () => {
    const g = base();
    node(g, 'relu').inputs[0] = 'nowhere';
    const problems = verifyGraph(g);
    expect(problems).toContain(`node 'relu' (Relu): input 'nowhere' used before it is defined`);
    // Inference is skipped for a node with port problems, so the same fault is not reported twice.
    expect(problems.filter((p) => p.includes(`'relu'`))).toHaveLength(1);
  });

  it('output defined twice', () => {
    const g = base();
    g.nodes.splice(2, 0, { name: 'again', op: 'Identity', inputs: ['h'], outputs: ['r'], attrs: {} });
    expect(verifyGraph(g)).toEqual([`node 'again' (Identity): output 'r' is defined twice`]);
  });

  it('output that redefines a graph input or initializer', () => {
    const g = base();
    node(g, 'relu').outputs[0] = 'K';
    node(g, 'cat').inputs[0] = 'K';
    const problems = verifyGraph(g);
    expect(problems).toContain(`node 'relu' (Relu): output 'K' is defined twice`);
  });

  it('duplicate node name', () => {
    const g = base();
    node(g, 'relu').name = 'gemm';
    expect(verifyGraph(g)).toEqual([`node 'gemm' (Relu): duplicate node name`]);
  });

  it('stale recorded shape and type', () => {
    const g = base();
    g.values.set('h', { name: 'h', dtype: 'float32', shape: [2, 7] });
    const problems = verifyGraph(g);
    expect(problems[0]).toBe(`node 'gemm' (Gemm): output 'h' recorded as float32[2,7] but infers float32[2,4]`);
    // Inference downstream reads the stale record, so relu's recorded [2,4] now disagrees too.
    expect(problems).toContain(`node 'relu' (Relu): output 'r' recorded as float32[2,4] but infers float32[2,7]`);
    const g2 = base();
    g2.values.set('Y', { name: 'Y', dtype: 'int64', shape: [2, 5] });
    expect(verifyGraph(g2)).toEqual([`node 'cat' (Concat): output 'Y' recorded as int64[2,5] but infers float32[2,5]`]);
  });

  it('output with no recorded info', () => {
    const g = base();
    g.values.delete('Y');
    expect(verifyGraph(g)).toEqual([`node 'cat' (Concat): output 'Y' has no inferred info`]);
  });

  it('inference failure inside a node names the node', () => {
    const g = base();
    g.initializers.set('K', { dtype: 'float32', shape: [3, 1], data: new Float32Array(3) });
    g.values.set('K', { name: 'K', dtype: 'float32', shape: [3, 1] });
    const problems = verifyGraph(g);
    expect(problems[0]).toMatch(/^base\.onnx: node 'cat' \(Concat\): input 'K' has shape \[3,1\], incompatible with \[2,4\]/);
  });

  it('graph output never produced', () => {
    const g = base();
    g.nodes.pop();
    expect(verifyGraph(g)).toEqual([`graph output 'Y' is never produced`]);
    const g2 = base();
    g2.outputs.push({ name: 'ghost', dtype: 'float32', shape: [1] });
    expect(verifyGraph(g2)).toEqual([`graph output 'ghost' is never produced`]);
  });
});
