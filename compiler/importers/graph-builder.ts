/**
 * @fileoverview A small helper to assemble an IR graph from code, for importers whose source
 * format is not a graph of ONNX nodes (TF.js layers, PyTorch modules). It fills attribute
 * defaults and normalizes through the op table exactly as the ONNX importer does, then runs the
 * same finishing passes (shape inference, constant folding, finite-weight check), so a graph
 * built here is indistinguishable from one decoded from an ONNX file.
 *
 * It lives with the TF.js importer; the PyTorch importer imports it from here.
 */
import { fail, LIMITS } from '../errors.ts';
import { inferShapes } from '../ir/infer.ts';
import { opSpec } from '../ir/ops.ts';
import type { AttrValue, Dim, Graph, Node, Tensor } from '../ir/types.ts';
import { checkFiniteWeights } from '../passes/check-weights.ts';
import { foldConstants } from '../passes/fold-constants.ts';

export const int64 = (values: number[]): Tensor => ({ dtype: 'int64', shape: [values.length], data: Float64Array.from(values) });
export const scalarF32 = (v: number): Tensor => ({ dtype: 'float32', shape: [], data: Float32Array.of(v) });

export class GraphBuilder {
  readonly graph: Graph;
  private readonly used = new Set<string>();

  constructor(name: string, source: string, meta: Record<string, string | number>) {
    this.graph = { name, inputs: [], outputs: [], initializers: new Map(), nodes: [], values: new Map(), source, meta };
  }

  /** A value name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.used.has(name); k++) name = `${hint}_${k}`;
    this.used.add(name);
    return name;
  }

  input(name: string, shape: Dim[]): string {
    const n = this.fresh(name);
    const info = { name: n, dtype: 'float32' as const, shape };
    this.graph.inputs.push(info);
    this.graph.values.set(n, info);
    return n;
  }

  constant(hint: string, t: Tensor): string {
    const n = this.fresh(hint);
    this.graph.initializers.set(n, t);
    this.graph.values.set(n, { name: n, dtype: t.dtype, shape: [...t.shape] });
    return n;
  }

  /**
   * Adds a node; `outputs` are name hints ('' for an output nobody reads). `where` names the
   * source layer/module so that attribute errors point at it.
   */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue>, outputs: string[], where: string): string[] {
    if (this.graph.nodes.length >= LIMITS.maxNodes) fail(`${this.graph.source}: more than ${LIMITS.maxNodes} nodes`);
    const spec = opSpec(op);
    const all: Record<string, AttrValue> = { ...attrs };
    for (const [key, a] of Object.entries(spec.attrs)) {
      if (all[key] === undefined && a.default !== undefined) all[key] = (Array.isArray(a.default) ? [...a.default] : a.default) as AttrValue;
    }
    const outs = outputs.map((o) => (o ? this.fresh(o) : ''));
    const node: Node = { name: this.fresh(`${op}_${outs.find(Boolean) ?? op}`), op, inputs, outputs: outs, attrs: all };
    spec.normalize?.(node, (m) => fail(`${this.graph.source}: ${where}: ${m}`));
    this.graph.nodes.push(node);
    return outs;
  }

  /** Shorthand for single-output nodes. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue>, out: string, where: string): string {
    return this.node(op, inputs, attrs, [out], where)[0];
  }

  /** Renames a node output (before finish), so graph outputs carry the names users expect. */
  rename(from: string, to: string): string {
    if (from === to) return to;
    const name = this.fresh(to);
    for (const n of this.graph.nodes) {
      n.outputs = n.outputs.map((o) => (o === from ? name : o));
      n.inputs = n.inputs.map((i) => (i === from ? name : i));
    }
    return name;
  }

  /** Shape inference, constant folding and weight checks, as the ONNX importer runs them. */
  finish(outputs: string[]): Graph {
    const g = this.graph;
    inferShapes(g);
    g.outputs = outputs.map((name) => {
      const info = g.values.get(name) ?? fail(`${g.source}: output '${name}' is not produced`);
      return { name, dtype: info.dtype, shape: [...info.shape] };
    });
    foldConstants(g);
    inferShapes(g);
    checkFiniteWeights(g);
    return g;
  }
}
