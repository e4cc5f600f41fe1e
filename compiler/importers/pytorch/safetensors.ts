/**
 * @fileoverview The safetensors container (huggingface/safetensors format): an 8-byte
 * little-endian header length N, N bytes of JSON mapping each tensor name to
 * {dtype, shape, data_offsets: [begin, end]} (offsets relative to the byte after the header),
 * then the raw little-endian data. An optional "__metadata__" entry holds strings.
 *
 * Floating types are widened or narrowed to float32 (the IR's weight type); anything else is
 * refused. Every offset is checked against the file size before any tensor is allocated, and
 * only the header and the tensors themselves are read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fail, LIMITS } from '../../errors.ts';
import type { Tensor } from '../../ir/types.ts';

const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };
/** The format's own cap on the header, which also bounds what a hostile file can make us read. */
const MAX_HEADER = 100_000_000;

export interface SafetensorsFile {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function readExactly(fd: number, length: number, position: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function checkEntry(name: string, v: unknown, dataLength: number, file: string): Entry {
  const where = `${file}: tensor '${name}'`;
  if (typeof v !== 'object' || v === null) fail(`${where}: header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`${where}: no dtype`);
  const size = BYTES[dtype] ?? fail(`${where}: dtype ${dtype} is not supported (F32, F64, F16 and BF16 are)`);
  if (!Array.isArray(shape) || shape.length > LIMITS.maxRank || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const n = shape.reduce((p: number, d: number) => p * d, 1);
  if (n > LIMITS.maxTensorElements) fail(`${where}: ${n} elements, above the limit of ${LIMITS.maxTensorElements}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    fail(`${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
  }
  const [begin, end] = offsets as number[];
  if (end - begin !== n * size) fail(`${where}: data_offsets span ${end - begin} bytes, but ${dtype} [${shape.join(',')}] needs ${n * size}`);
  if (end > dataLength) fail(`${where}: data ends at byte ${end}, past the end of the data (${dataLength} bytes; file truncated?)`);
  return { name, dtype, shape, begin, end };
}

function decode(e: Entry, bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = e.shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (e.dtype) {
      case 'F32': out[i] = view.getFloat32(4 * i, true); break;
      case 'F64': out[i] = view.getFloat64(8 * i, true); break;
      case 'F16': out[i] = halfToFloat(view.getUint16(2 * i, true)); break;
      default: out[i] = bfloat16ToFloat(view.getUint16(2 * i, true));
    }
  }
  return out;
}

/** IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits; exact in float32. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16 is the upper half of a float32. */
export function bfloat16ToFloat(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16 >>> 0);
  return v.getFloat32(0);
}

export function readSafetensors(file: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return fail(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) fail(`${file}: ${size} bytes is too short for a safetensors file (8-byte header length missing)`);
    const lenBytes = readExactly(fd, 8, 0);
    const headerLength = new DataView(lenBytes.buffer).getBigUint64(0, true);
    if (headerLength > BigInt(size - 8)) fail(`${file}: header length ${headerLength} exceeds the file (${size} bytes); not a safetensors file or truncated`);
    if (headerLength > BigInt(MAX_HEADER)) fail(`${file}: header length ${headerLength} is above the format's limit of ${MAX_HEADER}`);
    const n = Number(headerLength);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readExactly(fd, n, 8)));
    } catch (e) {
      return fail(`${file}: the safetensors header is not valid UTF-8 JSON (${(e as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(`${file}: the safetensors header is not a JSON object`);
    const dataLength = size - 8 - n;
    const metadata: Record<string, string> = {};
    const entries: Entry[] = [];
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') Object.assign(metadata, v);
      else entries.push(checkEntry(name, v, dataLength, file));
    }
    const tensors = new Map<string, Tensor>();
    for (const e of entries) {
      const bytes = readExactly(fd, e.end - e.begin, 8 + n + e.begin);
      tensors.set(e.name, { dtype: 'float32', shape: [...e.shape], data: decode(e, bytes) });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}
