/**
 * @fileoverview Engines that execute a model: the float reference now; the fixed-point
 * simulator and compiled WASM arrive with the fixed-point compiler.
 */
import { fail } from '../compiler/errors.ts';
import type { Graph, Tensor } from '../compiler/ir/types.ts';
import { runReference } from '../compiler/reference/interpreter.ts';

export const ENGINES = ['reference'] as const;

export interface EngineResult {
  engine: string;
  quant: string;
  outputs: Tensor[];
}

export function runEngine(engine: string, graph: Graph, inputs: Tensor[]): EngineResult {
  if (engine !== 'reference') fail(`--engine ${engine} is not available (available: ${ENGINES.join(', ')})`);
  const result = runReference(graph, new Map(graph.inputs.map((v, i) => [v.name, inputs[i]])));
  return { engine, quant: 'f32', outputs: graph.outputs.map((o) => result.get(o.name)!) };
}
