/**
 * @fileoverview Static executed-instruction counts, derived from the module without running it on
 * data: an abstract interpretation in which every value is either known or unknown.
 *
 * Known: constants in the code, globals' initial values, the bytes of the data segment (the cell
 * descriptors, weights and tables the compiler derived from the IR), export arguments (run's step
 * count), and whatever is computed from those alone. Unknown: everything read from the buffers
 * (input, state, scratch, outputs) at entry, and whatever is computed from it. Control flow is
 * then decided by known values only: loop trip counts follow from the descriptors' sizes, flags
 * pick their branches, and the count is the same for every input and state. A branch on an
 * unknown value (or a store to an unknown address) is a data-dependent execution path: the
 * analysis stops with an error naming the function and instruction, instead of guessing.
 *
 * Counting convention: exactly instrument.ts's (markers block/loop/end/else/nop counted as
 * fall-through only, 'end(function)', '(br_if not taken)'), so the two can be compared key by key.
 */
import type { Instruction } from './wasm-opcodes.ts';
import { readModule, type Func, type ModuleView, type ValType } from './wasm-module.ts';
import { numeric, type Value } from './static-values.ts';

export class DataDependentError extends Error {}

const NOT_TAKEN = '(br_if not taken)';
const FUNCTION_END = 'end(function)';
const zeroOf = (t: ValType): Value => (t === 0x7e ? 0n : 0);

interface Frame {
  loop: boolean;
  height: number;
  arity: number;
  /** Index of the block's `end`; for a loop, where a branch goes back to is `start`. */
  end: number;
  start: number;
}

export class StaticCounter {
  readonly counts = new Map<string, number>();
  private readonly mod: ModuleView;
  private readonly mem: Uint8Array;
  private readonly known: Uint8Array;
  private readonly dv: DataView;
  private readonly globals: Value[];

  /**
   * `constants`: the byte range [ptr, ptr + bytes) the module never writes (the manifest's
   * memory.constants). Binaryen splits the data segment around runs of zeros, so the segments
   * alone would leave zero-valued constants (flags, null pointers) unknown. Without it only the
   * segments' own bytes are known.
   */
  constructor(wasm: Uint8Array, constants?: { ptr: number; bytes: number }) {
    this.mod = readModule(wasm);
    const size = this.mod.memoryPages * 65536;
    this.mem = new Uint8Array(size);
    this.known = new Uint8Array(size);
    this.dv = new DataView(this.mem.buffer);
    if (constants) this.known.fill(1, constants.ptr, constants.ptr + constants.bytes);
    for (const d of this.mod.data) {
      this.mem.set(d.bytes, d.offset);
      this.known.fill(1, d.offset, d.offset + d.bytes.length);
    }
    this.globals = this.mod.globals.map((g) => g.init);
  }

  /** Counts one call of an exported function with known i32 arguments; returns the counts so far. */
  call(exportName: string, args: number[] = []): Map<string, number> {
    const e = this.mod.exports.get(exportName);
    if (!e || e.kind !== 0) throw new Error(`static count: the module exports no function '${exportName}'`);
    this.invoke(this.mod.funcs[e.index], args);
    return this.counts;
  }

  private count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  private dataDependent(f: Func, pc: number, what: string): never {
    throw new DataDependentError(`static count: ${f.name} instruction ${pc} (${f.code[pc].name}) ${what}: the executed path depends on run-time data`);
  }

  private invoke(f: Func, args: Value[]): Value[] {
    const locals: Value[] = [...args, ...f.locals.map(zeroOf)];
    const stack: Value[] = [];
    const ctrl: Frame[] = [{ loop: false, height: 0, arity: f.type.results.length, end: f.code.length - 1, start: 0 }];
    const pop = () => stack.pop()!;
    const branch = (depth: number, pc: number): number => {
      const k = ctrl.length - 1 - depth;
      const fr = ctrl[k];
      const vals = fr.arity ? stack.slice(stack.length - fr.arity) : [];
      stack.length = fr.height;
      stack.push(...vals);
      if (k === 0) return -1; // the function's own label: return
      if (fr.loop) {
        ctrl.length = k + 1;
        return fr.start;
      }
      ctrl.length = k;
      return fr.end + 1;
    };
    let pc = 0;
    for (;;) {
      const ins = f.code[pc];
      const name = ins.name;
      let next = pc + 1;
      switch (name) {
        case 'block': case 'loop': case 'if': {
          const [params, results] = this.blockArity(ins);
          this.count(name);
          if (name === 'if') {
            const c = pop();
            if (c === null) this.dataDependent(f, pc, 'tests an unknown value');
            if (!c) {
              if (f.elseAt[pc] < 0) {
                next = f.endAt[pc] + 1;
                break;
              }
              next = f.elseAt[pc] + 1;
            }
          }
          const loop = name === 'loop';
          ctrl.push({ loop, height: stack.length - params, arity: loop ? params : results, end: f.endAt[pc], start: pc + 1 });
          break;
        }
        case 'else': // the then-arm fell through: skip the else-arm and its end
          this.count(name);
          next = ctrl.pop()!.end + 1;
          break;
        case 'end':
          if (ctrl.length === 1) {
            this.count(FUNCTION_END);
            return stack.slice(stack.length - f.type.results.length);
          }
          this.count(name);
          ctrl.pop();
          break;
        case 'br': case 'br_if': case 'br_table': case 'return': {
          this.count(name);
          let depth = name === 'return' ? ctrl.length - 1 : ins.a;
          if (name === 'br_if' || name === 'br_table') {
            const c = pop();
            if (c === null) this.dataDependent(f, pc, 'branches on an unknown value');
            if (name === 'br_table') depth = ins.table![Math.min((c as number) >>> 0, ins.table!.length - 1)];
            else if (!c) {
              this.count(NOT_TAKEN);
              break;
            }
          }
          next = branch(depth, pc);
          if (next < 0) return stack.slice(stack.length - f.type.results.length);
          break;
        }
        case 'call': {
          this.count(name);
          const g = this.mod.funcs[ins.a];
          const args = stack.splice(stack.length - g.type.params.length);
          stack.push(...this.invoke(g, args));
          break;
        }
        case 'local.get': this.count(name); stack.push(locals[ins.a]); break;
        case 'local.set': this.count(name); locals[ins.a] = pop(); break;
        case 'local.tee': this.count(name); locals[ins.a] = stack[stack.length - 1]; break;
        case 'global.get': this.count(name); stack.push(this.globals[ins.a]); break;
        case 'global.set': this.count(name); this.globals[ins.a] = pop(); break;
        case 'drop': this.count(name); pop(); break;
        case 'nop': this.count(name); break;
        case 'select': {
          this.count(name);
          const c = pop(), b = pop(), a = pop();
          stack.push(c === null ? (a === b ? a : null) : c ? a : b);
          break;
        }
        case 'i32.const': case 'f32.const': case 'f64.const': this.count(name); stack.push(ins.a); break;
        case 'i64.const': this.count(name); stack.push(ins.big!); break;
        case 'unreachable': throw new Error(`static count: ${f.name} reaches unreachable at instruction ${pc}`);
        default:
          this.count(name);
          if (name.includes('.load')) stack.push(this.load(name, pop(), ins.a));
          else if (name.includes('.store')) {
            const v = pop(), addr = pop();
            if (addr === null) this.dataDependent(f, pc, 'stores to an unknown address');
            this.store(name, ((addr as number) >>> 0) + ins.a, v);
          } else if (name === 'memory.size') stack.push(this.mod.memoryPages);
          else stack.push(numeric(name, stack, `${f.name} instruction ${pc}`));
      }
      pc = next;
    }
  }

  private blockArity(ins: Instruction): [number, number] {
    if (ins.a === -64) return [0, 0];
    if (ins.a < 0) return [0, 1];
    const t = this.mod.types[ins.a];
    return [t.params.length, t.results.length];
  }

  private load(name: string, addr: Value, offset: number): Value {
    if (addr === null) return null;
    const at = ((addr as number) >>> 0) + offset;
    const width = /load8/.test(name) ? 1 : /load16/.test(name) ? 2 : /load32|^(i32|f32)\.load$/.test(name) ? 4 : 8;
    for (let i = 0; i < width; i++) if (!this.known[at + i]) return null;
    const d = this.dv;
    switch (name) {
      case 'i32.load': return d.getInt32(at, true);
      case 'i32.load8_s': return d.getInt8(at);
      case 'i32.load8_u': return d.getUint8(at);
      case 'i32.load16_s': return d.getInt16(at, true);
      case 'i32.load16_u': return d.getUint16(at, true);
      case 'i64.load': return d.getBigInt64(at, true);
      case 'i64.load8_s': return BigInt(d.getInt8(at));
      case 'i64.load8_u': return BigInt(d.getUint8(at));
      case 'i64.load16_s': return BigInt(d.getInt16(at, true));
      case 'i64.load16_u': return BigInt(d.getUint16(at, true));
      case 'i64.load32_s': return BigInt(d.getInt32(at, true));
      case 'i64.load32_u': return BigInt(d.getUint32(at, true));
      case 'f32.load': return d.getFloat32(at, true);
      case 'f64.load': return d.getFloat64(at, true);
    }
    return null;
  }

  private store(name: string, at: number, v: Value): void {
    const width = /store8/.test(name) ? 1 : /store16/.test(name) ? 2 : /store32|^(i32|f32)\.store$/.test(name) ? 4 : 8;
    if (v === null) {
      this.known.fill(0, at, at + width);
      return;
    }
    this.known.fill(1, at, at + width);
    const d = this.dv;
    const n = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v;
    if (name === 'i64.store') d.setBigInt64(at, v as bigint, true);
    else if (name === 'f32.store') d.setFloat32(at, v as number, true);
    else if (name === 'f64.store') d.setFloat64(at, v as number, true);
    else if (width === 1) d.setInt8(at, n);
    else if (width === 2) d.setInt16(at, n, true);
    else d.setInt32(at, n, true);
  }
}

/** Static counts of one call of `exportName` (with known i32 args), every buffer unknown at entry. */
export function staticCounts(wasm: Uint8Array, exportName: string, args: number[] = [], constants?: { ptr: number; bytes: number }): Record<string, number> {
  return Object.fromEntries(new StaticCounter(wasm, constants).call(exportName, args));
}
