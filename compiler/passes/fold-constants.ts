/**
 * @fileoverview Constant folding: a node whose inputs are all constants (or a Shape of a value
 * with a fully static shape) is evaluated once with the reference kernels and replaced by an
 * initializer. This removes the Shape → Gather → Concat → Reshape chains exporters emit and
 * turns old-opset attributes into the constants later stages read. Then dead nodes are dropped.
 */
import { isStatic, type Graph, type Tensor } from '../ir/types.ts';
import { runNode } from '../reference/interpreter.ts';

const NEVER_FOLD = new Set(['RNN', 'GRU', 'LSTM']);

export function foldConstants(graph: Graph): void {
  const kept = [];
  for (const node of graph.nodes) {
    let outputs: Tensor[] | undefined;
    if (node.op === 'Shape') {
      const info = graph.values.get(node.inputs[0]);
      if (info && isStatic(info.shape)) {
        const probe: Tensor = { dtype: info.dtype, shape: info.shape, data: new Float32Array(0) };
        outputs = runNode(node, [probe]);
      }
    } else if (!NEVER_FOLD.has(node.op) && node.inputs.every((i) => !i || graph.initializers.has(i))) {
      outputs = runNode(node, node.inputs.map((i) => (i ? graph.initializers.get(i) : undefined)));
    }
    if (!outputs) {
      kept.push(node);
      continue;
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      graph.initializers.set(name, outputs![i]);
      graph.values.set(name, { name, dtype: outputs![i].dtype, shape: [...outputs![i].shape] });
    });
  }
  graph.nodes = kept;
  removeDeadNodes(graph);
}

/** Drops nodes none of whose outputs reach a graph output, and initializers nothing reads. */
export function removeDeadNodes(graph: Graph): void {
  const live = new Set(graph.outputs.map((o) => o.name));
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((o) => o && live.has(o))) continue;
    kept.push(node);
    for (const input of node.inputs) if (input) live.add(input);
  }
  graph.nodes = kept.reverse();
  for (const name of [...graph.initializers.keys()]) {
    if (!live.has(name)) {
      graph.initializers.delete(name);
      graph.values.delete(name);
    }
  }
}
