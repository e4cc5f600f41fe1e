/**
 * @fileoverview AttentionPool (compiler/ir/ops/attention.ts) in the lowered program: lowering the
 * node to a program pool over a sequence of vectors, and its float run (for calibration and for
 * checking lowering against the interpreter). The pool needs the whole sequence, so a program
 * with one is not streamable (the module has run(n) only).
 *
 * Views: input Y [T, B, H] (one direction group, features last); outputs pooled [B, H] (final)
 * and weights [T, B] (one element per step).
 */
import type { Node, Tensor } from '../ir/types.ts';
import { vecKey, vecSize, type AttentionPool, type Program, type VecRef } from './program.ts';
import type * as V from './views.ts';

export function lowerAttention(p: Program, node: Node, y: V.LView, constant: (i: number) => Tensor | undefined, fail: V.Fail): V.LView[] {
  if (y.axes.some((a) => typeof a === 'number')) fail('attention pooling must follow a recurrent layer (it reads the model input directly)');
  if (y.timing !== 'seq' || y.axes.join() !== 'T,B,F' || y.groups.length !== 1) {
    fail(`the hidden states must be a sequence laid out [time, batch, features] with one direction group, not [${y.axes.join(', ')}]`);
  }
  const input = y.groups[0];
  if (input.some((r) => r.kind === 'head' && p.heads[r.head].argmax)) fail('attention pooling over ArgMax indices');
  const W = constant(1) ?? fail('W (or the query) must be a constant');
  const additive = node.attrs.mode === 'additive';
  const H = input.reduce((s, r) => s + vecSize(p, r), 0);
  const A = additive ? W.shape[0] : 0;
  const f32 = (t: Tensor | undefined, n: number) => (t ? Float32Array.from(t.data as Float32Array) : new Float32Array(n));
  const pool: AttentionPool = {
    name: node.name, input, hidden: H, mode: additive ? 'additive' : 'dot', attention: A, W: f32(W, 0),
    V: additive ? f32(constant(2) ?? fail('V must be a constant'), A) : new Float32Array(0),
    b: additive ? f32(constant(3), A) : new Float32Array(0), scale: node.attrs.scale as number,
  };
  if (pool.W.length !== (additive ? A * H : H)) fail(`W has ${pool.W.length} values for hidden size ${H}`);
  const index = p.pools.push(pool) - 1;
  return [
    { timing: 'final', axes: ['B', 'F'], groups: [[{ kind: 'pool', pool: index }]] },
    { timing: 'seq', axes: ['T', 'B'], groups: [[{ kind: 'poolw', pool: index }]] },
  ];
}

/** Called with a tag ('pool0.pre', 'pool0.scores') and values, for range calibration. */
export type PoolObserver = (tag: string, values: ArrayLike<number>) => void;

/**
 * One pool over the sequence hs[t] (float64, as the reference kernel): the pooled vector and
 * the weights α_t. `observe` sees the additive pre-activations W·h_t + b and all the scores.
 */
export function attentionFloat(pool: AttentionPool, i: number, hs: ArrayLike<number>[], observe?: PoolObserver): { pooled: Float64Array; alpha: Float64Array } {
  const { hidden: H, attention: A } = pool;
  const T = hs.length;
  const s = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    if (pool.mode === 'additive') {
      const u = new Float64Array(A);
      for (let a = 0; a < A; a++) {
        u[a] = pool.b[a];
        for (let j = 0; j < H; j++) u[a] += pool.W[a * H + j] * hs[t][j];
        s[t] += pool.V[a] * Math.tanh(u[a]);
      }
      observe?.(`pool${i}.pre`, u);
    } else {
      for (let j = 0; j < H; j++) s[t] += pool.W[j] * hs[t][j];
      s[t] *= pool.scale;
    }
  }
  observe?.(`pool${i}.scores`, s);
  const m = s.reduce((x, v) => Math.max(x, v), -Infinity);
  let sum = 0;
  for (let t = 0; t < T; t++) sum += (s[t] = Math.exp(s[t] - m));
  const pooled = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    s[t] /= sum;
    for (let j = 0; j < H; j++) pooled[j] += s[t] * hs[t][j];
  }
  return { pooled, alpha: s };
}

/** The stream keys of pool i: pooled vector, weights. */
export const poolKeys = (i: number) => [vecKey({ kind: 'pool', pool: i }), vecKey({ kind: 'poolw', pool: i })] as const;

/** True if a graph output reads pool i's weights (the module then stores them). */
export function weightsUsed(p: Program, i: number): boolean {
  return p.outputs.some((o) => o.view.groups.some((g) => g.some((r: VecRef) => r.kind === 'poolw' && r.pool === i)));
}
