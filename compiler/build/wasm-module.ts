/**
 * @fileoverview A read-only view of an MVP module's structure for the static counter: function
 * types, bodies as decoded instruction lists with their block structure resolved, globals'
 * initial values, exports, the memory size and the active data segments. No validation beyond
 * what reading needs (binaryen and wabt validate every module rnnc builds).
 */
import { sections } from './wasm-binary.ts';
import { decode, Reader, type Instruction } from './wasm-opcodes.ts';

/** A value type byte: 0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64. */
export type ValType = number;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Func {
  index: number;
  name: string;
  type: FuncType;
  /** Types of the declared locals (after the parameters). */
  locals: ValType[];
  code: Instruction[];
  /** For block/loop/if at i: the index of its `end`; for `if`: its `else` in elseAt (-1: none). */
  endAt: Int32Array;
  elseAt: Int32Array;
}

export interface ModuleView {
  types: FuncType[];
  funcs: Func[];
  globals: { type: ValType; init: number | bigint }[];
  exports: Map<string, { kind: number; index: number }>;
  memoryPages: number;
  data: { offset: number; bytes: Uint8Array }[];
}

function constExpr(r: Reader): number | bigint {
  const ins = decode(r);
  const end = decode(r);
  if (end.name !== 'end' || !/^(i32|i64|f32|f64)\.const$/.test(ins.name)) throw new Error(`wasm: unsupported constant expression ${ins.name}`);
  return ins.big ?? ins.a;
}

function structure(code: Instruction[]): { endAt: Int32Array; elseAt: Int32Array } {
  const endAt = new Int32Array(code.length).fill(-1), elseAt = new Int32Array(code.length).fill(-1);
  const open: number[] = [];
  code.forEach((ins, i) => {
    if (ins.name === 'block' || ins.name === 'loop' || ins.name === 'if') open.push(i);
    else if (ins.name === 'else') elseAt[open[open.length - 1]] = i;
    else if (ins.name === 'end' && open.length) endAt[open.pop()!] = i;
  });
  return { endAt, elseAt };
}

/** Function names from the "name" custom section (subsection 1), if the module has one. */
function functionNames(wasm: Uint8Array, payload: number, end: number, out: Map<number, string>): void {
  const r = new Reader(wasm, payload);
  const nameLen = r.u32();
  if (new TextDecoder().decode(wasm.subarray(r.at, r.at + nameLen)) !== 'name') return;
  r.at += nameLen;
  while (r.at < end) {
    const id = wasm[r.at++];
    const size = r.u32();
    const next = r.at + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const idx = r.u32(), len = r.u32();
        out.set(idx, new TextDecoder().decode(wasm.subarray(r.at, r.at + len)));
        r.at += len;
      }
    }
    r.at = next;
  }
}

export function readModule(wasm: Uint8Array): ModuleView {
  const view: ModuleView = { types: [], funcs: [], globals: [], exports: new Map(), memoryPages: 0, data: [] };
  const funcTypes: number[] = [];
  const names = new Map<number, string>();
  for (const s of sections(wasm)) {
    const r = new Reader(wasm, s.payload);
    if (s.id === 0) functionNames(wasm, s.payload, s.end, names);
    else if (s.id === 2 && r.u32() > 0) throw new Error('wasm: the static counter takes import-free modules only');
    else if (s.id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        if (wasm[r.at++] !== 0x60) throw new Error('wasm: unsupported type form');
        const params = Array.from({ length: r.u32() }, () => wasm[r.at++]);
        const results = Array.from({ length: r.u32() }, () => wasm[r.at++]);
        view.types.push({ params, results });
      }
    } else if (s.id === 3) for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    else if (s.id === 5) {
      if (r.u32() !== 1) throw new Error('wasm: expected one memory');
      const flags = r.u32();
      view.memoryPages = r.u32();
      if (flags & 1) r.u32();
    } else if (s.id === 6) {
      for (let n = r.u32(); n > 0; n--) {
        const type = wasm[r.at++];
        r.at++; // mutability
        view.globals.push({ type, init: constExpr(r) });
      }
    } else if (s.id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const len = r.u32();
        const name = new TextDecoder().decode(wasm.subarray(r.at, r.at + len));
        r.at += len;
        const kind = wasm[r.at++];
        view.exports.set(name, { kind, index: r.u32() });
      }
    } else if (s.id === 10) {
      for (let i = 0, n = r.u32(); i < n; i++) {
        const size = r.u32(), end = r.at + size;
        const locals: ValType[] = [];
        for (let k = r.u32(); k > 0; k--) {
          const count = r.u32(), type = wasm[r.at++];
          for (let j = 0; j < count; j++) locals.push(type);
        }
        const code: Instruction[] = [];
        while (r.at < end) code.push(decode(r));
        view.funcs.push({ index: i, name: names.get(i) ?? `#${i}`, type: view.types[funcTypes[i]], locals, code, ...structure(code) });
      }
    } else if (s.id === 11) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.u32() !== 0) throw new Error('wasm: only active data segments of memory 0 are supported');
        const offset = Number(constExpr(r));
        const len = r.u32();
        view.data.push({ offset, bytes: wasm.subarray(r.at, r.at + len) });
        r.at += len;
      }
    }
  }
  // Names may have been read after the code section.
  for (const f of view.funcs) f.name = names.get(f.index) ?? f.name;
  return view;
}
