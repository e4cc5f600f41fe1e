/**
 * @fileoverview IR graph → Program (see ./program.ts). Walks the nodes in order, giving each
 * value either a constant tensor or a view of vectors; recurrent ops become layers, dense ops
 * (MatMul/Gemm + bias + activation) become heads, layout ops act on views. Whatever cannot be
 * expressed is an error naming the node: the fixed-point compiler never guesses.
 */
import { resolveActivations } from '../ir/activations.ts';
import { GATES, type CellKind } from '../ir/ops/recurrent.ts';
import type { Graph, Node, Tensor } from '../ir/types.ts';
import { fail as raise } from '../errors.ts';
import type { Head, HeadActivation, Layer, LayerDirection, Program, VecRef } from './program.ts';
import { addLayer, bindSequenceInput, lowerQrnn, lowerSru, noteInitialBatch } from './lower-sru-qrnn.ts';
import { lowerAttention } from './lower-attention.ts';
import { gatherDirection, lowerMerge, lowerMul } from './lower-merge.ts';
import * as V from './views.ts';

type Value = { view: V.LView } | { constant: Tensor };

const ints = (t: Tensor) => Array.from(t.data as ArrayLike<number>, Number);

export function lowerGraph(graph: Graph): Program {
  if (graph.inputs.length !== 1) {
    raise(`${graph.source}: the fixed-point compiler needs exactly one runtime input (the sequence); this model has ${graph.inputs.length} (${graph.inputs.map((i) => i.name).join(', ')}). Freeze the others as constants (compile --data does this for weights given as inputs).`);
  }
  const input = graph.inputs[0];
  if (input.shape.length !== 3) raise(`${graph.source}: input '${input.name}' must be 3-D (time, batch, features), not [${input.shape.join(',')}]`);
  const program: Program = {
    source: graph.source, layers: [], heads: [], pools: [], merges: [], outputs: [], initialStateBatch: 1,
    input: { name: input.name, size: 0, timeAxis: -1, batchAxis: -1, featureAxis: -1 },
  };
  const values = new Map<string, Value>();
  for (const [name, t] of graph.initializers) values.set(name, { constant: t });
  values.set(input.name, { view: { timing: 'seq', axes: [0, 1, 2], groups: [[{ kind: 'input' }]] } });

  for (const node of graph.nodes) {
    const fail = (m: string): never => raise(`${graph.source}: node '${node.name}' (${node.op}): ${m} — not supported by the fixed-point compiler`);
    const get = (i: number): Value | undefined => (node.inputs[i] ? values.get(node.inputs[i]) : undefined);
    const view = (i: number): V.LView => {
      const v = get(i);
      return v && 'view' in v ? v.view : fail(`input ${i} must be computed from the model input`);
    };
    const constant = (i: number): Tensor | undefined => {
      const v = get(i);
      if (v && 'view' in v) return fail(`input '${node.inputs[i]}' must be a constant`);
      return v?.constant;
    };
    const shapeOf = (name: string) => graph.values.get(name)!.shape;
    const set = (i: number, v: V.LView) => node.outputs[i] && values.set(node.outputs[i], { view: v });
    // A merge reads a reverse direction: its last step is no final state either.
    const isReverse = (r: VecRef) => r.kind === 'merge' || ((r.kind === 'h' || r.kind === 'c') && program.layers[r.layer].dirs[r.dir].reverse);

    switch (node.op) {
      case 'RNN': case 'GRU': case 'LSTM': {
        const outs = lowerRecurrent(program, node, node.op, view(0), constant, fail);
        outs.forEach((v, i) => set(i, v));
        break;
      }
      case 'SRU':
        lowerSru(program, node, view(0), constant, fail).forEach((v, i) => set(i, v));
        break;
      case 'QRNN':
        lowerQrnn(program, node, view(0), constant, fail).forEach((v, i) => set(i, v));
        break;
      case 'Identity': set(0, view(0)); break;
      case 'Squeeze': {
        const axesT = constant(1);
        const inShape = shapeOf(node.inputs[0]);
        const axes = axesT ? ints(axesT).map((a) => (a < 0 ? a + inShape.length : a)) : inShape.flatMap((d, i) => (d === 1 ? [i] : []));
        set(0, V.squeeze(view(0), axes, inShape, fail));
        break;
      }
      case 'Unsqueeze': {
        const rank = shapeOf(node.outputs[0]).length;
        set(0, V.unsqueeze(view(0), ints(constant(1)!).map((a) => (a < 0 ? a + rank : a))));
        break;
      }
      case 'Transpose': {
        const v = view(0);
        set(0, V.transpose(v, (node.attrs.perm as number[] | undefined) ?? v.axes.map((_, i) => v.axes.length - 1 - i)));
        break;
      }
      case 'Reshape': case 'Flatten':
        set(0, V.reshape(view(0), shapeOf(node.inputs[0]), shapeOf(node.outputs[0]), fail));
        break;
      case 'Concat': {
        const views = node.inputs.map((_, i) => view(i));
        const axis = node.attrs.axis as number;
        set(0, V.concat(views, axis < 0 ? axis + views[0].axes.length : axis, fail));
        break;
      }
      case 'Gather': case 'Slice':
        if (view(0).groups.some((g) => g.some((r) => r.kind === 'poolw'))) fail('selecting steps of attention weights');
        if (node.op === 'Gather' && view(0).axes.at(node.attrs.axis as number) === 'D') {
          set(0, gatherDirection(view(0), node.attrs.axis as number, constant(1)!, fail));
          break;
        }
        set(0, lowerLastStep(node, view(0), constant, shapeOf(node.inputs[0]), isReverse, fail));
        break;
      case 'MatMul': case 'Gemm':
        set(0, lowerDense(program, node, view(0), constant, fail));
        break;
      case 'Add': {
        const [a, b] = [get(0), get(1)];
        set(0, a && 'view' in a && b && 'view' in b ? lowerMerge(program, node, 'sum', a.view, b.view, fail) : foldBias(program, node, a, b, fail));
        break;
      }
      case 'Mul':
        set(0, lowerMul(program, graph, node, get(0), get(1), fail));
        break;
      case 'Relu': case 'Sigmoid': case 'Tanh':
        set(0, foldActivation(program, view(0), node.op as HeadActivation, fail));
        break;
      case 'Softmax': case 'LogSoftmax': {
        const v = view(0);
        const axis = node.attrs.axis as number, rank = v.axes.length;
        if ((axis < 0 ? axis + rank : axis) !== rank - 1 || v.axes[rank - 1] !== 'F') fail(`${node.op === 'Softmax' ? 'softmax' : 'log-softmax'} over axis ${axis}: only the feature (last) axis is supported`);
        set(0, foldActivation(program, v, node.op, fail));
        break;
      }
      case 'AttentionPool':
        lowerAttention(program, node, view(0), constant, fail).forEach((v, i) => set(i, v));
        break;
      case 'ArgMax':
        set(0, foldArgMax(program, node, view(0), fail));
        break;
      default:
        fail('this op');
    }
  }
  for (const [what, refs] of [...program.layers.map((l) => [l.name, l.input] as const), ...program.heads.map((h) => [h.name, h.input] as const)]) {
    if (refs.some((r) => r.kind === 'head' && program.heads[r.head].argmax)) raise(`${graph.source}: node '${what}' reads an ArgMax index — not supported by the fixed-point compiler`);
  }
  for (const out of graph.outputs) {
    const v = values.get(out.name);
    if (!v || !('view' in v)) raise(`${graph.source}: output '${out.name}' is a constant; nothing to compile`);
    const { axes } = v.view;
    if (axes.some((a) => typeof a === 'number')) raise(`${graph.source}: output '${out.name}' passes the input through unchanged`);
    program.outputs.push({ name: out.name, view: { ...v.view, axes: axes as V.LAxis[] as never }, shape: [...out.shape] });
  }
  const steps = input.shape[program.input.timeAxis];
  if (typeof steps === 'number') program.input.steps = steps;
  return program;
}

function lowerRecurrent(p: Program, node: Node, kind: CellKind, x: V.LView, constant: (i: number) => Tensor | undefined, fail: V.Fail): V.LView[] {
  const layout = node.attrs.layout as number;
  bindSequenceInput(p, x, layout, fail);
  if (constant(4)) fail('sequence_lens is not supported (the module runs whole sequences of the length it is given)');
  const W = constant(1), R = constant(2);
  if (!W || !R) fail('W and R must be constants (weights given as graph inputs are frozen by compile --data)');
  const B = constant(3), h0 = constant(5), c0 = constant(6), P = constant(7), Wproj = constant(8);
  if (node.inputs[8] && !Wproj) fail('Wproj must be a constant');
  // K: elements of h (the LSTM output projection's P, else H); the cell state has H.
  const D = W.shape[0], G = GATES[kind], H = W.shape[1] / G, K = R.shape[2], I = W.shape[2];
  const k = kind === 'LSTM' ? 3 : kind === 'GRU' ? 2 : 1;
  const acts = resolveActivations(node.attrs.activations as string[], node.attrs.activation_alpha as number[], node.attrs.activation_beta as number[]);
  const batchOf = (t: Tensor | undefined) => (t ? (layout === 0 ? t.shape[1] : t.shape[0]) : 1);
  noteInitialBatch(p, Math.max(batchOf(h0), batchOf(c0)), fail);
  const f32 = (t: Tensor) => t.data as Float32Array;
  const states = (t: Tensor | undefined, d: number, n: number) => t && Array.from({ length: batchOf(t) }, (_, b) => {
    const at = layout === 0 ? (d * batchOf(t) + b) * n : (b * D + d) * n;
    return f32(t).slice(at, at + n);
  });
  const dirs: LayerDirection[] = Array.from({ length: D }, (_, d) => ({
    W: f32(W).slice(d * G * H * I, (d + 1) * G * H * I),
    R: f32(R).slice(d * G * H * K, (d + 1) * G * H * K),
    ...(Wproj ? { Wproj: f32(Wproj).slice(d * K * H, (d + 1) * K * H) } : {}),
    Wb: B ? f32(B).slice(d * 2 * G * H, d * 2 * G * H + G * H) : new Float32Array(G * H),
    Rb: B ? f32(B).slice(d * 2 * G * H + G * H, (d + 1) * 2 * G * H) : new Float32Array(G * H),
    P: P ? f32(P).slice(d * 3 * H, (d + 1) * 3 * H) : undefined,
    initialH: states(h0, d, K), initialC: states(c0, d, H),
    reverse: node.attrs.direction === 'reverse' || d === 1,
    acts: acts.slice(d * k, (d + 1) * k),
  }));
  const layer: Layer = {
    kind, name: node.name, input: x.groups[0], inputSize: I, hidden: H, dirs, ...(Wproj ? { proj: K } : {}),
    clip: node.attrs.clip as number | undefined,
    linearBeforeReset: node.attrs.linear_before_reset === 1, inputForget: node.attrs.input_forget === 1,
  };
  const index = addLayer(p, layer, fail);
  const ref = (what: 'h' | 'c') => Array.from({ length: D }, (_, dir) => [{ kind: what, layer: index, dir } as VecRef]);
  const seqAxes: V.LAxis[] = layout === 0 ? ['T', 'D', 'B', 'F'] : ['B', 'T', 'D', 'F'];
  const stateAxes: V.LAxis[] = layout === 0 ? ['D', 'B', 'F'] : ['B', 'D', 'F'];
  const outs: V.LView[] = [
    { timing: 'seq', axes: seqAxes, groups: ref('h') },
    { timing: 'final', axes: stateAxes, groups: ref('h') },
  ];
  if (kind === 'LSTM') outs.push({ timing: 'final', axes: stateAxes, groups: ref('c') });
  return outs;
}

function lowerLastStep(node: Node, v: V.LView, constant: (i: number) => Tensor | undefined, shape: (number | string)[],
  isReverse: (r: VecRef) => boolean, fail: V.Fail): V.LView {
  const rank = v.axes.length;
  const norm = (a: number) => (a < 0 ? a + rank : a);
  const T = shape[v.axes.indexOf('T')];
  const isLast = (i: number) => i === -1 || (typeof T === 'number' && i === T - 1);
  if (node.op === 'Gather') {
    const idx = ints(constant(1)!);
    if (idx.length !== 1 || !isLast(idx[0])) fail('only Gather of the last time step is supported');
    return V.lastStep(v, norm(node.attrs.axis as number), constant(1)!.shape.length > 0, isReverse, fail);
  }
  const [starts, ends] = [ints(constant(1)!), ints(constant(2)!)];
  const axes = constant(3) ? ints(constant(3)!) : starts.map((_, i) => i);
  const steps = constant(4) ? ints(constant(4)!) : starts.map(() => 1);
  if (axes.length !== 1 || steps[0] !== 1 || !isLast(starts[0]) || ends[0] < (typeof T === 'number' ? T : 2 ** 30)) {
    fail('only Slice of the last time step [-1:] is supported');
  }
  return V.lastStep(v, norm(axes[0]), true, isReverse, fail);
}

function lowerDense(p: Program, node: Node, x: V.LView, constant: (i: number) => Tensor | undefined, fail: V.Fail): V.LView {
  const Wt = constant(1) ?? fail('the weight matrix must be a constant');
  if (x.axes.at(-1) !== 'F' || x.groups.length !== 1) fail('the input must have features last and a single direction group');
  if (Wt.shape.length !== 2) fail('the weight matrix must be 2-D');
  const transB = node.op === 'Gemm' && node.attrs.transB === 1;
  if (node.op === 'Gemm' && node.attrs.transA === 1) fail('transA=1');
  const [K, N] = transB ? [Wt.shape[1], Wt.shape[0]] : Wt.shape;
  const alpha = node.op === 'Gemm' ? (node.attrs.alpha as number) : 1;
  const W = new Float32Array(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) W[n * K + k] = alpha * Wt.data[transB ? n * K + k : k * N + n];
  const b = new Float32Array(N);
  const C = node.op === 'Gemm' ? constant(2) : undefined;
  if (C) {
    if (C.data.length !== N && C.data.length !== 1) fail('the bias must have one value per output');
    for (let n = 0; n < N; n++) b[n] = (node.attrs.beta as number) * C.data[C.data.length === 1 ? 0 : n];
  }
  const head: Head = { name: node.name, input: x.groups[0], timing: x.timing, inputSize: K, outputSize: N, W, b, activation: 'none' };
  const index = p.heads.push(head) - 1;
  return { ...x, groups: [[{ kind: 'head', head: index }]] };
}

function soleHead(p: Program, v: V.LView): Head | undefined {
  const ref = v.groups.length === 1 && v.groups[0].length === 1 ? v.groups[0][0] : undefined;
  return ref?.kind === 'head' ? p.heads[ref.head] : undefined;
}

function foldBias(p: Program, node: Node, a: Value | undefined, b: Value | undefined, fail: V.Fail): V.LView {
  const [v, c] = a && 'view' in a ? [a.view, b] : [b && 'view' in b ? b.view : undefined, a];
  if (!v || !c || !('constant' in c)) return fail('only adding a constant bias to a dense layer is supported');
  const head = soleHead(p, v);
  if (!head || head.activation !== 'none' || head.argmax) return fail('a bias can only follow MatMul/Gemm');
  const t = c.constant;
  if (t.data.length !== head.outputSize && t.data.length !== 1) fail(`bias has ${t.data.length} values for ${head.outputSize} outputs`);
  for (let n = 0; n < head.outputSize; n++) head.b[n] += t.data[t.data.length === 1 ? 0 : n];
  return v;
}

function foldActivation(p: Program, v: V.LView, act: HeadActivation, fail: V.Fail): V.LView {
  const head = soleHead(p, v);
  if (!head || head.activation !== 'none' || head.argmax) return fail('an activation must directly follow a dense layer');
  head.activation = act;
  return v;
}

/** ArgMax over a dense head's outputs (the feature axis, first index on ties): the head then outputs the index. */
function foldArgMax(p: Program, node: Node, v: V.LView, fail: V.Fail): V.LView {
  const head = soleHead(p, v);
  if (!head || head.argmax) return fail('ArgMax must follow a dense layer (with or without its activation)');
  const axis = node.attrs.axis as number, rank = v.axes.length;
  if ((axis < 0 ? axis + rank : axis) !== rank - 1 || v.axes[rank - 1] !== 'F') fail(`argmax over axis ${axis}: only the feature (last) axis is supported`);
  if (node.attrs.select_last_index === 1) fail('select_last_index=1');
  head.argmax = true;
  return node.attrs.keepdims === 0 ? { ...v, axes: v.axes.slice(0, -1) } : v;
}
