/**
 * @fileoverview Access to the ONNX protobuf schema (the maintained `onnx-proto` package, built on
 * protobufjs) and the small conversions its decoded objects need.
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';

const require = createRequire(import.meta.url);
export const onnx: typeof OnnxNs = require('onnx-proto').onnx;
export type { OnnxNs };

/** protobufjs returns int64 fields as Long objects (or numbers); both become JS numbers here. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}
