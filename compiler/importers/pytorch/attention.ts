/**
 * @fileoverview `rnnc.AttentionPool`: attention pooling after a recurrent module, as PyTorch
 * models usually write it, → the IR AttentionPool node (compiler/ir/ops/attention.ts). PyTorch
 * has no such module, so config.json names it and the state dict must use these names (after
 * the module's prefix; schema in docs/importers.md):
 *
 *   mode "additive" (Bahdanau): s_t = v(tanh(W(h_t)))
 *     W.weight [A, H], W.bias [A] (bias: true)   W = nn.Linear(H, A)
 *     v.weight [1, A]                             v = nn.Linear(A, 1, bias=False); a v.bias [1] is
 *                                                 accepted and dropped (softmax ignores a shift)
 *   mode "dot" (Luong): s_t = scale · (query · h_t)
 *     query [H]                                   query = nn.Parameter(torch.empty(H))
 *
 * α = softmax over time of s; output pooled [N, H] = Σ_t α_t h_t; with return_weights the
 * weights α follow as an output [L, N] ([N, L] when the sequence is batch_first).
 */
import { fail } from '../../errors.ts';
import type { GraphBuilder } from '../graph-builder.ts';
import { configReaders } from './config-readers.ts';
import type { TensorSource } from './sru.ts';

export interface AttentionModule {
  kind: 'AttentionPool';
  module: string;
  prefix: string;
  hiddenSize: number;
  /** A (additive); 0 for dot. */
  attentionSize: number;
  mode: 'additive' | 'dot';
  scale: number;
  bias: boolean;
  returnWeights: boolean;
}

export const isAttentionClass = (module: string) => /^(?:rnnc\.)?AttentionPool$/.test(module);

const KEYS = ['module', 'prefix', 'hidden_size', 'attention_size', 'mode', 'scale', 'bias', 'return_weights', 'device', 'dtype'];

export function attentionFromConfig(c: Record<string, unknown>, where: string): AttentionModule {
  for (const key of Object.keys(c)) if (!KEYS.includes(key)) fail(`${where}: unknown argument "${key}"`);
  const { int, bool } = configReaders(c, where);
  const mode = c.mode ?? 'additive';
  if (mode !== 'additive' && mode !== 'dot') fail(`${where}: "mode" must be "additive" or "dot", not ${JSON.stringify(mode)}`);
  const prefix = c.prefix ?? '';
  if (typeof prefix !== 'string') fail(`${where}: "prefix" must be a string`);
  const additive = mode === 'additive';
  if (additive && c.scale !== undefined) fail(`${where}: "scale" applies only to mode "dot"`);
  if (!additive && (c.attention_size !== undefined || c.bias !== undefined)) fail(`${where}: "attention_size" and "bias" apply only to mode "additive"`);
  const scale = c.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) fail(`${where}: "scale" must be a finite number, not ${JSON.stringify(scale)}`);
  return {
    kind: 'AttentionPool', module: c.module as string, prefix, hiddenSize: int('hidden_size'), attentionSize: additive ? int('attention_size') : 0,
    mode, scale, bias: additive && bool('bias', true), returnWeights: bool('return_weights', false),
  };
}

/** Adds the pooling of sequence x ([L, N, H], or [N, L, H] when batchFirst); returns the pooled value and the weights (if returned). */
export function attentionModule(b: GraphBuilder, src: TensorSource, m: AttentionModule, x: string, batchFirst: boolean, where: string): { pooled: string; weights?: string } {
  const { hiddenSize: H, attentionSize: A, prefix: p } = m;
  const f32 = (data: ArrayLike<number>, shape: number[]) => ({ dtype: 'float32' as const, shape, data: Float32Array.from(data) });
  const inputs = [batchFirst ? b.op('Transpose', [x], { perm: [1, 0, 2] }, `${p}attention_in`, where) : x];
  if (m.mode === 'additive') {
    inputs.push(b.constant(`${p}W.weight`, src.take(`${p}W.weight`, [A, H])));
    inputs.push(b.constant(`${p}v.weight`, f32(src.take(`${p}v.weight`, [1, A]).data, [A])));
    if (m.bias) inputs.push(b.constant(`${p}W.bias`, src.take(`${p}W.bias`, [A])));
    if (src.has(`${p}v.bias`)) src.take(`${p}v.bias`, [1]); // the same shift of every score: softmax drops it
  } else {
    inputs.push(b.constant(`${p}query`, src.take(`${p}query`, [H])));
  }
  const [pooled, weights] = b.node('AttentionPool', inputs, { mode: m.mode, scale: m.scale }, [`${p}pooled`, m.returnWeights ? `${p}weights${batchFirst ? '_ln' : ''}` : ''], where);
  if (!m.returnWeights) return { pooled };
  return { pooled, weights: batchFirst ? b.op('Transpose', [weights], { perm: [1, 0] }, `${p}weights_nl`, where) : weights };
}
