/**
 * @fileoverview The lowered form of a recurrent model: what the fixed-point compiler works on.
 *
 * The IR graph is general (any arrangement of ops); a microcontroller module is not. Lowering
 * turns the graph into a program over per-time-step vectors: an input vector stream, recurrent
 * layers (each direction a cell with its own state), dense heads, and for every graph output a
 * *view* saying how to reassemble it from vectors (time axis, direction groups, concatenation).
 * The module processes one batch entry at a time; engines loop over the batch.
 */
import type { CellKind } from '../ir/ops/recurrent.ts';
import type { ResolvedActivation } from '../ir/activations.ts';
import type { QrnnWeights } from '../reference/cells/qrnn.ts';
import type { SruDirection } from '../reference/cells/sru.ts';

/** ONNX cells, and SRU/QRNN (whose input projection does not read the state). */
export type LayerKind = CellKind | 'SRU' | 'QRNN';

/** Kinds with a cell state c beside h (published as the vector stream 'c'). */
export function hasCellState(kind: LayerKind): boolean {
  return kind === 'LSTM' || kind === 'SRU' || kind === 'QRNN';
}

/** A vector stream the module computes. */
export type VecRef =
  | { kind: 'input' }
  | { kind: 'h'; layer: number; dir: number }
  | { kind: 'c'; layer: number; dir: number }
  | { kind: 'head'; head: number }
  /** Attention pooling (./lower-attention.ts): the pooled vector (final) and its weights α_t (one per step). */
  | { kind: 'pool'; pool: number }
  | { kind: 'poolw'; pool: number }
  /** An elementwise merge of two directions (./lower-merge.ts). */
  | { kind: 'merge'; merge: number };

/** Axis roles of a lowered value: time, batch, direction group, features, or a size-1 axis. */
export type AxisTag = 'T' | 'B' | 'D' | 'F' | '1';

export interface View {
  /** 'seq': one value per time step; 'final': the value after the whole sequence. */
  timing: 'seq' | 'final';
  axes: AxisTag[];
  /** One entry per D index (a single entry when there is no D axis); each concatenates vectors along F. */
  groups: VecRef[][];
}

export interface LayerDirection {
  /**
   * Float32 weights in ONNX gate order, one direction: W [G·H, I], R [G·H, H], Wb/Rb [G·H].
   * SRU and QRNN: W is the input projection (as in `sru`/`qrnn` below), R, Wb and Rb are empty.
   */
  W: Float32Array;
  R: Float32Array;
  Wb: Float32Array;
  Rb: Float32Array;
  /** LSTM peepholes [3·H] (i, o, f). */
  P?: Float32Array;
  /** LSTM output projection [P, H] (rnnc's Wproj, PyTorch's weight_hr): h = Wproj·(o ⊙ h(C)); R is then [4·H, P]. */
  Wproj?: Float32Array;
  /** Initial states per batch entry, [B][H]; absent means zeros. */
  initialH?: Float32Array[];
  initialC?: Float32Array[];
  reverse: boolean;
  acts: ResolvedActivation[];
  /** SRU: the reference cell's parameters for this direction (W [k·H, I], v_f, v_r, b_f, b_r, attributes). */
  sru?: SruDirection;
  /** QRNN: W [G·H, window·I] (column blocks oldest input first), B [G·H], gates, window. */
  qrnn?: QrnnWeights;
}

export interface Layer {
  kind: LayerKind;
  /** Node name in the source graph, for messages. */
  name: string;
  /** Vectors concatenated to form this layer's input at each step. */
  input: VecRef[];
  inputSize: number;
  hidden: number;
  /** LSTM output projection size P (h has P elements, c has `hidden`); absent: none. */
  proj?: number;
  dirs: LayerDirection[];
  clip?: number;
  linearBeforeReset: boolean;
  inputForget: boolean;
}

/** Softmax and LogSoftmax normalize over the head's outputs (the feature axis). */
export type HeadActivation = 'none' | 'Relu' | 'Sigmoid' | 'Tanh' | 'Softmax' | 'LogSoftmax';

/** y = act(W·x + b) on a vector available per step ('seq') or after the sequence ('final'). */
export interface Head {
  name: string;
  input: VecRef[];
  timing: 'seq' | 'final';
  inputSize: number;
  outputSize: number;
  /** [outputSize, inputSize] row-major. */
  W: Float32Array;
  b: Float32Array;
  activation: HeadActivation;
  /** ONNX ArgMax over the outputs (after the activation): the head's stream is then the index alone. */
  argmax?: boolean;
}

/**
 * AttentionPool (compiler/ir/ops/attention.ts) over the sequence `input` (H features per step):
 * additive s_t = V·tanh(W·h_t + b), W [A, H]; dot s_t = scale·(W·h_t), W = the query [H];
 * α = softmax over t of s; pooled = Σ_t α_t h_t.
 */
export interface AttentionPool {
  name: string;
  input: VecRef[];
  hidden: number;
  mode: 'additive' | 'dot';
  /** A (additive), 0 (dot). */
  attention: number;
  W: Float32Array;
  /** Additive: V [A] and b [A] (zeros without Bias); dot: empty. */
  V: Float32Array;
  b: Float32Array;
  scale: number;
}

/**
 * Keras Bidirectional merge_mode sum / ave / mul: y = a + b, (a + b)/2 or a ⊙ b of the two
 * directions' h streams of one layer, per step ('seq') or of the final states ('final').
 */
export interface Merge {
  name: string;
  mode: 'sum' | 'ave' | 'mul';
  a: VecRef;
  b: VecRef;
  size: number;
  timing: 'seq' | 'final';
  /** Computed once layers [0, after) have run (its inputs' layer is after − 1), before layer `after`. */
  after: number;
}

export interface ProgramOutput {
  name: string;
  view: View;
  /** The graph output's full shape with B and T as they were for the source graph. */
  shape: (number | string)[];
}

export interface Program {
  source: string;
  input: {
    name: string;
    size: number;
    /** Positions of the time, batch and feature axes in the graph input. */
    timeAxis: number;
    batchAxis: number;
    featureAxis: number;
    /** Static sequence length of the source graph, if known. */
    steps?: number;
  };
  layers: Layer[];
  heads: Head[];
  outputs: ProgramOutput[];
  /** Attention pooling over the whole sequence (after the layers and per-step heads, before final heads). */
  pools: AttentionPool[];
  /** Merges of bidirectional layers' directions (Keras sum/ave/mul). */
  merges: Merge[];
  /** Batch entries the baked-in initial states cover (1 when there are none). */
  initialStateBatch: number;
}

export function vecKey(v: VecRef): string {
  if (v.kind === 'pool' || v.kind === 'poolw') return `${v.kind}${v.pool}`;
  if (v.kind === 'merge') return `merge${v.merge}`;
  return v.kind === 'input' ? 'x' : v.kind === 'head' ? `head${v.head}` : `${v.kind}${v.layer}.${v.dir}`;
}

export function vecSize(p: Program, v: VecRef): number {
  if (v.kind === 'input') return p.input.size;
  if (v.kind === 'head') return p.heads[v.head].argmax ? 1 : p.heads[v.head].outputSize;
  if (v.kind === 'pool') return p.pools[v.pool].hidden;
  if (v.kind === 'poolw') return 1;
  if (v.kind === 'merge') return p.merges[v.merge].size;
  const layer = p.layers[v.layer];
  return v.kind === 'h' ? (layer.proj ?? layer.hidden) : layer.hidden;
}

/** True if every layer direction runs forward and nothing pools over time, so the module can stream step by step. */
export function isStreamable(p: Program): boolean {
  return p.pools.length === 0 && p.layers.every((l) => l.dirs.every((d) => !d.reverse));
}
