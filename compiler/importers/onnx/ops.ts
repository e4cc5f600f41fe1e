/**
 * @fileoverview The ONNX op table: op type → how it becomes IR. Most ops map one to one; older
 * opsets' attribute forms (Squeeze/Unsqueeze axes before 13, Slice bounds before 10, Softmax's
 * 2-D coercion before 13) are rewritten into the IR's single form here, so no later stage
 * knows about opset versions. An op or attribute not listed is an error, never skipped.
 */
import type { AttrValue, Tensor } from '../../ir/types.ts';

export interface OnnxImportContext {
  opset: number;
  /** Adds a constant and returns its value name. */
  addConstant(hint: string, t: Tensor): string;
}

export interface OnnxOpRule {
  /** First opset whose form this rule understands (rnnc supports opsets from 7). */
  since?: number;
  /** ONNX attributes accepted and dropped because they cannot change the result for supported types. */
  ignore?: string[];
  /** Attributes that are inputs in the IR form: moved to constant inputs at `index`. */
  attrToInput?: (opset: number) => { attr: string; index: number }[];
  /** Last tweak of the IR attributes for this opset. */
  adjust?: (attrs: Record<string, AttrValue>, opset: number) => void;
}

const int64 = (values: number[]): Tensor => ({ dtype: 'int64', shape: [values.length], data: Float64Array.from(values) });
export { int64 };

const same: OnnxOpRule = {};

export const ONNX_OPS: Record<string, OnnxOpRule> = {
  RNN: same,
  GRU: same,
  LSTM: same,
  Gemm: same,
  MatMul: same,
  Add: same,
  Sub: same,
  Mul: same,
  Div: same,
  Relu: same,
  Sigmoid: same,
  Tanh: same,
  Identity: same,
  Softmax: { adjust: softmaxAxis },
  LogSoftmax: { adjust: softmaxAxis },
  Cast: { ignore: ['saturate', 'round_mode'] },
  Transpose: same,
  Squeeze: { attrToInput: (o) => (o < 13 ? [{ attr: 'axes', index: 1 }] : []) },
  Unsqueeze: { attrToInput: (o) => (o < 13 ? [{ attr: 'axes', index: 1 }] : []) },
  Reshape: same,
  Flatten: same,
  Gather: same,
  Slice: {
    attrToInput: (o) => (o < 10 ? [{ attr: 'starts', index: 1 }, { attr: 'ends', index: 2 }, { attr: 'axes', index: 3 }] : []),
  },
  Concat: same,
  Shape: same,
  Constant: same,
  ArgMax: same,
};

/** Before opset 13, Softmax's default axis is 1 and the input is coerced to 2-D at that axis. */
function softmaxAxis(attrs: Record<string, AttrValue>, opset: number): void {
  if (opset < 13) {
    if (attrs.axis === undefined) attrs.axis = 1;
    attrs.coerce_2d = 1;
  }
}

/** Attribute kinds of the forms above that the IR op spec does not list. */
export const LEGACY_ATTR_TYPES: Record<string, 'ints'> = { axes: 'ints', starts: 'ints', ends: 'ints' };

export const MIN_OPSET = 7;
export const MAX_OPSET = 24;
