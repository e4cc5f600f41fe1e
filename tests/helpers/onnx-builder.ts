/**
 * Builds small ONNX models in tests (for cases the fixtures lack and for malformed inputs).
 * Encodes with the same onnx-proto schema the importer decodes with; the values come from
 * the test, so the oracle (onnxruntime or hand arithmetic) stays independent of rnnc.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');

export type Attr = number | string | number[] | string[] | { floats: number[] } | { ints: number[] } | { tensor: TensorDef };

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, Attr>;
}

export interface TensorDef {
  name: string;
  dims: number[];
  data?: number[] | Float32Array;
  type?: 'float32' | 'int64' | 'int32';
  /** Encode as raw_data (default) or in the typed field. */
  raw?: boolean;
}

function attribute(name: string, v: Attr) {
  if (typeof v === 'number') return Number.isInteger(v) && !name.includes('clip') && !name.startsWith('alpha') && !name.startsWith('beta')
    ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (!Array.isArray(v) && 'tensor' in v) return { name, type: 4, t: tensorProto(v.tensor) };
  if (!Array.isArray(v)) return 'floats' in v ? { name, type: 6, floats: v.floats } : { name, type: 7, ints: v.ints };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: 8, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  return { name, type: 7, ints: v };
}

export function tensorProto(t: TensorDef) {
  const type = t.type ?? 'float32';
  const data = Array.from(t.data ?? []);
  const code = type === 'float32' ? 1 : type === 'int64' ? 7 : 6;
  if (t.raw === false) {
    return type === 'float32' ? { name: t.name, dims: t.dims, dataType: 1, floatData: data }
      : type === 'int64' ? { name: t.name, dims: t.dims, dataType: 7, int64Data: data } : { name: t.name, dims: t.dims, dataType: 6, int32Data: data };
  }
  const width = type === 'int64' ? 8 : 4;
  const raw = new Uint8Array(data.length * width);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => (type === 'float32' ? view.setFloat32(4 * i, v, true) : type === 'int64' ? view.setBigInt64(8 * i, BigInt(v), true) : view.setInt32(4 * i, v, true)));
  return { name: t.name, dims: t.dims, dataType: code, rawData: raw };
}

function valueInfo(name: string, dims: (number | string)[], elemType = 1) {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export interface ModelDef {
  nodes: NodeDef[];
  inputs: { name: string; dims: (number | string)[]; type?: number }[];
  /** `type` is the ONNX element type code (default 1, float32). */
  outputs: { name: string; dims: (number | string)[]; type?: number }[];
  initializers?: TensorDef[];
  opset?: number;
}

export function buildModel(m: ModelDef): Uint8Array {
  const model = {
    irVersion: 8,
    producerName: 'rnnc-tests',
    opsetImport: [{ domain: '', version: m.opset ?? 14 }],
    graph: {
      name: 'test',
      node: m.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`, opType: n.op, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      input: m.inputs.map((i) => valueInfo(i.name, i.dims, i.type)),
      output: m.outputs.map((o) => valueInfo(o.name, o.dims, o.type)),
      initializer: (m.initializers ?? []).map(tensorProto),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

export function encodeTensor(t: TensorDef): Uint8Array {
  return onnx.TensorProto.encode(tensorProto(t)).finish();
}

/** mulberry32: a tiny seeded PRNG so generated cases are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(r: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (2 * r() - 1) * scale);
}
