/**
 * @fileoverview ONNX model → IR graph. Decodes with onnx-proto, converts nodes through the op
 * table in ./ops.ts, normalizes attributes with the IR op specs, folds constant subgraphs
 * (Shape/Gather/Concat chains exporters emit, Constant nodes), infers shapes and checks weights.
 */
import { readFileSync } from 'node:fs';
import { fail, LIMITS } from '../../errors.ts';
import { inferShapes } from '../../ir/infer.ts';
import { OPS } from '../../ir/ops.ts';
import type { AttrValue, Dim, Graph, Node, Tensor, ValueInfo } from '../../ir/types.ts';
import { foldConstants } from '../../passes/fold-constants.ts';
import { checkFiniteWeights } from '../../passes/check-weights.ts';
import { convertAttribute } from './attributes.ts';
import { LEGACY_ATTR_TYPES, MAX_OPSET, MIN_OPSET, ONNX_OPS, int64 } from './ops.ts';
import { num, onnx, type OnnxNs } from './proto.ts';
import { irDType, tensorFromProto } from './tensor.ts';

export function loadOnnxFile(file: string): Graph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return fail(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return loadOnnx(bytes, file);
}

export function decodeModel(bytes: Uint8Array, source: string): OnnxNs.ModelProto {
  let model: OnnxNs.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(`${source}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  if (!model.graph || !num(model.irVersion)) fail(`${source}: not an ONNX model (no graph or ir_version)`);
  return model;
}

function opsetOf(model: OnnxNs.ModelProto, source: string): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  // IR version 3 models without an explicit import default to opset 1, older than rnnc handles.
  const opset = entry ? num(entry.version) : 1;
  if (opset < MIN_OPSET || opset > MAX_OPSET) fail(`${source}: ONNX opset ${opset} is not supported (rnnc reads opsets ${MIN_OPSET} to ${MAX_OPSET})`);
  return opset;
}

function valueInfo(v: OnnxNs.IValueInfoProto, source: string): ValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) fail(`${source}: graph input/output '${name}' is not a tensor`);
  const dims: Dim[] = (tt.shape?.dim ?? []).map((d, i) =>
    d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? num(d.dimValue) : `${name}:${i}`);
  for (const d of dims) if (typeof d === 'number' && d > LIMITS.maxTensorElements) fail(`${source}: '${name}' has dimension ${d}, above the limit`);
  return { name, dtype: irDType(tt.elemType ?? 0, `${source}: '${name}'`), shape: dims };
}

export function loadOnnx(bytes: Uint8Array, source: string): Graph {
  const model = decodeModel(bytes, source);
  const opset = opsetOf(model, source);
  const g = model.graph as OnnxNs.GraphProto;
  if (g.node.length > LIMITS.maxNodes) fail(`${source}: ${g.node.length} nodes, above the limit of ${LIMITS.maxNodes}`);
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) initializers.set(t.name ?? '', tensorFromProto(t, `${source}: initializer '${t.name}'`));
  if (g.sparseInitializer?.length) fail(`${source}: sparse initializers are not supported`);
  const inputs = g.input.filter((v) => !initializers.has(v.name ?? '')).map((v) => valueInfo(v, source));
  const graph: Graph = {
    name: g.name || 'model', inputs, outputs: g.output.map((v) => valueInfo(v, source)), initializers, nodes: [],
    values: new Map(), source, meta: { format: 'onnx', opset, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim() },
  };
  for (const v of inputs) graph.values.set(v.name, v);
  for (const [name, t] of initializers) graph.values.set(name, { name, dtype: t.dtype, shape: [...t.shape] });
  let counter = 0;
  const addConstant = (hint: string, t: Tensor): string => {
    let name = hint;
    while (graph.values.has(name)) name = `${hint}_${++counter}`;
    initializers.set(name, t);
    graph.values.set(name, { name, dtype: t.dtype, shape: [...t.shape] });
    return name;
  };
  const names = new Set<string>();
  g.node.forEach((p, index) => {
    const node = convertNode(p, index, opset, source, addConstant);
    while (names.has(node.name)) node.name = `${node.name}_${index}`;
    names.add(node.name);
    if (node.op === 'Constant') {
      initializers.set(node.outputs[0], node.attrs.value as Tensor);
      graph.values.set(node.outputs[0], { name: node.outputs[0], dtype: (node.attrs.value as Tensor).dtype, shape: [...(node.attrs.value as Tensor).shape] });
      return;
    }
    graph.nodes.push(node);
  });
  checkTopologicalOrder(graph);
  inferShapes(graph);
  foldConstants(graph);
  inferShapes(graph);
  checkFiniteWeights(graph);
  for (const out of graph.outputs) {
    const info = graph.values.get(out.name);
    if (!info) fail(`${source}: graph output '${out.name}' is not produced by any node`);
    // The inferred shape is more precise than a declared symbolic one.
    out.shape = info.shape.map((d, i) => (typeof d === 'number' ? d : out.shape[i] ?? d));
  }
  return graph;
}

function convertNode(p: OnnxNs.INodeProto, index: number, opset: number, source: string,
  addConstant: (hint: string, t: Tensor) => string): Node {
  const opType = p.opType ?? '';
  const name = p.name || `${opType}_${index}`;
  const where = `${source}: node '${name}' (${opType}, opset ${opset})`;
  if (p.domain && p.domain !== 'ai.onnx') fail(`${where}: op domain '${p.domain}' is not supported`);
  const rule = ONNX_OPS[opType];
  const spec = OPS[opType];
  if (!rule || !spec) fail(`${source}: node '${name}': op ${opType} (opset ${opset}) is not supported`);
  if (opType === 'Constant') return constantNode(p, name, where);
  const moved = rule.attrToInput?.(opset) ?? [];
  const inputs = [...(p.input ?? [])];
  const attrs: Record<string, AttrValue> = {};
  for (const a of p.attribute ?? []) {
    const key = a.name ?? '';
    if (rule.ignore?.includes(key)) continue;
    const move = moved.find((m) => m.attr === key);
    if (move) {
      const values = convertAttribute(a, LEGACY_ATTR_TYPES[key], where) as number[];
      while (inputs.length < move.index) inputs.push('');
      inputs[move.index] = addConstant(`${name}.${key}`, int64(values));
      continue;
    }
    const want = spec.attrs[key];
    if (!want) fail(`${where}: attribute '${key}' is not supported`);
    attrs[key] = convertAttribute(a, want.type, where);
  }
  rule.adjust?.(attrs, opset);
  for (const [key, a] of Object.entries(spec.attrs)) {
    if (attrs[key] === undefined && a.default !== undefined) attrs[key] = (Array.isArray(a.default) ? [...a.default] : a.default) as AttrValue;
    if (attrs[key] === undefined && a.required) fail(`${where}: required attribute '${key}' is missing`);
  }
  while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
  const node: Node = { name, op: opType, inputs, outputs: [...(p.output ?? [])], attrs };
  spec.normalize?.(node, (m) => fail(`${where}: ${m}`));
  return node;
}

/** Constant's value forms (value, value_float(s), value_int(s)) all become one tensor. */
function constantNode(p: OnnxNs.INodeProto, name: string, where: string): Node {
  const a = p.attribute?.[0];
  if (!a || p.attribute!.length !== 1) fail(`${where}: expected exactly one value attribute`);
  let value: Tensor;
  switch (a.name) {
    case 'value': value = convertAttribute(a, 'tensor', where) as Tensor; break;
    case 'value_float': value = { dtype: 'float32', shape: [], data: Float32Array.of(a.f ?? 0) }; break;
    case 'value_floats': value = { dtype: 'float32', shape: [a.floats!.length], data: Float32Array.from(a.floats!) }; break;
    case 'value_int': value = { dtype: 'int64', shape: [], data: Float64Array.of(num(a.i)) }; break;
    case 'value_ints': value = int64((a.ints ?? []).map(num)); break;
    default: return fail(`${where}: Constant attribute '${a.name}' is not supported`);
  }
  return { name, op: 'Constant', inputs: [], outputs: [...(p.output ?? [])], attrs: { value } };
}

function checkTopologicalOrder(graph: Graph): void {
  const known = new Set(graph.values.keys());
  for (const node of graph.nodes) {
    for (const i of node.inputs) {
      if (i && !known.has(i)) {
        const producer = graph.nodes.find((n) => n.outputs.includes(i));
        fail(producer
          ? `${graph.source}: node '${node.name}' (${node.op}) uses '${i}' before node '${producer.name}' produces it`
          : `${graph.source}: node '${node.name}' (${node.op}) input '${i}' is missing: not a graph input, initializer or node output`);
      }
    }
    for (const o of node.outputs) if (o) known.add(o);
  }
}
