/**
 * @fileoverview Shape inference over a whole graph, and the InferContext every op-spec hook
 * receives. Errors name the node and op so users can find the place in their model.
 */
import { fail as raise, LIMITS } from '../errors.ts';
import type { InferContext, OpCost } from './op-spec.ts';
import { opSpec } from './ops.ts';
import type { Graph, Node, ValueInfo } from './types.ts';

export function describeNode(node: Node): string {
  return `node '${node.name}' (${node.op})`;
}

export function inferContext(graph: Graph, node: Node): InferContext {
  const where = `${graph.source}: ${describeNode(node)}`;
  const fail = (message: string): never => raise(`${where}: ${message}`);
  const inputs = node.inputs.map((name) => {
    if (name === '') return undefined;
    return graph.values.get(name) ?? fail(`input '${name}' is not a graph input, an initializer or an output of an earlier node`);
  });
  return { node, inputs, constant: (i) => (node.inputs[i] ? graph.initializers.get(node.inputs[i]) : undefined), fail };
}

/** Recomputes `graph.values` for every node output, in node order. */
export function inferShapes(graph: Graph): void {
  for (const node of graph.nodes) {
    const ctx = inferContext(graph, node);
    const spec = opSpec(node.op);
    const outs = spec.infer(ctx);
    node.outputs.forEach((name, i) => {
      if (!name || !outs[i]) return;
      for (const d of outs[i].shape) {
        if (typeof d === 'number' && (!Number.isInteger(d) || d < 0 || d > LIMITS.maxTensorElements)) {
          ctx.fail(`output '${name}' would have dimension ${d}`);
        }
      }
      const info: ValueInfo = { name, dtype: outs[i].dtype, shape: outs[i].shape };
      graph.values.set(name, info);
    });
  }
}

export function nodeCost(graph: Graph, node: Node): OpCost | undefined {
  const spec = opSpec(node.op);
  return spec.cost?.(inferContext(graph, node));
}
