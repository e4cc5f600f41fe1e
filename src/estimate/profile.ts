/**
 * @fileoverview Cost profiles (targets/costs.json): core instructions per executed wasm opcode
 * per runtime; where a runtime has them, cycles per executed wasm opcode per core (fitted on
 * QEMU instruction mixes × the core's timing table, targets/timing.json); cycles per instruction
 * per core as the fallback; float opcodes priced by whether the device has an FPU; footprints —
 * with sources and uncertainty bands.
 */
import { readFileSync } from 'node:fs';
import { packageRoot } from '../../compiler/paths.ts';
import { classOf } from '../../compiler/build/instrument.ts';
import { timingProfiles } from '../targets.ts';

/** Per float opcode (and 'class:float' for the others): soft-float (libgcc) and FPU costs. */
interface FloatTable { soft: Record<string, number>; fpu?: Record<string, number> }

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
  /** Interpreters: RAM for their own compiled form of the code, per wasm code byte, and its source. */
  code_ram_per_wasm_byte?: number;
  code_ram_source?: string;
  memory_limit: boolean;
  /** Cycles per executed opcode per core (keys as arm_per_op), their 1-sigma band per core and source. */
  cycles_per_op_by_core?: Record<string, Record<string, number>>;
  cycles_band_by_core?: Record<string, number>;
  cycles_source?: string;
  /** Float opcodes: cycles per core (soft-float and, for FPU cores, hardware), and instructions. */
  float_cycles_by_core?: Record<string, FloatTable>;
  float_instructions?: FloatTable;
  float_source?: string;
  /** Interpreters: a float opcode = this handler's own instructions + the operation as measured for another runtime's (wasm2c's) float_instructions. */
  float_handler?: { instructions: number; operation_from: string; source: string };
}

/** f32/f64 arithmetic, compares and int↔float conversions: what soft-float turns into library calls. */
export function isFloatOp(op: string): boolean {
  const c = classOf(op);
  return c === 'float' || (c === 'convert' && /f(32|64)/.test(op) && !/reinterpret/.test(op));
}

export interface RuntimeCost {
  name: string;
  /** Core instructions for one execution of an opcode (by name; unknown opcodes fall back to their
   * class), on `core` when the profile has a table for it; float opcodes by `fpu` where measured. */
  perOp(opcode: string, core?: string, fpu?: boolean): number;
  /** Cycles per opcode on `core` (with or without an FPU), or undefined where the runtime has no
   * cycle table for that core (the estimator then uses instructions × CPI). */
  cyclesPerOp(core: string, fpu: boolean): ((opcode: string) => number) | undefined;
  /** Relative 1-sigma band of cyclesPerOp on `core` (held-out error of its fit). */
  cyclesBand(core: string): number | undefined;
  source: string;
  band: number;
  flashBytes: number;
  ramBytes: number;
  footprintSource: string;
  /** AOT runtimes: native code bytes per wasm code byte (interpreters keep the module's bytes). */
  codeBytesPerWasmByte?: number;
  /** Interpreters: RAM bytes per wasm code byte for the runtime's compiled form of the code (0: none, e.g. AOT). */
  codeRamPerWasmByte: number;
  /** Whether the runtime can give the module less than a whole 64 KiB page (wasm3 memoryLimit, WAMR shrink). */
  memoryLimit: boolean;
}

export interface CostData {
  cpi: Record<string, number>;
  cpiBand: number;
  /** Per core with a timing table: that table's band (mix × table against silicon). */
  timingBand: Record<string, number>;
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
    let perOp: RuntimeCost['perOp'], cyclesPerOp: RuntimeCost['cyclesPerOp'], cyclesBand: RuntimeCost['cyclesBand'];
    if (r.scale_of) {
      const base = build(r.scale_of);
      perOp = (op, core, fpu) => base.perOp(op, core, fpu) * r.scale!;
      cyclesPerOp = (core, fpu) => {
        const f = base.cyclesPerOp(core, fpu);
        return f && ((op) => f(op) * r.scale!);
      };
      // The scale's own uncertainty (e.g. WAMR AOT vs wasm2c, ±40 %) dominates the base fit's.
      cyclesBand = (core) => (base.cyclesBand(core) === undefined ? undefined : Math.hypot(base.cyclesBand(core)!, r.band));
    } else {
      const lookup = (table: Record<string, number>, op: string) => table[op] ?? table[`class:${classOf(op)}`] ?? table['class:other'];
      const floatCost = (t: FloatTable | undefined, op: string, fpu: boolean) => {
        const side = t && (fpu ? t.fpu : t.soft);
        return side && (side[op] ?? side['class:float']);
      };
      const handler = r.float_handler;
      const floatInstructions = handler ? (raw.runtimes[handler.operation_from] as RawRuntimeCost | undefined)?.float_instructions : r.float_instructions;
      if (handler && !floatInstructions) throw new Error(`targets/costs.json: ${name}.float_handler: runtime '${handler.operation_from}' has no float_instructions`);
      perOp = (op, core, fpu) => {
        const operation = isFloatOp(op) ? floatCost(floatInstructions, op, !!fpu) : undefined;
        if (operation !== undefined) return operation + (handler?.instructions ?? 0);
        return lookup((core && r.arm_per_op_by_core?.[core]) || r.arm_per_op!, op);
      };
      cyclesPerOp = (core, fpu) => {
        const table = r.cycles_per_op_by_core?.[core], floats = r.float_cycles_by_core?.[core];
        // An FPU core without measured hardware float costs has no cycle model (not soft-float prices).
        if (!table || (fpu && !floats?.fpu)) return undefined;
        return (op) => (isFloatOp(op) ? floatCost(floats, op, fpu) : undefined) ?? lookup(table, op);
      };
      cyclesBand = (core) => r.cycles_band_by_core?.[core];
    }
    return {
      name, perOp, cyclesPerOp, cyclesBand, source: r.source, band: r.band, flashBytes: r.flash_bytes, ramBytes: r.ram_bytes,
      footprintSource: r.footprint_source, codeBytesPerWasmByte: r.code_bytes_per_wasm_byte,
      codeRamPerWasmByte: r.code_ram_per_wasm_byte ?? 0, memoryLimit: r.memory_limit,
    };
  };
  for (const name of Object.keys(raw.runtimes)) runtimes.set(name, build(name));
  const { source: _s, band, $comment: _c, ...cpi } = raw.cpi;
  const timingBand = Object.fromEntries(timingProfiles().map((t) => [t.name, t.band]));
  cache = { cpi: cpi as Record<string, number>, cpiBand: band, timingBand, runtimes };
  return cache;
}
