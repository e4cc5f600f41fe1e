/**
 * @fileoverview ONNX TensorProto ↔ IR Tensor. Sizes are checked against the stated limits
 * before anything is allocated, and payload lengths against the dims, so a truncated or
 * hostile file gets a precise error instead of a crash or a huge allocation.
 */
import { fail, LIMITS } from '../../errors.ts';
import type { DType, Tensor } from '../../ir/types.ts';
import { newTensor } from '../../ir/types.ts';
import { num, onnx, type OnnxNs } from './proto.ts';

const T = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
const TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

export function onnxTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

/** Maps an ONNX element type to the IR's; float64 is narrowed to float32 (the IR computes in float32). */
export function irDType(t: number, what: string): DType {
  switch (t) {
    case T.FLOAT: case T.DOUBLE: return 'float32';
    case T.INT32: return 'int32';
    case T.INT64: return 'int64';
    case T.BOOL: return 'bool';
    default: return fail(`${what}: element type ${onnxTypeName(t)} is not supported (float32, float64, int32, int64, bool are)`);
  }
}

/** Validated dims: non-negative integers, rank and element count within LIMITS. */
export function checkedDims(dims: unknown[], what: string): number[] {
  const shape = dims.map(num);
  if (shape.length > LIMITS.maxRank) fail(`${what}: rank ${shape.length} exceeds the limit of ${LIMITS.maxRank}`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail(`${what}: dimension ${d} in [${shape.join(',')}] is not a non-negative integer`);
    n *= d;
  }
  if (n > LIMITS.maxTensorElements) fail(`${what}: shape [${shape.join(',')}] has ${n} elements, above the limit of ${LIMITS.maxTensorElements}`);
  return shape;
}

export function tensorFromProto(p: OnnxNs.ITensorProto, what: string): Tensor {
  if (p.dataLocation === 1) fail(`${what}: external data files are not supported; re-save the model with weights embedded`);
  if (p.segment) fail(`${what}: segmented tensors are not supported`);
  const type = p.dataType ?? 0;
  const dtype = irDType(type, what);
  const shape = checkedDims(p.dims ?? [], what);
  const t = newTensor(dtype, shape);
  const n = t.data.length;
  const raw = p.rawData && p.rawData.length ? p.rawData : undefined;
  const width = type === T.DOUBLE || type === T.INT64 ? 8 : type === T.BOOL ? 1 : 4;
  if (raw) {
    if (raw.length !== n * width) fail(`${what}: raw_data has ${raw.length} bytes but [${shape.join(',')}] ${onnxTypeName(type)} needs ${n * width}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      if (type === T.FLOAT) t.data[i] = view.getFloat32(4 * i, true);
      else if (type === T.DOUBLE) t.data[i] = view.getFloat64(8 * i, true);
      else if (type === T.INT32) t.data[i] = view.getInt32(4 * i, true);
      else if (type === T.INT64) t.data[i] = Number(view.getBigInt64(8 * i, true));
      else t.data[i] = view.getUint8(i) ? 1 : 0;
    }
    return t;
  }
  const field: unknown[] =
    type === T.FLOAT ? p.floatData ?? []
    : type === T.DOUBLE ? p.doubleData ?? []
    : type === T.INT64 ? p.int64Data ?? []
    : p.int32Data ?? []; // int32 and bool are stored in int32_data
  if (field.length !== n) fail(`${what}: holds ${field.length} values but [${shape.join(',')}] needs ${n}`);
  for (let i = 0; i < n; i++) t.data[i] = num(field[i]);
  return t;
}

/** Decodes a standalone TensorProto file (test data `input_N.pb` / `output_N.pb`). */
export function decodeTensorFile(bytes: Uint8Array, file: string): { name: string; tensor: Tensor } {
  let p: OnnxNs.TensorProto;
  try {
    p = onnx.TensorProto.decode(bytes);
  } catch (e) {
    return fail(`${file}: not an ONNX TensorProto file (${(e as Error).message})`);
  }
  if (!p.dataType) fail(`${file}: not an ONNX TensorProto file (no data_type)`);
  return { name: p.name ?? '', tensor: tensorFromProto(p, file) };
}

const OUT_TYPE: Record<DType, number> = { float32: T.FLOAT, int32: T.INT32, int64: T.INT64, bool: T.BOOL };

/** Encodes a tensor as a TensorProto with little-endian raw_data, as the ONNX test data does. */
export function encodeTensorFile(name: string, t: Tensor): Uint8Array {
  const width = t.dtype === 'int64' ? 8 : t.dtype === 'bool' ? 1 : 4;
  const raw = new Uint8Array(t.data.length * width);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) {
    if (t.dtype === 'float32') view.setFloat32(4 * i, t.data[i], true);
    else if (t.dtype === 'int32') view.setInt32(4 * i, t.data[i], true);
    else if (t.dtype === 'int64') view.setBigInt64(8 * i, BigInt(t.data[i]), true);
    else view.setUint8(i, t.data[i]);
  }
  return onnx.TensorProto.encode({ name, dims: t.shape, dataType: OUT_TYPE[t.dtype], rawData: raw }).finish();
}
