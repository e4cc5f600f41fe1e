/**
 * @fileoverview Static memory plan of a module: where every constant, descriptor, state vector,
 * scratch buffer and I/O buffer lives, and how graph outputs are copied out of vectors. Nothing
 * is allocated at run time; the plan is also what the manifest and model.h publish. In the f32
 * scheme every vector (and LSTM cell state) is float32: 4 bytes, and the f32 I/O buffers are
 * the vectors themselves (no conversion).
 */
import { fail } from '../errors.ts';
import { serializeCell, MemoryImage } from './memory-image.ts';
import { isStreamable, vecKey, vecSize, type VecRef } from '../lower/program.ts';
import { baseKind, cellState, isF32Head, previousInput, type QProgram } from '../quantize/quantize.ts';
import { isF32 } from '../quantize/schemes.ts';
import type { SimVec } from '../fixed/simulate.ts';
import { MAX_POOL_STEPS } from '../fixed/cells/attention.ts';
import { isF32Pool } from '../fixed/f32/attention.ts';
import { poolKeys, weightsUsed } from '../lower/lower-attention.ts';
import { planMergeBuffers } from './merge.ts';
import { planAhead, type AheadPlan } from './ahead.ts';

export type IoType = 'f32' | 'int8' | 'int16';

export interface Copy {
  key: string;
  /** Element offsets and count within the source vector and the output slice. */
  src: number;
  dst: number;
  count: number;
  frac: number;
}

export interface OutputPlan {
  name: string;
  ptr: number;
  /** Elements per time step (seq) or in total (final). */
  slice: number;
  timing: 'seq' | 'final';
  copies: Copy[];
}

export interface DirPlan {
  layer: number;
  dir: number;
  /** LSTMP: an LSTM with an output projection (h has P elements, descriptor LSTMP / LSTMP_F32). */
  kind: ReturnType<typeof baseKind> | 'LSTMP';
  desc: number;
  v: number;
  h: number;
  /** Cell state (LSTM, SRU, QRNN) or 0. */
  c: number;
  /** QRNN window 2: the previous input step (I elements of the vector type), zeroed on reset; or 0. */
  xPrev: number;
  I: number;
  H: number;
  /** Elements of h: H, or P with an LSTM output projection. */
  hN: number;
  h0: number;
  c0: number;
  /** Initial states baked in (batch entries): for h and for c apart (a model may give only initial_c), and the larger. */
  hInits: number;
  cInits: number;
  inits: number;
  reverse: boolean;
  input: VecRef[];
}

export interface HeadPlan {
  index: number;
  desc: number;
  v: number;
  y: number;
  N: number;
  timing: 'seq' | 'final';
  input: VecRef[];
}

/** Attention pool i (compiler/fixed/cells/attention.ts, f32: compiler/fixed/f32/attention.ts): its descriptor and run-time buffers. */
export interface PoolPlan {
  index: number;
  desc: number;
  H: number;
  /** The sequence it pools, [max_steps, H] of the vector type: its input stream's sequence buffer, or its own. */
  hs: number;
  /** True when `hs` is the pool's own buffer, filled from its input streams each step. */
  fillsInput: boolean;
  input: VecRef[];
  /** i32[max_steps] scratch (the scores, then α in Q15); f32[max_steps] in the f32 scheme. */
  scores: number;
  /** The weights output's sequence buffer [max_steps] (vector type), or 0 when no output reads it. */
  alpha: number;
}

export interface ModulePlan {
  qp: QProgram;
  io: IoType;
  /** 4: float32 vectors (f32 scheme). */
  vecBytes: 1 | 2 | 4;
  /** Whether input and outputs are converted at the boundary (f32 I/O of an integer scheme). */
  convert: boolean;
  maxSteps: number;
  streamable: boolean;
  input: { ptr: number; size: number; frac: number; bytes: number };
  /** Current-step vector of every stream (x is the quantized input step). */
  current: Map<string, number>;
  /** Whole-sequence buffers [maxSteps, size] (non-streamable modules only). */
  sequence: Map<string, number>;
  dirs: DirPlan[];
  heads: HeadPlan[];
  pools: PoolPlan[];
  outputs: OutputPlan[];
  state: { ptr: number; bytes: number };
  image: MemoryImage;
  /** run(n)'s chunk buffers when SRU/QRNN projections run ahead of the recurrence (./ahead.ts). */
  ahead?: AheadPlan;
}

const IMAGE_BASE = 16; // addresses below stay unused: a pointer 0 means "absent"

export function planModule(qp: QProgram, io: IoType, maxSteps: number): ModulePlan {
  const p = qp.program;
  const vb = qp.options.scheme.vecBits;
  const f32 = isF32(qp.options.scheme);
  const vecBytes = vb === 8 ? 1 : vb === 16 ? 2 : 4;
  if (f32 && io !== 'f32') fail(`--io ${io} does not match --quant f32 (its vectors are float32); use --io f32`);
  if (io !== 'f32' && (io === 'int8') !== (vb === 8)) fail(`--io ${io} does not match --quant ${qp.options.scheme.name} (its vectors are int${vb})`);
  const convert = io === 'f32' && !f32;
  const cBytes = f32 ? 4 : 2;
  const img = new MemoryImage(IMAGE_BASE);
  const streamable = isStreamable(p);
  const ioBytes = io === 'f32' ? 4 : vecBytes;
  // Buffers first. The state region (every h, then every cell state c, then every QRNN window-2
  // previous input) is one contiguous block: saving and restoring it resumes a sequence exactly.
  const current = new Map<string, number>();
  const hKey = (l: number, k: number) => vecKey({ kind: 'h', layer: l, dir: k });
  const stateStart = img.buffer('state', 0);
  qp.layers.forEach((dirs, l) => dirs.forEach((d, k) => current.set(hKey(l, k), img.buffer(`h${l}.${k}`, d.q.cell.h.length * vecBytes, d.q.cell.h))));
  qp.layers.forEach((dirs, l) => dirs.forEach((d, k) => {
    const c = cellState(d.q);
    if (c) current.set(vecKey({ kind: 'c', layer: l, dir: k }), img.buffer(`c${l}.${k}`, d.q.cell.H * cBytes, c));
  }));
  qp.layers.forEach((dirs, l) => dirs.forEach((d, k) => {
    const xPrev = previousInput(d.q);
    if (xPrev) img.buffer(`xprev${l}.${k}`, xPrev.length * vecBytes, xPrev);
  }));
  const stateEnd = img.buffers.at(-1)!.address + img.buffers.at(-1)!.bytes;
  const input = { ptr: img.buffer('input', maxSteps * p.input.size * ioBytes), size: p.input.size, frac: qp.formats.get('x')!.frac, bytes: ioBytes };
  current.set('x', convert ? img.buffer('x', p.input.size * vecBytes) : input.ptr);
  qp.layers.forEach((ds, l) => ds.forEach((d, k) => {
    const c = d.q.cell;
    img.buffer(`v${l}.${k}`, c.v.length * vecBytes, c.v);
    if ('acc' in c) img.buffer(`acc${l}.${k}`, c.acc.length * 4, c.acc); // the f32 RNN has none
    if (d.q.kind === 'GRU') img.buffer(`zr${l}.${k}`, d.q.cell.zr.length * 2, d.q.cell.zr);
    if ((d.q.kind === 'LSTM' || d.q.kind === 'LSTM_F32') && d.q.cell.m) img.buffer(`m${l}.${k}`, d.q.cell.m.length * vecBytes, d.q.cell.m); // projection input
  }));
  qp.heads.forEach((h, i) => {
    img.buffer(`head${i}.v`, h.I * vecBytes, h.v);
    if (!isF32Head(h)) img.buffer(`head${i}.acc`, h.N * 4, h.acc);
    current.set(vecKey({ kind: 'head', head: i }), img.buffer(`head${i}.y`, h.N * vecBytes, h.y));
  });
  const sequence = new Map<string, number>();
  if (!streamable) {
    sequence.set('x', convert ? img.buffer('x.seq', maxSteps * p.input.size * vecBytes) : input.ptr);
    qp.layers.forEach((ds, l) => ds.forEach((d, k) => sequence.set(hKey(l, k), img.buffer(`h${l}.${k}.seq`, maxSteps * d.q.cell.h.length * vecBytes))));
    qp.heads.forEach((h, i) => p.heads[i].timing === 'seq' && sequence.set(vecKey({ kind: 'head', head: i }), img.buffer(`head${i}.seq`, maxSteps * h.N * vecBytes)));
  }
  planMergeBuffers(qp, img, maxSteps, vecBytes, current, sequence); // before pools: a pool reads a merged sequence in place
  const poolBuffers = planPoolBuffers(qp, img, maxSteps, vecBytes, current, sequence);
  const outputs = p.outputs.map((o) => {
    const copies = outputCopies(qp, o.view.axes, o.view.groups, o.name);
    if (io === 'int8' && copies.some((c) => c.key.startsWith('c'))) fail(`output '${o.name}' is a cell state (int16): it cannot be returned with --io int8; use --io f32`);
    const slice = copies.reduce((s, c) => Math.max(s, c.dst + c.count), 0);
    const count = o.view.timing === 'seq' ? maxSteps * slice : slice;
    return { name: o.name, ptr: img.buffer(`out.${o.name}`, count * ioBytes), slice, timing: o.view.timing, copies };
  });
  const ahead = planAhead(qp, img, vecBytes, streamable, convert);
  // Then constants: initial states (all batch entries back to back) and the descriptors.
  const packed = (arrays: SimVec[]) => {
    const n = arrays.length * arrays[0].length;
    const out = arrays[0] instanceof Int8Array ? new Int8Array(n) : arrays[0] instanceof Float32Array ? new Float32Array(n) : new Int16Array(n);
    arrays.forEach((a, i) => out.set(a, i * a.length));
    return img.constant(out);
  };
  const dirs: DirPlan[] = [];
  qp.layers.forEach((ds, l) => ds.forEach((d, k) => {
    const c = d.q.cell, cs = cellState(d.q);
    const xp = previousInput(d.q), xPrev = xp ? img.addressOf(xp) : 0;
    const projected = 'P' in c && (c.P ?? 0) > 0; // LSTM output projection: its own descriptor and step
    const descKind = projected ? (d.q.kind === 'LSTM' ? 'LSTMP' : 'LSTMP_F32') : d.q.kind;
    dirs.push({
      layer: l, dir: k, kind: projected ? 'LSTMP' : baseKind(d.q.kind), desc: serializeCell(img, descKind, c as unknown as Record<string, unknown>),
      v: img.addressOf(c.v), h: img.addressOf(c.h), c: cs ? img.addressOf(cs) : 0, xPrev, I: c.I, H: c.H, hN: c.h.length,
      h0: packed(d.h0), c0: cs ? packed(d.c0) : 0, hInits: d.h0.length, cInits: d.c0.length, inits: Math.max(d.h0.length, cs ? d.c0.length : 1), reverse: d.reverse, input: p.layers[l].input,
    });
  }));
  const heads: HeadPlan[] = qp.heads.map((h, i) => ({
    index: i, desc: serializeCell(img, isF32Head(h) ? 'DENSE_F32' : 'DENSE', h as unknown as Record<string, unknown>), v: img.addressOf(h.v), y: img.addressOf(h.y),
    N: h.N, timing: p.heads[i].timing, input: p.heads[i].input,
  }));
  const pools: PoolPlan[] = poolBuffers.map((b, i) => {
    const cell = qp.pools![i];
    return { ...b, desc: serializeCell(img, isF32Pool(cell) ? 'ATTENTION_F32' : 'ATTENTION', cell as unknown as Record<string, unknown>) };
  });
  return {
    qp, io, vecBytes, convert, maxSteps, streamable, input, current, sequence, dirs, heads, pools, outputs,
    state: { ptr: stateStart, bytes: stateEnd - stateStart }, image: img, ahead,
  };
}

/** Buffers of every attention pool (the program is not streamable, so its input streams have sequence buffers). */
function planPoolBuffers(qp: QProgram, img: MemoryImage, maxSteps: number, vecBytes: number, current: Map<string, number>,
  sequence: Map<string, number>): Omit<PoolPlan, 'desc'>[] {
  const p = qp.program;
  // The integer pool's i32 sums are exact up to MAX_POOL_STEPS; the f32 pool has none.
  if (p.pools.length && !isF32(qp.options.scheme) && maxSteps > MAX_POOL_STEPS) fail(`attention '${p.pools[0].name}': max_steps ${maxSteps} exceeds ${MAX_POOL_STEPS} (the pooling's 32-bit sums are exact up to there)`);
  return (qp.pools ?? []).map((cell, i) => {
    const spec = p.pools[i];
    const [pooledKey, weightsKey] = poolKeys(i);
    current.set(pooledKey, img.buffer(`${pooledKey}.y`, cell.H * vecBytes, cell.y));
    img.buffer(`${pooledKey}.u`, cell.u.length * 4, cell.u); // i32 or f32
    if (!isF32Pool(cell)) img.buffer(`${pooledKey}.th`, cell.th.length * 2, cell.th);
    const own = spec.input.length === 1 ? sequence.get(vecKey(spec.input[0])) : undefined;
    const hs = own ?? img.buffer(`${pooledKey}.seq`, maxSteps * cell.H * vecBytes);
    const scores = img.buffer(`${pooledKey}.scores`, maxSteps * 4);
    const alpha = weightsUsed(p, i) ? img.buffer(`${weightsKey}.seq`, maxSteps * vecBytes) : 0;
    if (alpha) sequence.set(weightsKey, alpha);
    return { index: i, H: cell.H, hs, fillsInput: own === undefined, input: spec.input, scores, alpha };
  });
}

/** Copies that build one output slice (axes other than T and B, in view order) from vectors. */
function outputCopies(qp: QProgram, axes: string[], groups: VecRef[][], name: string): Copy[] {
  const rest = axes.filter((a) => a !== 'T' && a !== 'B' && a !== '1');
  if (axes.includes('T') && axes.filter((a) => a !== 'B' && a !== '1')[0] !== 'T') fail(`output '${name}': time must be the outermost axis after batch`);
  if (rest.length > 2 || (rest.length === 2 && rest.join() !== 'D,F') || (rest.length === 1 && rest[0] !== 'F' && rest[0] !== 'D')) {
    fail(`output '${name}': layout [${axes.join(',')}] is not supported by the module (features must be innermost)`);
  }
  const copies: Copy[] = [];
  let dst = 0;
  for (const group of groups) {
    for (const ref of group) {
      const key = vecKey(ref);
      const count = vecSize(qp.program, ref);
      copies.push({ key, src: 0, dst, count, frac: qp.formats.get(key)!.frac });
      dst += count;
    }
  }
  return copies;
}
