/**
 * @fileoverview Freezes every runtime input but the sequence into a constant, taking its value
 * from a test-data set. ONNX backend tests feed W, R, B and initial states as inputs; a
 * microcontroller module bakes them in. The first graph input is kept as the sequence.
 */
import type { Graph, Tensor } from '../ir/types.ts';
import { inferShapes } from '../ir/infer.ts';
import { checkFiniteWeights } from './check-weights.ts';
import { foldConstants } from './fold-constants.ts';

/** Returns the names it froze. `values[i]` is the tensor for graph.inputs[i]. */
export function freezeInputs(graph: Graph, values: Tensor[]): string[] {
  const frozen = graph.inputs.slice(1).map((v) => v.name);
  graph.inputs.slice(1).forEach((v, i) => {
    const t = values[i + 1];
    graph.initializers.set(v.name, t);
    graph.values.set(v.name, { name: v.name, dtype: t.dtype, shape: [...t.shape] });
  });
  graph.inputs = graph.inputs.slice(0, 1);
  if (frozen.length) {
    inferShapes(graph);
    foldConstants(graph);
    inferShapes(graph);
    checkFiniteWeights(graph);
  }
  return frozen;
}
