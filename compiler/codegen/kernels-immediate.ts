/**
 * @fileoverview The 'immediate' matrix kernel: every weight an i64.const in the code, every row
 * unrolled, bias and rescale constants folded in. What an interpreter (wasm3) charges for is
 * executed handlers; local.get and constants are free operand slots, loads are the dearest
 * handler (24 ARM instructions on a Cortex-M4, against 12.5 for an ALU op). So:
 *
 * - Two rows share one i64 accumulator (int8 weights): the constant w0 + w1·2^32 multiplies the
 *   sign-extended input once, `acc += x_c · (w0 + w1·2^32)`, two MACs for one i64.mul and one
 *   i64.add. Exact: the quantizer proved |bias_r| + Σ|w_rc|·vmax < 2^31 for every row
 *   (compiler/quantize/formats.ts), so the true value s0 + s1·2^32 lies inside i64 and modular
 *   i64 arithmetic ends on it; starting from bias0 + 2^31 makes the low lane unsigned, so
 *   s1 = acc >> 32 and s0 = low 32 bits − 2^31.
 * - int16 weights accumulate in i64 one row at a time (their sums need more than 32 bits).
 * - Zero weights (both lanes zero) emit nothing. Each row's rescale uses its own constants:
 *   no multiplier loads, no `mult == 0` test, no I32_MIN special case (multipliers are below 2^31).
 *
 * The weights stay in the data section too: partial row ranges fall back to the loop kernel.
 */
import type { QMat } from '../fixed/cells/common.ts';

const TWO_32 = 1n << 32n;
const TWO_31 = 1n << 31n;

/** AssemblyScript helpers the generated rows call with literal arguments (binaryen folds them). */
export const IMMEDIATE_HELPERS = [
  '',
  '// Round half away from zero of x / 2^e, e a literal in 1..31 (= runtime-as roundingShiftRight).',
  '@inline function rshrK(x: i32, e: i32): i32 {',
  '  const mask: i32 = (1 << e) - 1;',
  '  return (x >> e) + <i32>((x & mask) > ((mask >> 1) + <i32>(x < 0)));',
  '}',
  '// i64 saturated to i32 (= runtime-as sat32FromI64); selects: the executed path never depends on data.',
  '@inline function sat32K(x: i64): i32 {',
  '  const high = select<i64>(2147483647, x, x > 2147483647);',
  '  return <i32>select<i64>(-2147483648, high, high < -2147483648);',
  '}',
  '// roundingDoublingHighMul(a, m) for a literal 2^30 <= m < 2^31 (never I32_MIN): TFLite\'s nudge (2^30, or',
  '// 1 − 2^30 for a negative product) then truncation toward zero is floor((a·m + 2^30) / 2^31) either way.',
  '@inline function rdhmK(a: i32, m: i64): i32 {',
  '  return <i32>((<i64>a * m + 1073741824) >> 31);',
  '}',
];

/** AssemblyScript expression: rescale(acc, mult, shift) of compiler/fixed/cells/common.ts with literal constants. */
export function rescaleExpr(acc: string, mult: number, shift: number): string {
  if (mult === 0) {
    if (shift === 0) return acc;
    return shift > 0 ? `rshrK(${acc}, ${shift})` : `sat32K(<i64>(${acc}) << ${-shift})`;
  }
  if (shift > 0) return `rdhmK(sat32K(<i64>(${acc}) << ${shift}), ${mult})`;
  const high = `rdhmK(${acc}, ${mult})`;
  return shift === 0 ? high : `rshrK(${high}, ${-shift})`;
}

/** An i64 literal AssemblyScript parses exactly (|v| < 2^63). */
function i64Literal(v: bigint): string {
  return v < 0n ? `(-${-v})` : `${v}`;
}

/** Σ terms `x_c · constant` over the columns whose constant is not zero, as `+ ...` pieces. */
function terms(constants: bigint[]): string {
  return constants.map((k, c) => (k === 0n ? '' : ` + x${c} * ${i64Literal(k)}`)).join('');
}

/**
 * The function `name(out, x)` writing out[r] (i32) for every row of `mat` over the vector at byte
 * address x (elements of `vecType`: 'i8' or 'i16').
 */
export function immediateMatrixSource(name: string, mat: QMat, vecType: 'i8' | 'i16'): string[] {
  const { rows, cols, w, bias, shift } = mat;
  const mult = (r: number) => (mat.mult.length ? mat.mult[r] : 0);
  const vb = vecType === 'i8' ? 1 : 2;
  const lines = [`function ${name}(out: usize, x: usize): void {`];
  for (let c = 0; c < cols; c++) lines.push(`  const x${c}: i64 = <i64>load<${vecType}>(x, ${c * vb});`);
  const store = (r: number, acc: string) => `    store<i32>(out, ${rescaleExpr(acc, mult(r), shift[r])}, ${4 * r});`;
  if (w instanceof Int16Array) {
    // Exact i64 sum, rounding-shifted by accShift (its 2^(k−1) folded into the start), saturated, bias added saturating.
    const k = mat.accShift;
    for (let r = 0; r < rows; r++) {
      const ks = Array.from({ length: cols }, (_, c) => BigInt(w[r * cols + c]));
      const start = k > 0 ? 1n << BigInt(k - 1) : 0n;
      lines.push('  {', `    const s: i64 = ${i64Literal(start)}${terms(ks)};`);
      lines.push(`    const acc = sat32K(<i64>sat32K(s${k > 0 ? ` >> ${k}` : ''}) + ${bias[r]});`, store(r, 'acc'), '  }');
    }
  } else {
    for (let r = 0; r < rows; r += 2) {
      const pair = r + 1 < rows;
      const ks = Array.from({ length: cols }, (_, c) => BigInt(w[r * cols + c]) + (pair ? BigInt(w[(r + 1) * cols + c]) * TWO_32 : 0n));
      const start = BigInt(bias[r]) + TWO_31 + (pair ? BigInt(bias[r + 1]) * TWO_32 : 0n);
      lines.push('  {', `    const t: i64 = ${i64Literal(start)}${terms(ks)};`);
      lines.push(store(r, '(<i32>t ^ -2147483648)'));
      if (pair) lines.push(store(r + 1, '<i32>(t >> 32)'));
      lines.push('  }');
    }
  }
  lines.push('}');
  return lines;
}

/** Wasm code bytes the immediate form of `mat` will roughly take: ~11 per nonzero constant (local.get, LEB i64.const, mul, add). */
export function immediateCodeBytesEstimate(mat: QMat): number {
  const pairs = mat.w instanceof Int16Array ? mat.rows : Math.ceil(mat.rows / 2);
  return pairs * mat.cols * 11 + mat.rows * 40;
}
