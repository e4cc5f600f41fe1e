/**
 * @fileoverview The float reference interpreter: runs an IR graph on concrete tensors, node by
 * node, with the kernels below (the oracle every later stage is checked against).
 */
import { fail } from '../errors.ts';
import type { Graph, Node, Tensor } from '../ir/types.ts';
import { binary, cast, softmax, unary } from './kernels/elementwise.ts';
import { gemm, matmul } from './kernels/linear.ts';
import { runRecurrent } from './kernels/recurrent.ts';
import * as shape from './kernels/shape.ts';
import { argMax } from './kernels/reduce.ts';
import { attentionPool } from './kernels/attention.ts';
import { runQrnn, runSru } from './kernels/sru-qrnn.ts';

export type Kernel = (node: Node, inputs: (Tensor | undefined)[]) => Tensor[];

export const KERNELS: Record<string, Kernel> = {
  RNN: (n, i) => runRecurrent('RNN', n, i),
  GRU: (n, i) => runRecurrent('GRU', n, i),
  LSTM: (n, i) => runRecurrent('LSTM', n, i),
  SRU: runSru,
  QRNN: runQrnn,
  Gemm: gemm,
  MatMul: matmul as Kernel,
  Add: binary as Kernel, Sub: binary as Kernel, Mul: binary as Kernel, Div: binary as Kernel,
  Relu: unary as Kernel, Sigmoid: unary as Kernel, Tanh: unary as Kernel, Identity: unary as Kernel,
  Softmax: softmax as Kernel, LogSoftmax: softmax as Kernel, Cast: cast as Kernel,
  Transpose: shape.transpose as Kernel, Squeeze: shape.squeeze, Unsqueeze: shape.unsqueeze as Kernel,
  Reshape: shape.reshape as Kernel, Flatten: shape.flatten as Kernel, Gather: shape.gather as Kernel,
  Slice: shape.slice, Concat: shape.concat as Kernel, Shape: shape.shapeOf as Kernel, Constant: shape.constant,
  ArgMax: argMax as Kernel,
  AttentionPool: attentionPool,
};

export function runNode(node: Node, inputs: (Tensor | undefined)[]): Tensor[] {
  const kernel = KERNELS[node.op] ?? fail(`node '${node.name}': no reference kernel for op ${node.op}`);
  return kernel(node, inputs);
}

/**
 * Runs the graph. `feeds` holds one tensor per graph input, by name. Returns every graph output
 * by name. Input shapes are checked against the graph's (symbolic dims accept any size).
 */
export function runReference(graph: Graph, feeds: Map<string, Tensor>): Map<string, Tensor> {
  const env = new Map<string, Tensor>(graph.initializers);
  for (const input of graph.inputs) {
    const t = feeds.get(input.name) ?? fail(`${graph.source}: no value given for input '${input.name}'`);
    checkFeed(input.name, input.shape, input.dtype, t);
    env.set(input.name, t);
  }
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => (name ? env.get(name) ?? fail(`node '${node.name}': value '${name}' missing`) : undefined));
    const outputs = runNode(node, inputs);
    node.outputs.forEach((name, i) => name && env.set(name, outputs[i]));
  }
  return new Map(graph.outputs.map((o) => [o.name, env.get(o.name)!]));
}

function checkFeed(name: string, shape: (number | string)[], dtype: string, t: Tensor): void {
  const ok = t.shape.length === shape.length && shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!ok) fail(`input '${name}' has shape [${t.shape.join(',')}], the model expects [${shape.join(',')}]`);
  if (t.dtype !== dtype) fail(`input '${name}' has type ${t.dtype}, the model expects ${dtype}`);
}
