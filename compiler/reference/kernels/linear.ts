/**
 * @fileoverview Float reference for Gemm and MatMul (float64 accumulation, float32 results).
 */
import type { Node, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import { broadcastShapes } from '../../ir/ops/elementwise.ts';
import { broadcastIndex } from './elementwise.ts';

export function gemm(node: Node, [A, B, C]: (Tensor | undefined)[]): Tensor[] {
  const ta = node.attrs.transA === 1, tb = node.attrs.transB === 1;
  const alpha = node.attrs.alpha as number, beta = node.attrs.beta as number;
  const [M, K] = ta ? [A!.shape[1], A!.shape[0]] : A!.shape;
  const N = tb ? B!.shape[0] : B!.shape[1];
  const a = (m: number, k: number) => A!.data[ta ? k * M + m : m * K + k];
  const b = (k: number, n: number) => B!.data[tb ? n * K + k : k * N + n];
  const out = newTensor('float32', [M, N]);
  const ic = C ? broadcastIndex(C.shape, [M, N]) : undefined;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a(m, k) * b(k, n);
      out.data[m * N + n] = alpha * acc + (C ? beta * C.data[ic![m * N + n]] : 0);
    }
  }
  return [out];
}

export function matmul(_node: Node, [A, B]: Tensor[]): Tensor[] {
  const a2 = A.shape.length === 1 ? [1, A.shape[0]] : A.shape;
  const b2 = B.shape.length === 1 ? [B.shape[0], 1] : B.shape;
  const [M, K] = a2.slice(-2);
  const N = b2[b2.length - 1];
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2), (m) => { throw new Error(m); }) as number[];
  const count = batch.reduce((x, y) => x * y, 1);
  const ia = broadcastIndex(a2.slice(0, -2), batch);
  const ib = broadcastIndex(b2.slice(0, -2), batch);
  const shape = [...batch, ...(A.shape.length === 1 ? [] : [M]), ...(B.shape.length === 1 ? [] : [N])];
  const out = newTensor('float32', shape);
  for (let p = 0; p < count; p++) {
    const ao = ia[p] * M * K, bo = ib[p] * K * N, oo = p * M * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += A.data[ao + m * K + k] * B.data[bo + k * N + n];
        out.data[oo + m * N + n] = acc;
      }
    }
  }
  return [out];
}
