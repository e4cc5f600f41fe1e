/**
 * @fileoverview The value domain of the static counter (static-count.ts): i32 as a JS number
 * (int32), i64 as a bigint, f32/f64 as numbers, and null for unknown (run-time data). Numeric
 * instructions evaluate exactly as wasm does when every operand is known, and give null otherwise.
 */

export type Value = number | bigint | null;

const i64 = (x: bigint) => BigInt.asIntN(64, x);
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const bool = (b: boolean) => (b ? 1 : 0);

/** Pops the operands of a numeric instruction and returns its result (null if any is unknown). */
export function numeric(name: string, stack: Value[], where: string): Value {
  const unary = /\.(eqz|clz|ctz|popcnt|abs|neg|ceil|floor|trunc|nearest|sqrt)$|wrap|extend|convert|demote|promote|reinterpret|trunc_/.test(name);
  const b = unary ? null : stack.pop()!;
  const a = stack.pop()!;
  if (a === null || (!unary && b === null)) return null;
  const [type, op] = name.split('.');
  if (type === 'i32' && !unary) return i32Binary(op, a as number, b as number, where);
  if (type === 'i64' && !unary) return i64Binary(op, a as bigint, b as bigint);
  switch (name) {
    case 'i32.eqz': return bool(a === 0);
    case 'i64.eqz': return bool(a === 0n);
    case 'i32.clz': return Math.clz32(a as number);
    case 'i32.ctz': return a === 0 ? 32 : 31 - Math.clz32((a as number) & -(a as number));
    case 'i32.wrap_i64': return Number(BigInt.asIntN(32, a as bigint));
    case 'i64.extend_i32_s': return BigInt(a as number);
    case 'i64.extend_i32_u': return BigInt((a as number) >>> 0);
    case 'i32.extend8_s': return ((a as number) << 24) >> 24;
    case 'i32.extend16_s': return ((a as number) << 16) >> 16;
    case 'i64.extend8_s': return BigInt.asIntN(8, a as bigint);
    case 'i64.extend16_s': return BigInt.asIntN(16, a as bigint);
    case 'i64.extend32_s': return BigInt.asIntN(32, a as bigint);
    case 'f32.convert_i32_s': return Math.fround(a as number);
    case 'f64.convert_i32_s': return a as number;
  }
  if (type === 'f32' || type === 'f64') return floatBinary(name, a as number, b as number);
  return null; // other conversions: treated as unknown (no control flow depends on them in rnnc modules)
}

function i32Binary(op: string, a: number, b: number, where: string): number {
  const s = b & 31;
  switch (op) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'mul': return Math.imul(a, b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << s;
    case 'shr_s': return a >> s;
    case 'shr_u': return (a >>> s) | 0;
    case 'rotl': return ((a << s) | (a >>> ((32 - s) & 31))) | 0;
    case 'rotr': return ((a >>> s) | (a << ((32 - s) & 31))) | 0;
    case 'eq': return bool(a === b);
    case 'ne': return bool(a !== b);
    case 'lt_s': return bool(a < b);
    case 'lt_u': return bool(a >>> 0 < b >>> 0);
    case 'gt_s': return bool(a > b);
    case 'gt_u': return bool(a >>> 0 > b >>> 0);
    case 'le_s': return bool(a <= b);
    case 'le_u': return bool(a >>> 0 <= b >>> 0);
    case 'ge_s': return bool(a >= b);
    case 'ge_u': return bool(a >>> 0 >= b >>> 0);
  }
  if (b === 0) throw new Error(`static count: ${where} divides by a known zero`);
  switch (op) {
    case 'div_s': return Math.trunc(a / b) | 0;
    case 'div_u': return Math.floor((a >>> 0) / (b >>> 0)) | 0;
    case 'rem_s': return a % b | 0;
    case 'rem_u': return (a >>> 0) % (b >>> 0) | 0;
  }
  throw new Error(`static count: unsupported i32.${op}`);
}

function i64Binary(op: string, a: bigint, b: bigint): Value {
  const s = b & 63n;
  switch (op) {
    case 'add': return i64(a + b);
    case 'sub': return i64(a - b);
    case 'mul': return i64(a * b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return i64(a << s);
    case 'shr_s': return a >> s;
    case 'shr_u': return i64(u64(a) >> s);
    case 'eq': return bool(a === b);
    case 'ne': return bool(a !== b);
    case 'lt_s': return bool(a < b);
    case 'lt_u': return bool(u64(a) < u64(b));
    case 'gt_s': return bool(a > b);
    case 'gt_u': return bool(u64(a) > u64(b));
    case 'le_s': return bool(a <= b);
    case 'le_u': return bool(u64(a) <= u64(b));
    case 'ge_s': return bool(a >= b);
    case 'ge_u': return bool(u64(a) >= u64(b));
    case 'div_s': return b === 0n ? null : i64(a / b);
    case 'rem_s': return b === 0n ? null : a % b;
  }
  return null;
}

function floatBinary(name: string, a: number, b: number): Value {
  const round = name.startsWith('f32') ? Math.fround : (x: number) => x;
  switch (name.slice(4)) {
    case 'add': return round(a + b);
    case 'sub': return round(a - b);
    case 'mul': return round(a * b);
    case 'div': return round(a / b);
    case 'neg': return -a;
    case 'abs': return Math.abs(a);
    case 'eq': return bool(a === b);
    case 'ne': return bool(a !== b);
    case 'lt': return bool(a < b);
    case 'gt': return bool(a > b);
    case 'le': return bool(a <= b);
    case 'ge': return bool(a >= b);
  }
  return null;
}

