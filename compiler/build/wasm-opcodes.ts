/**
 * @fileoverview The wasm instruction encoding, shared by the executed-instruction counter
 * (instrument.ts) and the static counter (static-count.ts): opcode names as this project names
 * them, and a decoder that reads one instruction with its immediates.
 */

export const MVP: Record<number, string> = {
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
export const FC = ('i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u i64.trunc_sat_f32_s ' +
  'i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u memory.init data.drop memory.copy memory.fill ' +
  'table.init elem.drop table.copy table.grow table.size table.fill').split(' ');
/** SIMD memory ops by sub-opcode: [name, bytes read or written, has lane byte]. */
export const SIMD_MEM: Record<number, [string, number, boolean]> = {
  0: ['v128.load', 16, false], 1: ['v128.load8x8_s', 8, false], 2: ['v128.load8x8_u', 8, false],
  3: ['v128.load16x4_s', 8, false], 4: ['v128.load16x4_u', 8, false], 5: ['v128.load32x2_s', 8, false],
  6: ['v128.load32x2_u', 8, false], 7: ['v128.load8_splat', 1, false], 8: ['v128.load16_splat', 2, false],
  9: ['v128.load32_splat', 4, false], 10: ['v128.load64_splat', 8, false], 11: ['v128.store', 16, false],
  84: ['v128.load8_lane', 1, true], 85: ['v128.load16_lane', 2, true], 86: ['v128.load32_lane', 4, true],
  87: ['v128.load64_lane', 8, true], 88: ['v128.store8_lane', 1, true], 89: ['v128.store16_lane', 2, true],
  90: ['v128.store32_lane', 4, true], 91: ['v128.store64_lane', 8, true], 92: ['v128.load32_zero', 4, false],
  93: ['v128.load64_zero', 8, false],
};

/** A LEB128 reader over a binary, positioned at `at`. */
export class Reader {
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
  /** Signed LEB128 up to 33 bits, as a number (i32.const, block types). */
  s33(): number {
    let r = 0, s = 0, x: number;
    do {
      x = this.b[this.at++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return x & 0x40 ? r - 2 ** s : r;
  }
  /** Signed LEB128 up to 64 bits, as a bigint (i64.const). */
  s64(): bigint {
    let r = 0n, s = 0n, x: number;
    do {
      x = this.b[this.at++];
      r |= BigInt(x & 0x7f) << s;
      s += 7n;
    } while (x & 0x80);
    return x & 0x40 ? r - (1n << s) : r;
  }
  skipLeb(): void {
    while (this.b[this.at++] & 0x80);
  }
  /** A memory argument; returns its offset. */
  memarg(): number {
    if (this.u32() & 0x40) this.u32(); // multi-memory: memory index follows
    return this.u32();
  }
}

/** One decoded instruction. `code`: the MVP byte, 0x100 + sub for 0xfc, 0x200 + sub for 0xfd. */
export interface Instruction {
  code: number;
  name: string;
  /** The first immediate: index, depth, offset, i32/f32/f64 value, or block type (-64 empty, < 0 a value type, >= 0 a type index). */
  a: number;
  big?: bigint;
  /** br_table: the depths, the default last. */
  table?: number[];
}

/** Reads one instruction at r.at, advancing past its immediates. */
export function decode(r: Reader): Instruction {
  const op = r.b[r.at++];
  if (op === 0xfc) {
    const sub = r.u32();
    const name = FC[sub];
    if (!name) throw new Error(`wasm: unknown opcode 0xfc ${sub}`);
    const imms = [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1][sub];
    for (let i = 0; i < imms; i++) r.u32();
    return { code: 0x100 + sub, name, a: 0 };
  }
  if (op === 0xfd) {
    const sub = r.u32();
    const mem = SIMD_MEM[sub];
    if (mem) {
      r.memarg();
      if (mem[2]) r.at++;
      return { code: 0x200 + sub, name: mem[0], a: 0 };
    }
    if (sub === 12 || sub === 13) r.at += 16; // v128.const, i8x16.shuffle
    else if (sub >= 21 && sub <= 34) r.at++; // extract/replace lane
    return { code: 0x200 + sub, name: `simd.${sub}`, a: 0 };
  }
  const name = MVP[op];
  if (!name) throw new Error(`wasm: unsupported opcode 0x${op.toString(16)} at byte ${r.at - 1}`);
  const ins: Instruction = { code: op, name, a: 0 };
  if (op >= 0x02 && op <= 0x04) ins.a = r.s33();
  else if (op === 0x0e) {
    const n = r.u32();
    ins.table = Array.from({ length: n + 1 }, () => r.u32());
  } else if (op === 0x11 || op === 0x13) (ins.a = r.u32(), r.u32());
  else if (op === 0x1c) {
    const n = r.u32();
    r.at += n;
  } else if ((op >= 0x0c && op <= 0x12 && op !== 0x0f) || (op >= 0x20 && op <= 0x26) || op === 0xd2) ins.a = r.u32();
  else if (op >= 0x28 && op <= 0x3e) ins.a = r.memarg();
  else if (op === 0x3f || op === 0x40 || op === 0xd0) r.at++;
  else if (op === 0x41) ins.a = r.s33();
  else if (op === 0x42) ins.big = r.s64();
  else if (op === 0x43) (ins.a = new DataView(r.b.buffer, r.b.byteOffset + r.at, 4).getFloat32(0, true), (r.at += 4));
  else if (op === 0x44) (ins.a = new DataView(r.b.buffer, r.b.byteOffset + r.at, 8).getFloat64(0, true), (r.at += 8));
  return ins;
}
