/**
 * @fileoverview estimateModel (src/estimate/index.ts) for a graph already in memory — the cell
 * sweep's SRU and QRNN layers are built in code, not read from a file.
 */
import type { Graph } from '../../compiler/ir/types.ts';
import { compileGraph, type CompileOptions } from '../compile.ts';
import type { UsageOptions } from '../estimate/estimate.ts';
import { estimateWith, type ModelEstimates } from '../estimate/index.ts';

/** The graph is compiled once per strategy (compiling changes a graph only to freeze extra inputs, as --data does). */
export function estimateGraph(graph: Graph, spec: string, o: CompileOptions, use: UsageOptions): Promise<ModelEstimates> {
  return estimateWith((opts) => compileGraph(graph, opts), spec, o, use);
}
