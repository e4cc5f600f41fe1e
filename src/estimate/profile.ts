/**
 * @fileoverview Cost profiles (targets/costs.json): core instructions per executed wasm opcode
 * per runtime, cycles per instruction per core, footprints — with sources and uncertainty bands.
 */
import { readFileSync } from 'node:fs';
import { packageRoot } from '../../compiler/paths.ts';
import { classOf } from '../../compiler/build/instrument.ts';

interface RawRuntimeCost {
  arm_per_op?: Record<string, number>;
  /** Per-core replacements of arm_per_op (e.g. ARMv6-M, where wasm2c's loads become memcpy calls). */
  arm_per_op_by_core?: Record<string, Record<string, number>>;
  scale_of?: string;
  scale?: number;
  source: string;
  band: number;
  flash_bytes: number;
  ram_bytes: number;
  footprint_source: string;
  code_bytes_per_wasm_byte?: number;
  memory_limit: boolean;
}

export interface RuntimeCost {
  name: string;
  /** Core instructions for one execution of an opcode (by name; unknown opcodes fall back to their
   * class), on `core` when the profile has a table for it. */
  perOp(opcode: string, core?: string): number;
  source: string;
  band: number;
  flashBytes: number;
  ramBytes: number;
  footprintSource: string;
  /** AOT runtimes: native code bytes per wasm code byte (interpreters keep the module's bytes). */
  codeBytesPerWasmByte?: number;
  /** Whether the runtime can give the module less than a whole 64 KiB page (wasm3 memoryLimit, WAMR shrink). */
  memoryLimit: boolean;
}

export interface CostData {
  cpi: Record<string, number>;
  cpiBand: number;
  runtimes: Map<string, RuntimeCost>;
}

let cache: CostData | undefined;

export function costData(): CostData {
  if (cache) return cache;
  const raw = JSON.parse(readFileSync(`${packageRoot()}/targets/costs.json`, 'utf8'));
  const runtimes = new Map<string, RuntimeCost>();
  const build = (name: string): RuntimeCost => {
    const r: RawRuntimeCost = raw.runtimes[name];
    if (!r) throw new Error(`targets/costs.json: no runtime '${name}'`);
    let perOp: (op: string, core?: string) => number;
    if (r.scale_of) {
      const base = build(r.scale_of);
      perOp = (op, core) => base.perOp(op, core) * r.scale!;
    } else {
      perOp = (op, core) => {
        const table = (core && r.arm_per_op_by_core?.[core]) || r.arm_per_op!;
        return table[op] ?? table[`class:${classOf(op)}`] ?? table['class:other'];
      };
    }
    return {
      name, perOp, source: r.source, band: r.band, flashBytes: r.flash_bytes, ramBytes: r.ram_bytes,
      footprintSource: r.footprint_source, codeBytesPerWasmByte: r.code_bytes_per_wasm_byte, memoryLimit: r.memory_limit,
    };
  };
  for (const name of Object.keys(raw.runtimes)) runtimes.set(name, build(name));
  const { source: _s, band, $comment: _c, ...cpi } = raw.cpi;
  cache = { cpi: cpi as Record<string, number>, cpiBand: band, runtimes };
  return cache;
}
