/**
 * @fileoverview The IR verifier. Tests run it between passes: it checks that the graph is
 * well formed (every op known, ports and attributes as the op table says, values defined before
 * use, outputs produced) and that the recorded shapes are what inference computes now.
 */
import { RnncError } from '../errors.ts';
import { describeNode, inferContext } from './infer.ts';
import { OPS } from './ops.ts';
import type { Graph } from './types.ts';

const ATTR_CHECK: Record<string, (v: unknown) => boolean> = {
  int: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number',
  string: (v) => typeof v === 'string',
  ints: (v) => Array.isArray(v) && v.every(Number.isInteger),
  floats: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  strings: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  tensor: (v) => typeof v === 'object' && v !== null && 'data' in v,
};

/** Returns the list of problems; empty means the graph is valid. */
export function verifyGraph(graph: Graph): string[] {
  const problems: string[] = [];
  const defined = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const names = new Set<string>();
  for (const node of graph.nodes) {
    const where = describeNode(node);
    if (names.has(node.name)) problems.push(`${where}: duplicate node name`);
    names.add(node.name);
    const spec = OPS[node.op];
    const declareOutputs = () => node.outputs.forEach((name) => {
      if (!name) return;
      if (defined.has(name)) problems.push(`${where}: output '${name}' is defined twice`);
      defined.add(name);
    });
    if (!spec) {
      problems.push(`${where}: op not in the op table`);
      declareOutputs(); // so later uses are not reported again
      continue;
    }
    const before = problems.length;
    const variadic = spec.inputs.at(-1)?.variadic;
    if (!variadic && node.inputs.length > spec.inputs.length) problems.push(`${where}: ${node.inputs.length} inputs, op takes at most ${spec.inputs.length}`);
    spec.inputs.forEach((p, i) => {
      if (!p.optional && !node.inputs[i]) problems.push(`${where}: required input ${p.name} missing`);
    });
    node.inputs.forEach((name) => {
      if (name && !defined.has(name)) problems.push(`${where}: input '${name}' used before it is defined`);
    });
    for (const [key, value] of Object.entries(node.attrs)) {
      const a = spec.attrs[key];
      if (!a) problems.push(`${where}: unknown attribute '${key}'`);
      else if (!ATTR_CHECK[a.type](value)) problems.push(`${where}: attribute '${key}' is not of type ${a.type}`);
    }
    for (const [key, a] of Object.entries(spec.attrs)) {
      if (a.required && node.attrs[key] === undefined) problems.push(`${where}: required attribute '${key}' missing`);
    }
    declareOutputs();
    if (problems.length > before) continue; // inference would only trip over the same problems
    try {
      const outs = spec.infer(inferContext(graph, node));
      node.outputs.forEach((name, i) => {
        if (!name) return;
        const rec = graph.values.get(name);
        if (!rec || !outs[i]) problems.push(`${where}: output '${name}' has no inferred info`);
        else if (rec.dtype !== outs[i].dtype || rec.shape.join(',') !== outs[i].shape.join(',')) {
          problems.push(`${where}: output '${name}' recorded as ${rec.dtype}[${rec.shape}] but infers ${outs[i].dtype}[${outs[i].shape}]`);
        }
      });
    } catch (e) {
      problems.push(e instanceof RnncError ? e.message : `${where}: ${String(e)}`);
    }
  }
  for (const out of graph.outputs) if (!defined.has(out.name)) problems.push(`graph output '${out.name}' is never produced`);
  return problems;
}

export function assertValidGraph(graph: Graph): void {
  const problems = verifyGraph(graph);
  if (problems.length) throw new Error(`invalid IR:\n  ${problems.join('\n  ')}`);
}
