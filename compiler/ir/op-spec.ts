/**
 * @fileoverview The shape every entry of the op table has. An op spec says which inputs,
 * outputs and attributes the op takes, how to infer output types and shapes, and what the op
 * costs (parameters and multiply-accumulates) — so `analyze`, the verifier and the estimator
 * all read one description.
 */
import type { AttrValue, DType, Dim, Node, Tensor, ValueInfo } from './types.ts';

export type AttrType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor';

export interface AttrSpec {
  type: AttrType;
  /** Value when absent; undefined with `required` unset means "absent is meaningful". */
  default?: AttrValue;
  required?: boolean;
}

export interface PortSpec {
  name: string;
  optional?: boolean;
  /** Takes any number of values (Concat). Only the last input may be variadic. */
  variadic?: boolean;
}

export interface InferContext {
  node: Node;
  /** Info for each input position; undefined for an omitted optional input. */
  inputs: (ValueInfo | undefined)[];
  /** The constant value of input i, if it is an initializer. */
  constant(i: number): Tensor | undefined;
  /** Throws an RnncError naming the node. */
  fail(message: string): never;
}

export interface OutputInfo {
  dtype: DType;
  shape: Dim[];
}

/** Work and storage of one node, counted per batch element. */
export interface OpCost {
  /** Weight-matrix elements (stored as int8/int16 when quantized). */
  weights: number;
  /** Bias-like elements (stored as int32 when quantized). */
  biases: number;
  /** Multiply-accumulates. */
  macs: number;
  /** What `macs` is counted over: one time step of a recurrent layer, or one call of the op. */
  per: 'step' | 'call';
}

export interface OpSpec {
  /** One line for the supported-ops table. */
  summary: string;
  inputs: PortSpec[];
  outputs: PortSpec[];
  attrs: Record<string, AttrSpec>;
  /** Fills defaults and canonicalizes attributes; throws via ctx.fail on bad values. */
  normalize?(node: Node, fail: (m: string) => never): void;
  infer(ctx: InferContext): OutputInfo[];
  cost?(ctx: InferContext): OpCost;
}
