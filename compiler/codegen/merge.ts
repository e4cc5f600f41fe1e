/**
 * @fileoverview Direction merges (Keras Bidirectional sum, ave, mul) in the module: their buffers
 * in the memory plan and their calls in the generated run(). A merge reads a reverse direction,
 * so its module is never streamable: a per-step merge fills a whole-sequence buffer after its
 * layer has run; a final merge writes one vector from the directions' final states. Kernels:
 * runtime-as/ops/merge.ts (integer schemes), runtime-as/f32/merge.ts (f32); every parameter is
 * a constant in the call, so the module needs no descriptor.
 */
import { isStreamable, vecKey, vecSize } from '../lower/program.ts';
import type { QProgram } from '../quantize/quantize.ts';
import type { MemoryImage } from './memory-image.ts';

/** Reserves each merge's buffer: [maxSteps, n] for a per-step merge, [n] (its current vector) for a final one. */
export function planMergeBuffers(qp: QProgram, img: MemoryImage, maxSteps: number, vecBytes: number, current: Map<string, number>,
  sequence: Map<string, number>): void {
  // Lowering only merges two directions of one layer, so one is reverse; emit relies on it.
  if (qp.program.merges.length && isStreamable(qp.program)) throw new Error('internal: a merge in a streamable program');
  qp.program.merges.forEach((m, i) => {
    const key = vecKey({ kind: 'merge', merge: i });
    if (m.timing === 'seq') sequence.set(key, img.buffer(`${key}.seq`, maxSteps * m.size * vecBytes));
    else current.set(key, img.buffer(`${key}.y`, m.size * vecBytes, qp.merges![i].y));
  });
}

/** Import lines for the generated module (none without merges). */
export function mergeImports(qp: QProgram, f32: boolean): string[] {
  if (!qp.program.merges.length) return [];
  return [f32 ? `import { mergeSumF32, mergeMulF32 } from './runtime-as/f32/merge';` : `import { mergeSum, mergeMul } from './runtime-as/ops/merge';`];
}

/**
 * Calls of the merges that follow layer l, inside run(n): `seq(key, t)` and `cur(key)` give the
 * address expressions of a stream's step t and of its current (final) vector.
 */
export function emitMerges(qp: QProgram, l: number, V: string, seq: (key: string, t: string) => string, cur: (key: string) => string): string[] {
  const lines: string[] = [];
  qp.program.merges.forEach((m, i) => {
    if (m.after !== l + 1) return;
    const c = qp.merges![i];
    const n = vecSize(qp.program, { kind: 'merge', merge: i });
    const call = (y: string, a: string, b: string) => (V === 'f32'
      ? (c.mul ? `mergeMulF32(${y}, ${a}, ${b}, ${n})` : `mergeSumF32(${y}, ${a}, ${b}, ${n}, ${c.scale === 1 ? '1.0' : '0.5'})`)
      : (c.mul ? `mergeMul<${V}>(${y}, ${a}, ${b}, ${n}, ${c.shift})` : `mergeSum<${V}>(${y}, ${a}, ${b}, ${n}, ${c.sa}, ${c.sb}, ${c.shift})`));
    const [ky, ka, kb] = [vecKey({ kind: 'merge', merge: i }), vecKey(m.a), vecKey(m.b)];
    if (m.timing === 'seq') {
      lines.push('  for (let t: u32 = 0; t < n; t++) {', `    ${call(seq(ky, 't'), seq(ka, 't'), seq(kb, 't'))};`, '  }');
    } else {
      lines.push(`  ${call(cur(ky), cur(ka), cur(kb))};`);
    }
  });
  return lines;
}
