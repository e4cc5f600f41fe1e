/**
 * @fileoverview The op table: the contract between importers (which only produce these ops)
 * and passes, the reference interpreter and codegen (which only consume them). An op not
 * here does not exist for rnnc.
 */
import type { OpSpec } from './op-spec.ts';
import { elementwiseOps } from './ops/elementwise.ts';
import { linearOps } from './ops/linear.ts';
import { recurrentOps } from './ops/recurrent.ts';
import { shapeOps } from './ops/shape.ts';
import { sruOps } from './ops/sru.ts';
import { qrnnOps } from './ops/qrnn.ts';
import { reduceOps } from './ops/reduce.ts';
import { attentionOps } from './ops/attention.ts';
import { fail } from '../errors.ts';

export const OPS: Readonly<Record<string, OpSpec>> = {
  ...recurrentOps,
  ...linearOps,
  ...elementwiseOps,
  ...shapeOps,
  ...sruOps,
  ...qrnnOps,
  ...reduceOps,
  ...attentionOps,
};

export function opSpec(op: string): OpSpec {
  return OPS[op] ?? fail(`op '${op}' is not in the IR op table`);
}

export type { OpSpec };
