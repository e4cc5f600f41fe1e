/**
 * @fileoverview Refuses NaN or infinite values in constant float tensors: they would poison every
 * calibration range and every output, and are always a broken export.
 */
import { fail } from '../errors.ts';
import type { Graph } from '../ir/types.ts';

export function checkFiniteWeights(graph: Graph): void {
  for (const [name, t] of graph.initializers) {
    if (t.dtype !== 'float32') continue;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i];
      if (!Number.isFinite(v)) fail(`${graph.source}: initializer '${name}' holds ${v} at flat index ${i}; weights must be finite`);
    }
  }
}
