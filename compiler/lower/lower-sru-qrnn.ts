/**
 * @fileoverview Lowering of the SRU and QRNN ops (layout 0: X [T, B, I]) to program layers, and
 * the pieces every recurrent layer shares with ./lower.ts: binding the sequence input's axis
 * roles, initial states per batch entry, and appending the layer. An SRU direction keeps its
 * reference parameters (`sru`), a QRNN its convolution weights (`qrnn`); the float program run
 * and the quantizer read those. Semantics: compiler/ir/ops/{sru,qrnn}.ts, docs/sru-qrnn.md.
 */
import { QRNN_GATES } from '../ir/ops/qrnn.ts';
import type { Node, Tensor } from '../ir/types.ts';
import { sruDirection } from '../reference/kernels/sru-qrnn.ts';
import type { Layer, LayerDirection, Program, VecRef } from './program.ts';
import { vecSize } from './program.ts';
import * as V from './views.ts';

type Constant = (i: number) => Tensor | undefined;

/**
 * Checks the X view of a recurrent layer; the first layer reading the model input fixes which
 * graph-input axis is time, batch and features (layout 0: [T, B, F], 1: [B, T, F]).
 */
export function bindSequenceInput(p: Program, x: V.LView, layout: number, fail: V.Fail): void {
  if (x.timing !== 'seq') fail('input X must be a sequence');
  const [tPos, bPos] = layout === 0 ? [0, 1] : [1, 0];
  if (x.axes.length !== 3) fail(`input X has ${x.axes.length} axes`);
  if (x.axes.every((a) => typeof a === 'number')) {
    const roles = [x.axes[tPos], x.axes[bPos], x.axes[2]] as number[];
    if (p.input.timeAxis >= 0 && roles.join() !== [p.input.timeAxis, p.input.batchAxis, p.input.featureAxis].join()) {
      fail('layers read the model input with different axis orders');
    }
    [p.input.timeAxis, p.input.batchAxis, p.input.featureAxis] = roles;
  } else if (x.axes[tPos] !== 'T' || x.axes[bPos] !== 'B' || x.axes[2] !== 'F' || x.groups.length !== 1) {
    fail(`input X is laid out as [${x.axes.map(V.describe).join(', ')}], expected ${layout === 0 ? '[time, batch, features]' : '[batch, time, features]'}`);
  }
}

/** Records how many batch entries the baked-in initial states cover (all layers must agree). */
export function noteInitialBatch(p: Program, batch: number, fail: V.Fail): void {
  if (batch > 1 && p.initialStateBatch > 1 && batch !== p.initialStateBatch) fail('initial states of different batch sizes');
  p.initialStateBatch = Math.max(p.initialStateBatch, batch);
}

/** Appends the layer after checking its input width; returns its index. */
export function addLayer(p: Program, layer: Layer, fail: V.Fail): number {
  const got = layer.input.reduce((s, r) => s + vecSize(p, r), 0);
  if (layer.input[0].kind === 'input') p.input.size = layer.inputSize;
  else if (got !== layer.inputSize) fail(`input has ${got} features, W expects ${layer.inputSize}`);
  return p.layers.push(layer) - 1;
}

/** Per batch entry, direction d's [H] slice of a layout-0 state tensor [D, B, H]. */
function statesOf(t: Tensor | undefined, d: number, H: number): Float32Array[] | undefined {
  if (!t) return undefined;
  const batch = t.shape[1];
  return Array.from({ length: batch }, (_, b) => (t.data as Float32Array).slice((d * batch + b) * H, (d * batch + b + 1) * H));
}

const EMPTY = new Float32Array(0);
const refs = (kind: 'h' | 'c', layer: number, D: number) => Array.from({ length: D }, (_, dir) => [{ kind, layer, dir } as VecRef]);
const SEQ_AXES: V.LAxis[] = ['T', 'D', 'B', 'F'];
const STATE_AXES: V.LAxis[] = ['D', 'B', 'F'];

export function lowerSru(p: Program, node: Node, x: V.LView, constant: Constant, fail: V.Fail): V.LView[] {
  bindSequenceInput(p, x, 0, fail);
  const W = constant(1), Wc = constant(2);
  if (!W || !Wc) return fail('W and Wc must be constants');
  const B = constant(3), c0 = constant(4);
  const [D, , I] = W.shape;
  const H = Wc.shape[1] / 2;
  if (c0) noteInitialBatch(p, c0.shape[1], fail);
  const dirs: LayerDirection[] = Array.from({ length: D }, (_, d) => {
    const sru = sruDirection(node, W, Wc, B, d);
    return { W: sru.W, R: EMPTY, Wb: EMPTY, Rb: EMPTY, initialC: statesOf(c0, d, H), acts: [], sru,
      reverse: node.attrs.direction === 'reverse' || d === 1 };
  });
  const layer: Layer = { kind: 'SRU', name: node.name, input: x.groups[0], inputSize: I, hidden: H, dirs, linearBeforeReset: false, inputForget: false };
  const index = addLayer(p, layer, fail);
  return [
    { timing: 'seq', axes: SEQ_AXES, groups: refs('h', index, D) },
    { timing: 'final', axes: STATE_AXES, groups: refs('c', index, D) },
  ];
}

export function lowerQrnn(p: Program, node: Node, x: V.LView, constant: Constant, fail: V.Fail): V.LView[] {
  bindSequenceInput(p, x, 0, fail);
  const W = constant(1);
  if (!W) return fail('W must be a constant');
  const B = constant(2), c0 = constant(3);
  const gates = QRNN_GATES[node.attrs.pooling as string], window = node.attrs.window as number;
  const H = W.shape[0] / gates, I = W.shape[1] / window;
  if (c0) noteInitialBatch(p, c0.shape[1], fail);
  const w = W.data as Float32Array;
  const initialC = statesOf(c0, 0, H);
  const dir: LayerDirection = {
    W: w, R: EMPTY, Wb: EMPTY, Rb: EMPTY, reverse: false, acts: [], initialC,
    initialH: gates === 2 ? initialC : undefined, // f-pooling: h is c
    qrnn: { W: w, B: B ? (B.data as Float32Array) : new Float32Array(gates * H), inputSize: I, hidden: H, gates, window },
  };
  const layer: Layer = { kind: 'QRNN', name: node.name, input: x.groups[0], inputSize: I, hidden: H, dirs: [dir], linearBeforeReset: false, inputForget: false };
  const index = addLayer(p, layer, fail);
  return [
    { timing: 'seq', axes: SEQ_AXES, groups: refs('h', index, 1) },
    { timing: 'final', axes: STATE_AXES, groups: refs('h', index, 1) },
    // f-pooling's Y_c equals Y_h: give h, which every I/O type can return.
    { timing: 'final', axes: STATE_AXES, groups: refs(gates === 3 ? 'c' : 'h', index, 1) },
  ];
}
