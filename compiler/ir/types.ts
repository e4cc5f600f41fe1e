/**
 * @fileoverview The IR's data types: tensors, value descriptions, nodes and graphs.
 *
 * The IR is deliberately close to ONNX (ops keep ONNX semantics and input order) so that the
 * float reference is easy to check against ONNX test data; other importers (TF.js, PyTorch)
 * convert their conventions (gate order, layouts) into these ops.
 */

/** Element types the IR knows. int64 data is held in a Float64Array (exact up to 2^53). */
export type DType = 'float32' | 'int32' | 'int64' | 'bool';

/** A dimension: a concrete size, or a symbolic name (e.g. the sequence length 'T'). */
export type Dim = number | string;

export type TensorData = Float32Array | Int32Array | Float64Array | Uint8Array;

/** A dense row-major tensor with concrete shape. */
export interface Tensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** What is known about a value before running: element type and (possibly symbolic) shape. */
export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/** Normalized attribute values. Importers convert framework encodings into these. */
export type AttrValue = number | string | number[] | string[] | Tensor;

export interface Node {
  /** Unique within the graph; importers invent one when the source has none. */
  name: string;
  /** A key of the op table (`compiler/ir/ops.ts`). */
  op: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  /** Value names; '' marks an output the model does not use. */
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface Graph {
  name: string;
  /** Runtime inputs (not initializers), in the order test-data files `input_N.pb` feed them. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Constant tensors: weights, and whatever constant folding produced. */
  initializers: Map<string, Tensor>;
  /** Topologically sorted. */
  nodes: Node[];
  /** Inferred info for every value (inputs, initializers, node outputs). */
  values: Map<string, ValueInfo>;
  /** Where the graph came from, for error messages ("model.onnx"). */
  source: string;
  /** Format-specific facts worth reporting (producer, opset). */
  meta: Record<string, string | number>;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(',')}]`;
}

export function newTensor(dtype: DType, shape: number[]): Tensor {
  const n = elementCount(shape);
  const data =
    dtype === 'float32' ? new Float32Array(n)
    : dtype === 'int32' ? new Int32Array(n)
    : dtype === 'bool' ? new Uint8Array(n)
    : new Float64Array(n);
  return { dtype, shape: [...shape], data };
}
