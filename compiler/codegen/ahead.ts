/**
 * @fileoverview run(n) with SRU's and QRNN's input projections ahead of their recurrence. Their
 * matrices read only the input, so run(n) takes the steps in chunks of CHUNK: a chunk's input
 * vectors go into a column-major buffer xs [I, SLOTS], one call projects all of them (a
 * matrix–matrix product, each weight row loaded once per chunk: runtime-as/cells/project.ts,
 * f32 runtime-as/f32/project.ts) into proj [rows, CHUNK], and CHUNK elementwise steps read it.
 * The values are exactly the per-step path's (integers: exact sums, same rescale and saturation;
 * f32: each (row, step) sum in the per-step order), so run(n) stays bit-exact with step() and the
 * simulator, which needs no change. The last n mod CHUNK steps take the per-step path; step()
 * is unchanged. docs/sru-qrnn.md has the measured effect.
 *
 * Static memory per SRU/QRNN direction: xs I·SLOTS vector elements; proj CHUNK·rows·4 bytes for
 * SRU (i32: its gates add the peephole before saturating; f32) and CHUNK·rows·2 for QRNN (i16,
 * saturated as its gates read them; f32: 4). A streamable module runs a chunk layer by layer and
 * also keeps [CHUNK, size] of every vector that other cells or per-step heads read step by step
 * (none for SRU/QRNN stacks: each step's h goes straight into the next layer's xs and the outputs).
 */
import { vecKey, vecSize, type VecRef } from '../lower/program.ts';
import type { QProgram } from '../quantize/quantize.ts';
import { isF32 } from '../quantize/schemes.ts';
import type { MemoryImage } from './memory-image.ts';
import type { ModulePlan } from './plan.ts';

/** Steps per chunk; runtime-as/cells/project.ts unrolls for these two numbers. */
export const CHUNK = 4;
export const SLOTS = CHUNK + 1;

export interface AheadDir {
  /** V[I, SLOTS]: slot s + 1 of column c is x_{t0+s}[c]; slot 0 is x_{t0−1} (QRNN window 2). */
  xs: number;
  /** [rows, CHUNK]: i32 (SRU), i16 (QRNN) or f32. */
  proj: number;
}

export interface AheadPlan {
  /** Per entry of plan.dirs: its chunk buffers, or undefined (the cell runs step by step). */
  dirs: (AheadDir | undefined)[];
  /** Streamable modules: [CHUNK, size] buffers of vectors read step by step within a chunk. */
  pulled: Map<string, number>;
}

const projected = (kind: string) => /^(SRU|QRNN)(_F32)?$/.test(kind);

/** Reserves the chunk buffers (before any constant), or undefined when run(n) stays per step. */
export function planAhead(qp: QProgram, img: MemoryImage, vecBytes: number, streamable: boolean, convert: boolean): AheadPlan | undefined {
  const p = qp.program;
  const flat = qp.layers.flatMap((ds, l) => ds.map((d, k) => ({ q: d.q, l, k })));
  const f32 = isF32(qp.options.scheme);
  if (!flat.some((d) => projected(d.q.kind))) return undefined;
  const pulled = new Map<string, number>();
  if (streamable) {
    // Inside a chunk, layers run one after the other: what later code reads step by step needs CHUNK steps kept.
    const readers: VecRef[][] = [...flat.filter((d) => !projected(d.q.kind)).map((d) => p.layers[d.l].input),
      ...p.heads.filter((h) => h.timing === 'seq').map((h) => h.input)];
    const keys = new Set(readers.flat().map(vecKey)); // outputs are written as each step's vector appears
    const layerInputs = flat.flatMap((d) => p.layers[d.l].input);
    if (layerInputs.some((r) => r.kind !== 'input' && r.kind !== 'h')) return undefined; // nothing else is produced before the layers
    for (const key of keys) {
      if (key.startsWith('head') || (key === 'x' && !convert)) continue; // current during the step / the input buffer
      const bytes = key.startsWith('c') && !f32 ? 2 : vecBytes;
      pulled.set(key, img.buffer(`${key}.chunk`, CHUNK * keySize(qp, key) * bytes));
    }
  }
  const dirs = flat.map(({ q, l, k }) => {
    if (!projected(q.kind)) return undefined;
    const cell = q.cell as { I: number; U?: { rows: number }; gates?: { rows: number } };
    const rows = (cell.U ?? cell.gates)!.rows;
    return {
      xs: img.buffer(`xs${l}.${k}`, cell.I * SLOTS * vecBytes),
      proj: img.buffer(`proj${l}.${k}`, CHUNK * rows * (q.kind === 'QRNN' ? 2 : 4)), // f32 rows are 4 bytes
    };
  });
  return { dirs, pulled };
}

function keySize(qp: QProgram, key: string): number {
  const p = qp.program;
  if (key === 'x') return p.input.size;
  if (key.startsWith('head')) return vecSize(p, { kind: 'head', head: Number(key.slice(4)) });
  const [layer, dir] = key.slice(1).split('.').map(Number);
  return vecSize(p, { kind: key[0] as 'h' | 'c', layer, dir });
}

/** What the emitter lends: its line sink and the pieces of stepAt. */
export interface AheadEmit {
  plan: ModulePlan;
  out: (s?: string) => void;
  V: string;
  W: string;
  fill: (dst: number, refs: VecRef[], at: (key: string) => string) => void;
  readInput: (dst: string, step: string, n: string) => void;
  writeOutput: (o: ModulePlan['outputs'][number], slot: string, at: (key: string) => string) => void;
  cellCall: (d: ModulePlan['dirs'][number]) => string;
  denseCall: (h: { index: number; desc: number }) => string;
  cur: (key: string) => string;
}

/** The chunk's projection call, and the recurrence of chunk step `s` (an expression). */
function calls(e: AheadEmit, i: number): [string, (s: string) => string] {
  const d = e.plan.dirs[i], a = e.plan.ahead!.dirs[i]!;
  const name = d.kind === 'SRU' ? 'sru' : 'qrnn';
  const [project, recur] = e.V === 'f32' ? [`${name}ProjectF32(`, `${name}RecurF32(`] : [`${name}Project<${e.V}, ${e.W}>(`, `${name}Recur<${e.V}>(`];
  const xs = d.kind === 'SRU' ? `${a.xs}, ` : ''; // the k = 3 highway reads the input
  return [`${project}${d.desc}, ${a.xs}, ${a.proj})`, (s) => `${recur}${d.desc}, ${a.proj}, ${xs}${s})`];
}

/** Copies of chunk step `s` of input vectors into xs slot s + 1 (column offsets as the layer input concatenates them). */
function toSlots(e: AheadEmit, i: number, s: string, at: (key: string) => string, only?: string): void {
  const vb = e.plan.vecBytes, xs = e.plan.ahead!.dirs[i]!.xs;
  let off = 0;
  for (const r of e.plan.dirs[i].input) {
    const n = vecSize(e.plan.qp.program, r);
    if (only === undefined || vecKey(r) === only) e.out(`    toColumn<${e.V}>(${xs} + (${s} + 1) * ${vb} + ${off * SLOTS * vb}, ${at(vecKey(r))}, ${n});`);
    off += n;
  }
}

/** Non-streamable run(): direction i over its whole sequence in chunks (`seq(key, t)` addresses step t of a sequence buffer). */
export function emitAheadDir(e: AheadEmit, i: number, seq: (key: string, t: string) => string): void {
  const d = e.plan.dirs[i];
  const [project, recur] = calls(e, i);
  const hk = vecKey({ kind: 'h', layer: d.layer, dir: d.dir });
  const t = (s: string) => `    const t: u32 = ${d.reverse ? `n - 1 - (s + ${s})` : `s + ${s}`};`;
  e.out(`  for (let s: u32 = 0; s < n - n % ${CHUNK}; s += ${CHUNK}) {`);
  e.out(`   for (let u: u32 = 0; u < ${CHUNK}; u++) {`);
  e.out(t('u'));
  toSlots(e, i, 'u', (key) => seq(key, 't'));
  e.out('   }');
  e.out(`    ${project};`);
  e.out(`   for (let u: u32 = 0; u < ${CHUNK}; u++) {`);
  e.out(t('u'));
  e.out(`    ${recur('u')};`);
  e.out(`    copyVec<${e.V}>(${seq(hk, 't')}, ${d.h}, ${d.H});`);
  e.out('   }');
  e.out('  }');
}

/** Streamable run(): chunkAt(t0) runs steps t0 … t0 + CHUNK − 1 layer by layer, then heads and outputs step by step. */
export function emitChunkAt(e: AheadEmit): void {
  const { plan, out } = e;
  const ah = plan.ahead!, p = plan.qp.program, vb = plan.vecBytes;
  const cType = vb === 4 ? 'f32' : 'i16'; // cell states: int16 in every integer scheme
  const slot = (key: string) => `${ah.pulled.get(key)} + s * ${keySize(plan.qp, key) * (key.startsWith('c') ? (vb === 4 ? 4 : 2) : vb)}`;
  const at = (key: string) => (key.startsWith('head') ? e.cur(key) : key === 'x' && !plan.convert ? `${plan.input.ptr} + (t0 + s) * ${p.input.size * vb}` : slot(key));
  const seqOutputs = plan.outputs.filter((x) => x.timing === 'seq');
  const copiesOf = (o: ModulePlan['outputs'][number], keep: (key: string) => boolean) => ({ ...o, copies: o.copies.filter((c) => keep(c.key)) });
  // A vector of step s is ready at `src`: write it to the outputs, hand it to the projected layers
  // that read it, and keep it if read step by step later in the chunk.
  const publish = (key: string, src: string) => {
    for (const o of seqOutputs) e.writeOutput(copiesOf(o, (k) => k === key), '(t0 + s)', () => src);
    plan.dirs.forEach((_, j) => ah.dirs[j] && toSlots(e, j, 's', () => src, key));
    if (ah.pulled.has(key)) out(`    copyVec<${key.startsWith('c') ? cType : e.V}>(${slot(key)}, ${src}, ${keySize(plan.qp, key)});`);
  };
  out(`/** Steps t0 … t0 + ${CHUNK - 1} of run(n): projections of SRU/QRNN layers a chunk at a time. */`);
  out('function chunkAt(t0: u32): void {');
  out(`  for (let s: u32 = 0; s < ${CHUNK}; s++) {`);
  if (plan.convert) {
    const dst = ah.pulled.has('x') ? slot('x') : e.cur('x');
    e.readInput(dst, '(t0 + s)', String(p.input.size));
    publish('x', dst);
  } else publish('x', at('x'));
  out('  }');
  for (const [i, d] of plan.dirs.entries()) {
    const keys = [vecKey({ kind: 'h', layer: d.layer, dir: d.dir }), vecKey({ kind: 'c', layer: d.layer, dir: d.dir })];
    const after = () => { publish(keys[0], String(d.h)); if (d.c) publish(keys[1], String(d.c)); };
    if (ah.dirs[i]) {
      const [project, recur] = calls(e, i);
      out(`  ${project};`);
      out(`  for (let s: u32 = 0; s < ${CHUNK}; s++) {`);
      out(`    ${recur('s')};`);
    } else {
      out(`  for (let s: u32 = 0; s < ${CHUNK}; s++) {`);
      e.fill(d.v, d.input, at);
      out(`    ${e.cellCall(d)};`);
    }
    after();
    out('  }');
  }
  const heads = plan.heads.filter((x) => x.timing === 'seq');
  if (heads.length) {
    out(`  for (let s: u32 = 0; s < ${CHUNK}; s++) {`);
    for (const h of heads) {
      e.fill(h.v, h.input, at);
      out(`    ${e.denseCall(h)};`);
    }
    for (const o of seqOutputs) e.writeOutput(copiesOf(o, (k) => k.startsWith('head')), '(t0 + s)', at);
    out('  }');
  }
  out('}');
  out();
}
