/**
 * @fileoverview Executed-instruction counting for benchmarks: rewrites a module so that it counts
 * every wasm instruction it executes, by opcode, exposed as exported mutable i64 globals named
 * `__count:<opcode>`. Only for measuring in Node: the copy uses mutable globals and exports them.
 *
 * Convention (what one "instruction" is): one opcode of the code section as the binary holds it,
 * counted each time control reaches it, with these rules —
 * - `block`, `loop`, `end`, `else` and `nop` are markers, counted in the class 'control' and left
 *   out of totals. `end` counts only when reached by falling through (a branch to a block's label
 *   skips it); `else` counts when the then-arm falls through into it; the function's final `end`
 *   is 'end(function)'. `if`, `br`, `br_if`, `br_table`, `return` and `unreachable` are 'branch'.
 * - A trap counts its region's remaining instructions as executed (tests and benches never trap).
 * Method: the body is split into straight-line regions, each entered only at its start — function
 * entry, after `loop`/`if`/`else`/`end`, after `br_if` (its fall-through) — and ended by the next
 * such point or by `br`/`br_table`/`return`/`unreachable`, after which code is dead until the next
 * `end`/`else`. At each region start one `global.get; i64.const n; i64.add; global.set` per opcode
 * adds what the region executes. The pseudo-counter '(br_if not taken)' counts fall-throughs of
 * `br_if`, so taken branches can be derived (tests compare with wasm-interp's trace).
 *
 * Why a binary rewrite and not binaryen IR: binaryen's IR is a tree, not the instruction stream
 * that ships (unnamed blocks vanish, Stack IR drops local.set/get pairs on emit, readBinary adds
 * scratch locals), so counting on it counts a different program; binaryen validates the result.
 */
import { sections, uleb } from './wasm-binary.ts';

export const INSTRUCTION_CLASSES = [
  'i32', 'i32.mul', 'i64', 'compare', 'convert', 'signext', 'float', 'simd',
  'load8', 'load16', 'load32', 'load64', 'load128', 'store', 'local', 'global', 'const',
  'select', 'drop', 'branch', 'call', 'other', 'control',
] as const;
export type InstructionClass = (typeof INSTRUCTION_CLASSES)[number];
export type ClassCounts = Record<InstructionClass, number>;

const NOT_TAKEN = '(br_if not taken)';
const PREFIX = '__count:';

const MVP: Record<number, string> = {
  0x00: 'unreachable', 0x01: 'nop', 0x02: 'block', 0x03: 'loop', 0x04: 'if', 0x05: 'else', 0x0b: 'end',
  0x0c: 'br', 0x0d: 'br_if', 0x0e: 'br_table', 0x0f: 'return', 0x10: 'call', 0x11: 'call_indirect',
  0x12: 'return_call', 0x13: 'return_call_indirect', 0x1a: 'drop', 0x1b: 'select', 0x1c: 'select',
  0x20: 'local.get', 0x21: 'local.set', 0x22: 'local.tee', 0x23: 'global.get', 0x24: 'global.set',
  0x25: 'table.get', 0x26: 'table.set', 0x3f: 'memory.size', 0x40: 'memory.grow',
  0x41: 'i32.const', 0x42: 'i64.const', 0x43: 'f32.const', 0x44: 'f64.const',
  0xd0: 'ref.null', 0xd1: 'ref.is_null', 0xd2: 'ref.func',
};
const NAMES_28 = 'i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32';
const CMP = 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u';
const FCMP = 'eq ne lt gt le ge';
const IARITH = 'clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr';
const FARITH = 'abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign';
const NAMES_45 = [
  'i32.eqz', ...CMP.split(' ').map((o) => `i32.${o}`), 'i64.eqz', ...CMP.split(' ').map((o) => `i64.${o}`),
  ...FCMP.split(' ').map((o) => `f32.${o}`), ...FCMP.split(' ').map((o) => `f64.${o}`),
  ...IARITH.split(' ').map((o) => `i32.${o}`), ...IARITH.split(' ').map((o) => `i64.${o}`),
  ...FARITH.split(' ').map((o) => `f32.${o}`), ...FARITH.split(' ').map((o) => `f64.${o}`),
  ...('i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s i64.extend_i32_u ' +
    'i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s ' +
    'f32.convert_i64_u f32.demote_f64 f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32 ' +
    'i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64 ' +
    'i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s').split(' '),
];
NAMES_28.split(' ').forEach((n, i) => (MVP[0x28 + i] = n));
NAMES_45.forEach((n, i) => (MVP[0x45 + i] = n));
const FC = ('i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u i64.trunc_sat_f32_s ' +
  'i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u memory.init data.drop memory.copy memory.fill ' +
  'table.init elem.drop table.copy table.grow table.size table.fill').split(' ');
/** SIMD memory ops by sub-opcode: [name, bytes read or written, has lane byte]. */
const SIMD_MEM: Record<number, [string, number, boolean]> = {
  0: ['v128.load', 16, false], 1: ['v128.load8x8_s', 8, false], 2: ['v128.load8x8_u', 8, false],
  3: ['v128.load16x4_s', 8, false], 4: ['v128.load16x4_u', 8, false], 5: ['v128.load32x2_s', 8, false],
  6: ['v128.load32x2_u', 8, false], 7: ['v128.load8_splat', 1, false], 8: ['v128.load16_splat', 2, false],
  9: ['v128.load32_splat', 4, false], 10: ['v128.load64_splat', 8, false], 11: ['v128.store', 16, false],
  84: ['v128.load8_lane', 1, true], 85: ['v128.load16_lane', 2, true], 86: ['v128.load32_lane', 4, true],
  87: ['v128.load64_lane', 8, true], 88: ['v128.store8_lane', 1, true], 89: ['v128.store16_lane', 2, true],
  90: ['v128.store32_lane', 4, true], 91: ['v128.store64_lane', 8, true], 92: ['v128.load32_zero', 4, false],
  93: ['v128.load64_zero', 8, false],
};

/** The class of an opcode name (as named by this file), or null for pseudo-counters. */
export function classOf(name: string): InstructionClass | null {
  if (name === NOT_TAKEN) return null;
  if (/^(block|loop|end|else|nop)\b/.test(name)) return 'control';
  if (/^(br|br_if|br_table|if|return|unreachable)$/.test(name)) return 'branch';
  if (/call/.test(name)) return 'call';
  if (name.startsWith('local.')) return 'local';
  if (name.startsWith('global.')) return 'global';
  if (name.endsWith('.const')) return 'const';
  if (name === 'select' || name === 'drop') return name;
  const mem = /^v128\.(load|store)/.test(name) ? Object.values(SIMD_MEM).find(([n]) => n === name) : undefined;
  if (/store/.test(name)) return 'store';
  if (mem) return `load${mem[1] * 8}` as InstructionClass;
  const load = /^(i32|i64|f32|f64)\.load(8|16|32)?/.exec(name);
  if (load) return `load${load[2] ?? (load[1].endsWith('64') ? '64' : '32')}` as InstructionClass;
  if (/extend(8|16|32)_s$/.test(name)) return 'signext';
  if (/wrap|extend_i32|trunc_|convert|demote|promote|reinterpret/.test(name)) return 'convert';
  if (/^(i32|i64)\.(eqz|eq|ne|[lg][te]_[su])$/.test(name)) return 'compare';
  if (name === 'i32.mul') return 'i32.mul';
  if (name.startsWith('i32.')) return 'i32';
  if (name.startsWith('i64.')) return 'i64';
  if (/^f(32|64)\./.test(name)) return 'float';
  if (name.startsWith('simd.') || name.startsWith('v128.')) return 'simd';
  return 'other';
}

class Reader {
  constructor(readonly b: Uint8Array, public at: number) {}
  u32(): number {
    let r = 0, s = 0, x: number;
    do {
      x = this.b[this.at++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  }
  skipLeb(): void {
    while (this.b[this.at++] & 0x80);
  }
  memarg(): void {
    if (this.u32() & 0x40) this.u32(); // multi-memory: memory index follows
    this.skipLeb();
  }
}

/** Reads one instruction at r.at (advancing past its immediates); returns its name. */
function decode(r: Reader): string {
  const op = r.b[r.at++];
  if (op === 0xfc) {
    const sub = r.u32();
    const name = FC[sub];
    if (!name) throw new Error(`instrument: unknown opcode 0xfc ${sub}`);
    const imms = [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1][sub];
    for (let i = 0; i < imms; i++) r.u32();
    return name;
  }
  if (op === 0xfd) {
    const sub = r.u32();
    const mem = SIMD_MEM[sub];
    if (mem) {
      r.memarg();
      if (mem[2]) r.at++;
      return mem[0];
    }
    if (sub === 12 || sub === 13) r.at += 16; // v128.const, i8x16.shuffle
    else if (sub >= 21 && sub <= 34) r.at++; // extract/replace lane
    return `simd.${sub}`;
  }
  const name = MVP[op];
  if (!name) throw new Error(`instrument: unsupported opcode 0x${op.toString(16)} at byte ${r.at - 1}`);
  if (op >= 0x02 && op <= 0x04) r.skipLeb(); // block type (s33)
  else if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
  } else if (op === 0x11 || op === 0x13) (r.u32(), r.u32());
  else if (op === 0x1c) {
    const n = r.u32();
    r.at += n;
  } else if ((op >= 0x0c && op <= 0x12 && op !== 0x0f) || (op >= 0x20 && op <= 0x26) || op === 0xd2) r.u32();
  else if (op >= 0x28 && op <= 0x3e) r.memarg();
  else if (op === 0x3f || op === 0x40 || op === 0xd0) r.at++;
  else if (op === 0x41 || op === 0x42) r.skipLeb();
  else if (op === 0x43) r.at += 4;
  else if (op === 0x44) r.at += 8;
  return name;
}

interface Region { at: number; counts: Map<string, number> }

/** Straight-line regions of one function body's instructions [start, end). */
function regionsOf(b: Uint8Array, start: number, end: number): Region[] {
  const r = new Reader(b, start);
  const out: Region[] = [];
  const frames: string[] = ['function'];
  let cur: Region | null = { at: start, counts: new Map() };
  const begin = (at: number) => {
    if (cur?.counts.size) out.push(cur);
    cur = { at, counts: new Map() };
  };
  const count = (name: string) => cur && cur.counts.set(name, (cur.counts.get(name) ?? 0) + 1);
  while (r.at < end) {
    const name = decode(r);
    if (name === 'end' && frames.length === 1) {
      count('end(function)');
      if (cur?.counts.size) out.push(cur);
      if (r.at !== end) throw new Error('instrument: code after the function end');
      return out;
    }
    count(name);
    if (name === 'block' || name === 'loop' || name === 'if') frames.push(name);
    if (name === 'end') frames.pop();
    if (name === 'loop' || name === 'if' || name === 'else' || name === 'end') begin(r.at);
    else if (name === 'br_if') (begin(r.at), count(NOT_TAKEN));
    else if (/^(br|br_table|return|unreachable|return_call|return_call_indirect)$/.test(name)) {
      if (cur?.counts.size) out.push(cur);
      cur = null; // dead until the next end/else
    }
  }
  throw new Error('instrument: function body without end');
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/** Appends src to out element by element: spreading a large array into push() overflows the stack. */
function put(out: number[], src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) out.push(src[i]);
}

const str = (s: string) => {
  const u = new TextEncoder().encode(s);
  return [...uleb(u.length), ...u];
};

/** Number of imports of `kind` (0 function, 3 global) in the import section payload. */
function importCount(b: Uint8Array, at: number, kind: number): number {
  const r = new Reader(b, at);
  let n = 0;
  for (let i = r.u32(); i > 0; i--) {
    r.at += r.u32();
    r.at += r.u32();
    const k = b[r.at++];
    if (k === kind) n++;
    if (k === 0) r.u32();
    else if (k === 1) (r.at++, r.b[r.at++] & 1 ? (r.u32(), r.u32()) : r.u32());
    else if (k === 2) (r.b[r.at++] & 1 ? (r.u32(), r.u32()) : r.u32());
    else if (k === 3) r.at += 2;
    else throw new Error(`instrument: unsupported import kind ${k}`);
  }
  return n;
}

export interface Instrumented {
  wasm: Uint8Array<ArrayBuffer>;
  /** The instruction classes counted (INSTRUCTION_CLASSES). */
  classes: string[];
  /** Every counter key: opcode names, the 'end(function)' marker and '(br_if not taken)'. */
  opcodes: string[];
}

export async function instrumentModule(wasm: Uint8Array): Promise<Instrumented> {
  const secs = sections(wasm);
  const imp = secs.find((s) => s.id === 2);
  const importedGlobals = imp ? importCount(wasm, imp.payload, 3) : 0;
  const globalSec = secs.find((s) => s.id === 6);
  const definedGlobals = globalSec ? new Reader(wasm, globalSec.payload).u32() : 0;
  const code = secs.find((s) => s.id === 10);
  if (!code) throw new Error('instrument: module has no code section');
  // Pass 1: regions of every body.
  const r = new Reader(wasm, code.payload);
  const bodies: { locals: [number, number]; end: number; regions: Region[] }[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const size = r.u32();
    const bodyStart = r.at, end = r.at + size;
    for (let k = r.u32(); k > 0; k--) (r.u32(), r.at++);
    bodies.push({ locals: [bodyStart, r.at], end, regions: regionsOf(wasm, r.at, end) });
    r.at = end;
  }
  const keys = [...new Set(bodies.flatMap((f) => f.regions.flatMap((g) => [...g.counts.keys()])))].sort();
  const globalOf = new Map(keys.map((k, i) => [k, importedGlobals + definedGlobals + i]));
  // Pass 2: bodies with increments spliced in at region starts.
  const codePayload: number[] = [...uleb(bodies.length)];
  for (const f of bodies) {
    const body: number[] = [...wasm.subarray(f.locals[0], f.locals[1])];
    let from = f.locals[1];
    for (const g of f.regions) {
      put(body, wasm.subarray(from, g.at));
      from = g.at;
      for (const [k, n] of g.counts) {
        const gi = uleb(globalOf.get(k)!);
        body.push(0x23, ...gi, 0x42, ...sleb(n), 0x7c, 0x24, ...gi);
      }
    }
    put(body, wasm.subarray(from, f.end));
    put(codePayload, uleb(body.length));
    put(codePayload, body);
  }
  const newGlobals = keys.flatMap(() => [0x7e, 0x01, 0x42, 0x00, 0x0b]); // mut i64 = 0
  const newExports = keys.flatMap((k) => [...str(PREFIX + k), 0x03, ...uleb(globalOf.get(k)!)]);
  const out: number[] = [...wasm.subarray(0, 8)];
  const section = (id: number, payload: number[]) => (put(out, [id, ...uleb(payload.length)]), put(out, payload));
  const extend = (id: number, added: number[], count: number) => {
    const s = secs.find((x) => x.id === id);
    const rr = new Reader(wasm, s ? s.payload : 0);
    const payload = uleb((s ? rr.u32() : 0) + count);
    if (s) put(payload, wasm.subarray(rr.at, s.end));
    put(payload, added);
    section(id, payload);
  };
  // Known sections in their required order (custom sections keep their place).
  const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  const rank = (id: number) => ORDER.indexOf(id);
  let globalsDone = false, exportsDone = false;
  for (const s of secs) {
    if (!globalsDone && s.id !== 0 && rank(s.id) > rank(6)) (extend(6, newGlobals, keys.length), (globalsDone = true));
    if (!exportsDone && s.id !== 0 && rank(s.id) > rank(7)) (extend(7, newExports, keys.length), (exportsDone = true));
    if (s.id === 6) (extend(6, newGlobals, keys.length), (globalsDone = true));
    else if (s.id === 7) (extend(7, newExports, keys.length), (exportsDone = true));
    else if (s.id === 10) section(10, codePayload);
    else put(out, wasm.subarray(s.start, s.end));
  }
  const result = new Uint8Array(out);
  const binaryen = (await import('binaryen')).default;
  const mod = binaryen.readBinary(result);
  try {
    mod.setFeatures(binaryen.Features.All);
    if (!mod.validate()) throw new Error('instrument: binaryen rejects the instrumented module');
  } finally {
    mod.dispose();
  }
  return { wasm: result, classes: [...INSTRUCTION_CLASSES], opcodes: keys };
}

type Counters = Record<string, unknown>;
const countersOf = (instance: WebAssembly.Instance) =>
  Object.entries(instance.exports as Counters).filter(([k]) => k.startsWith(PREFIX)) as [string, WebAssembly.Global][];

/** Executed count per counter key (opcode names and pseudo-counters) since the last reset. */
export function countOpcodes(instance: WebAssembly.Instance): Record<string, number> {
  return Object.fromEntries(countersOf(instance).map(([k, g]) => [k.slice(PREFIX.length), Number(g.value)]));
}

/** Executed instructions per class since instantiation or the last resetCounts. */
export function countInstructions(instance: WebAssembly.Instance): ClassCounts {
  const out = Object.fromEntries(INSTRUCTION_CLASSES.map((c) => [c, 0])) as ClassCounts;
  for (const [name, n] of Object.entries(countOpcodes(instance))) {
    const c = classOf(name);
    if (c) out[c] += n;
  }
  return out;
}

export function resetCounts(instance: WebAssembly.Instance): void {
  for (const [, g] of countersOf(instance)) g.value = 0n;
}

/** All executed instructions except the 'control' markers. */
export const totalInstructions = (c: ClassCounts) =>
  INSTRUCTION_CLASSES.reduce((s, k) => s + (k === 'control' ? 0 : c[k]), 0);

/** "Operations": the total without local.get/set/tee, constants and drop. */
export const nonLocalInstructions = (c: ClassCounts) => totalInstructions(c) - c.local - c.const - c.drop;
