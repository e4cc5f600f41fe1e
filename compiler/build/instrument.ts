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
import { decode, Reader, SIMD_MEM } from './wasm-opcodes.ts';

export const INSTRUCTION_CLASSES = [
  'i32', 'i32.mul', 'i64', 'compare', 'convert', 'signext', 'float', 'simd',
  'load8', 'load16', 'load32', 'load64', 'load128', 'store', 'local', 'global', 'const',
  'select', 'drop', 'branch', 'call', 'other', 'control',
] as const;
export type InstructionClass = (typeof INSTRUCTION_CLASSES)[number];
export type ClassCounts = Record<InstructionClass, number>;

const NOT_TAKEN = '(br_if not taken)';
const PREFIX = '__count:';

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
    const { name } = decode(r);
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
  return classTotals(countOpcodes(instance));
}

/** Per-class totals of per-opcode counts. */
export function classTotals(opcodes: Record<string, number>): ClassCounts {
  const out = Object.fromEntries(INSTRUCTION_CLASSES.map((c) => [c, 0])) as ClassCounts;
  for (const [name, n] of Object.entries(opcodes)) {
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
