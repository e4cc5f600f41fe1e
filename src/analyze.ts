/**
 * @fileoverview Per-layer analysis: op, shapes, parameters, MACs and weight storage at each
 * precision, from the op table's cost hooks.
 */
import { nodeCost } from '../compiler/ir/infer.ts';
import { formatShape, type Graph } from '../compiler/ir/types.ts';

export interface LayerRow {
  name: string;
  op: string;
  input_shapes: string[];
  output_shapes: string[];
  params: number;
  weights: number;
  biases: number;
  macs: number;
  /** 'step': per time step per batch element (recurrent layers); 'row': per output row. */
  macs_per: 'step' | 'row';
  bytes: { f32: number; int16: number; int8: number };
}

export interface Analysis {
  model: string;
  meta: Graph['meta'];
  inputs: { name: string; shape: string }[];
  outputs: { name: string; shape: string }[];
  layers: LayerRow[];
  totals: { params: number; macs_per_step: number; macs_per_row: number; bytes: LayerRow['bytes'] };
}

/** Quantized layouts keep biases in int32: weights at 1 or 2 bytes, biases at 4. */
export function storageBytes(weights: number, biases: number): LayerRow['bytes'] {
  return { f32: 4 * (weights + biases), int16: 2 * weights + 4 * biases, int8: weights + 4 * biases };
}

export function analyzeGraph(graph: Graph): Analysis {
  const layers: LayerRow[] = [];
  for (const node of graph.nodes) {
    const cost = nodeCost(graph, node);
    if (!cost || cost.weights + cost.biases + cost.macs === 0) continue;
    const shapeOf = (n: string) => (n ? formatShape(graph.values.get(n)?.shape ?? []) : '-');
    layers.push({
      name: node.name, op: node.op,
      input_shapes: node.inputs.filter(Boolean).filter((n) => !graph.initializers.has(n)).map(shapeOf),
      output_shapes: node.outputs.filter(Boolean).map(shapeOf),
      params: cost.weights + cost.biases, weights: cost.weights, biases: cost.biases,
      macs: cost.macs, macs_per: cost.per === 'step' ? 'step' : 'row',
      bytes: storageBytes(cost.weights, cost.biases),
    });
  }
  const sum = (f: (l: LayerRow) => number) => layers.reduce((a, l) => a + f(l), 0);
  return {
    model: graph.source, meta: graph.meta,
    inputs: graph.inputs.map((v) => ({ name: v.name, shape: formatShape(v.shape) })),
    outputs: graph.outputs.map((v) => ({ name: v.name, shape: formatShape(v.shape) })),
    layers,
    totals: {
      params: sum((l) => l.params),
      macs_per_step: sum((l) => (l.macs_per === 'step' ? l.macs : 0)),
      macs_per_row: sum((l) => (l.macs_per === 'row' ? l.macs : 0)),
      bytes: { f32: sum((l) => l.bytes.f32), int16: sum((l) => l.bytes.int16), int8: sum((l) => l.bytes.int8) },
    },
  };
}
