// The TypeScript fixed-point mirror (compiler/fixed) against independent BigInt references
// written straight from the definitions (not from the implementation).
import { describe, expect, it } from 'vitest';
import * as P from '../compiler/fixed/primitives.ts';
import * as L from '../compiler/fixed/lut.ts';

const MIN = -(2n ** 31n), MAX = 2n ** 31n - 1n;
const clampB = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);
const sat32B = (v: bigint) => Number(clampB(v, MIN, MAX));

// Round |x| / 2^e half up, then restore the sign: "round half away from zero" by definition.
function refRoundShift(x: number, e: number): number {
  const m = BigInt(Math.abs(x)), d = 1n << BigInt(e);
  const r = (2n * m + d) / (2n * d);
  return Number(x < 0 ? -r : r);
}
function refRdhm(a: number, b: number): number {
  if (a === -2147483648 && b === -2147483648) return 2147483647;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero
}
const refShl = (x: number, e: number) => sat32B(BigInt(x) << BigInt(e));
const refMbqm = (x: number, m: number, s: number) =>
  s > 0 ? refRdhm(refShl(x, s), m) : refRoundShift(refRdhm(x, m), -s);

// mulberry32: tiny seeded PRNG so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(12345);
const randI32 = () => (Math.floor(rand() * 4294967296) - 2147483648) | 0;
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

// INT32 extremes plus rounding ties +-2^(e-1), +-3*2^(e-1) and their neighbours for every e.
const EDGE: number[] = [-2147483648, -2147483647, -1, 0, 1, 2147483646, 2147483647];
for (let e = 0; e <= 31; e++) {
  for (const base of [2 ** e, 2 ** (e - 1), 3 * 2 ** (e - 1)]) {
    for (const v of [base - 1, base, base + 1]) {
      for (const s of [v, -v]) if (Number.isInteger(s) && s >= -2147483648 && s <= 2147483647) EDGE.push(s);
    }
  }
}
const VALUES = [...new Set(EDGE)].concat(Array.from({ length: 3000 }, randI32));
const MULTS = [0, 2 ** 30, 2 ** 30 + 1, 1518500250, 2147483647, -(2 ** 30), -2147483647, -2147483648];

describe('scalar primitives vs BigInt', () => {
  it('saturations and saturating add/sub', () => {
    for (const x of VALUES) {
      expect(P.sat8(x)).toBe(Number(clampB(BigInt(x), -128n, 127n)));
      expect(P.sat16(x)).toBe(Number(clampB(BigInt(x), -32768n, 32767n)));
      const y = VALUES[randInt(0, VALUES.length - 1)];
      expect(P.satAdd32(x, y)).toBe(sat32B(BigInt(x) + BigInt(y)));
      expect(P.satSub32(x, y)).toBe(sat32B(BigInt(x) - BigInt(y)));
      const wide = BigInt(x) * BigInt(randI32()) * 2n;
      expect(P.sat32FromI64(wide)).toBe(sat32B(wide));
      expect(P.sat32FromI64(x * 1024)).toBe(sat32B(BigInt(x) * 1024n));
    }
  });

  it('roundingDoublingHighMul on edges, multipliers and random pairs', () => {
    for (const a of VALUES) {
      for (const b of [...MULTS, randI32(), a]) expect(P.roundingDoublingHighMul(a, b)).toBe(refRdhm(a, b));
    }
    expect(P.roundingDoublingHighMul(-2147483648, -2147483648)).toBe(2147483647);
  });

  it('roundingShiftRight and saturatingShiftLeft for every shift 0..31', () => {
    for (let e = 0; e <= 31; e++) {
      for (const x of VALUES) {
        expect(P.roundingShiftRight(x, e)).toBe(refRoundShift(x, e));
        expect(P.saturatingShiftLeft(x, e)).toBe(refShl(x, e));
      }
    }
    expect(P.roundingShiftRight(-3 * 2 ** 3, 4)).toBe(-2); // -1.5 -> -2 (away from zero)
    expect(P.roundingShiftRight(5, 1)).toBe(3);
  });

  it('multiplyByQuantizedMultiplier and shiftRescale', () => {
    for (const x of VALUES) {
      for (const m of MULTS.slice(0, 7)) {
        const s = randInt(-31, 31);
        expect(P.multiplyByQuantizedMultiplier(x, m, s)).toBe(refMbqm(x, m, s));
      }
      const s = randInt(-31, 31);
      expect(P.shiftRescale(x, s)).toBe(s >= 0 ? refRoundShift(x, s) : refShl(x, -s));
    }
  });

  it('quantizeMultiplier represents reals and rescales like the real product', () => {
    for (let i = 0; i < 2000; i++) {
      const real = 2 ** (rand() * 40 - 30) * (1 + rand());
      const { multiplier, shift } = P.quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThan(2 ** 31);
      expect(Math.abs(multiplier * 2 ** (shift - 31) - real)).toBeLessThanOrEqual(real * 2 ** -30);
      const x = randInt(-40000, 40000);
      const exact = x * real;
      if (Math.abs(exact) < 2 ** 30) expect(Math.abs(P.multiplyByQuantizedMultiplier(x, multiplier, shift) - exact)).toBeLessThanOrEqual(1);
    }
    expect(P.quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(P.quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
  });
});

describe('matrix-vector kernels vs BigInt', () => {
  function refMatVec(w: ArrayLike<number>, x: ArrayLike<number>, bias: ArrayLike<number> | null, rows: number, cols: number) {
    return Array.from({ length: rows }, (_, r) => {
      let acc = bias ? BigInt(bias[r]) : 0n;
      for (let c = 0; c < cols; c++) acc += BigInt(w[r * cols + c]) * BigInt(x[c]);
      return acc;
    });
  }
  const fill = <T extends Int8Array | Int16Array | Int32Array>(a: T, lo: number, hi: number): T => {
    for (let i = 0; i < a.length; i++) a[i] = randInt(lo, hi);
    return a;
  };

  it('random shapes, with and without bias, with offsets', () => {
    for (let t = 0; t < 40; t++) {
      const rows = randInt(1, 17), cols = randInt(1, 70), pad = randInt(0, 5);
      const bias = t % 3 === 0 ? null : fill(new Int32Array(rows), -(2 ** 24), 2 ** 24);
      const w8 = fill(new Int8Array(rows * cols), -128, 127), w16 = fill(new Int16Array(rows * cols), -32768, 32767);
      const x8 = fill(new Int8Array(cols), -128, 127), x16 = fill(new Int16Array(cols), -32768, 32767);
      const out = new Int32Array(rows + pad);
      P.matVecI8xI16(out, w8, x16, bias, rows, cols);
      expect(Array.from(out.subarray(0, rows))).toEqual(refMatVec(w8, x16, bias, rows, cols).map(sat32B));
      P.matVecI8xI8(out, w8, x8, bias, rows, cols);
      expect(Array.from(out.subarray(0, rows))).toEqual(refMatVec(w8, x8, bias, rows, cols).map(sat32B));
      // Offsets: the same data placed after `pad` junk elements.
      const wPad = new Int16Array(pad + w16.length); wPad.set(w16, pad);
      const xPad = new Int16Array(pad + cols); xPad.set(x16, pad);
      P.matVecI16xI16(out, wPad, xPad, bias, rows, cols, { out: pad, w: pad, x: pad });
      expect(Array.from(out.subarray(pad))).toEqual(refMatVec(w16, x16, bias, rows, cols).map(sat32B));
    }
  });

  it('int16 kernel saturates; int8 kernels refuse sums that would wrap an i32 accumulator', () => {
    const out = new Int32Array(2);
    P.matVecI16xI16(out, new Int16Array(8).fill(-32768), new Int16Array(4).fill(-32768), null, 2, 4);
    expect(Array.from(out)).toEqual([2147483647, 2147483647]);
    P.matVecI16xI16(out, new Int16Array(8).fill(-32768), new Int16Array(4).fill(32767), new Int32Array([-5, 5]), 2, 4);
    expect(Array.from(out)).toEqual([-2147483648, sat32B(-4n * 32768n * 32767n + 5n)]);
    const cols = 600; // 600 * 2^22 > 2^31
    expect(() => P.matVecI8xI16(out, new Int8Array(cols).fill(-128), new Int16Array(cols).fill(-32768), null, 1, cols)).toThrow(/row 0.*overflows/);
  });

  it('accumulatorBound equals the worst case reached by sign-matched inputs', () => {
    for (let t = 0; t < 30; t++) {
      const rows = randInt(1, 9), cols = randInt(1, 40), xMax = randInt(1, 32768), bMax = randInt(0, 1000);
      const w = fill(new Int8Array(rows * cols), -128, 127);
      let worst = 0n;
      for (let r = 0; r < rows; r++) {
        for (const sign of [1, -1]) {
          const x = Array.from({ length: cols }, (_, c) => sign * Math.sign(w[r * cols + c]) * xMax);
          const acc = refMatVec(w.subarray(r * cols, (r + 1) * cols), x, [sign * bMax], 1, cols)[0];
          if ((acc < 0n ? -acc : acc) > worst) worst = acc < 0n ? -acc : acc;
        }
      }
      expect(P.accumulatorBound(w, cols, xMax, bMax)).toBe(Number(worst));
    }
  });
});

describe('activations', () => {
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  // max|f''|: sigmoid'' = s(1-s)(1-2s) peaks at sqrt(3)/18; tanh'' = -2t(1-t^2) at 4/(3 sqrt 3).
  const M2_SIGMOID = Math.sqrt(3) / 18, M2_TANH = 4 / (3 * Math.sqrt(3));
  const bound = (m2: number, inFrac: number, log2N: number) => (2 ** (16 - log2N - inFrac)) ** 2 / 8 * m2 + 1.5 / 32768;

  it('lutInterp equals T[i] + round-half-away((T[i+1]-T[i]) * frac / step) for all inputs', () => {
    for (const log2N of [5, 8]) {
      const table = L.tanhLut(12, log2N);
      const step = 2 ** (16 - log2N);
      for (let q = -32768; q <= 32767; q++) {
        const i = Math.floor((q + 32768) / step), frac = q + 32768 - i * step;
        expect(L.lutInterp(q, table, log2N)).toBe(table[i] + refRoundShift((table[i + 1] - table[i]) * frac, 16 - log2N));
      }
      expect(L.lutInterp(99999, table, log2N)).toBe(L.lutInterp(32767, table, log2N)); // clamps to int16
    }
  });

  it('LUT max error (N=256, N=32) is within h^2/8 max|f\'\'| + 1.5 LSB', () => {
    for (const log2N of [8, 5]) {
      const es = L.lutMaxError(sig, 12, 15, log2N), et = L.lutMaxError(Math.tanh, 12, 15, log2N);
      console.info(`LUT N=${2 ** log2N} Q3.12->Q15: sigmoid max err ${es.toExponential(3)}, tanh ${et.toExponential(3)}`);
      expect(es).toBeLessThanOrEqual(bound(M2_SIGMOID, 12, log2N));
      expect(et).toBeLessThanOrEqual(bound(M2_TANH, 12, log2N));
      expect(L.lutErrorBound(M2_TANH, 12, 15, log2N)).toBeCloseTo(bound(M2_TANH, 12, log2N), 12);
    }
    expect(L.lutMaxError(Math.tanh, 12, 15, 5)).toBeGreaterThan(L.lutMaxError(Math.tanh, 12, 15, 8));
  });

  it('buildLut handles any f: rounding half away from zero and int16 saturation', () => {
    const elu = (x: number) => (x >= 0 ? x : Math.exp(x) - 1);
    const t = L.buildLut(elu, 12, 12, 4); // 17 samples at x = -8, -7, ..., 8
    for (let i = 0; i <= 16; i++) expect(t[i]).toBe(Math.min(32767, Math.sign(elu(i - 8)) * Math.round(Math.abs(elu(i - 8)) * 4096)));
    expect(Array.from(L.buildLut((x) => x / 65536 - 0.5 / 32768, 0, 15, 1))).toEqual([-16385, -1, 16384]);
    expect(() => L.buildLut(Math.tanh, 12, 15, 0)).toThrow(/log2N/);
  });

  // PLAN written in floats from the paper's table, as the reference for the integer version.
  const planF = (x: number): number => {
    const a = Math.abs(x);
    const y = a >= 5 ? 1 : a >= 2.375 ? a / 32 + 0.84375 : a >= 1 ? a / 8 + 0.625 : a / 4 + 0.5;
    return x >= 0 ? y : 1 - y;
  };
  it('sigmoidPwl/tanhPwl follow PLAN within 1 LSB and the float functions within the stated bound', () => {
    let errS = 0, errT = 0;
    for (let q = -32768; q <= 32767; q++) {
      const x = q / 4096;
      const s = L.sigmoidPwl(q, 12), t = L.tanhPwl(q, 12);
      expect(Math.abs(s - Math.min(32767, planF(x) * 32768))).toBeLessThanOrEqual(1);
      expect(Math.abs(t - Math.min(32767, (2 * planF(2 * x) - 1) * 32768))).toBeLessThanOrEqual(2);
      errS = Math.max(errS, Math.abs(s / 32768 - sig(x)));
      errT = Math.max(errT, Math.abs(t / 32768 - Math.tanh(x)));
    }
    console.info(`PWL Q3.12->Q15: sigmoid max err ${errS.toExponential(3)}, tanh ${errT.toExponential(3)}`);
    expect(errS).toBeLessThanOrEqual(0.0190); // PLAN's 0.0189 plus rounding
    expect(errT).toBeLessThanOrEqual(0.0380); // twice the sigmoid bound, tanh = 2 sigma(2x) - 1
    for (let i = 0; i < 3000; i++) { // other input formats, including the extremes of q
      const inFrac = randInt(1, 25), q = i < 8 ? [-2147483648, 2147483647, 0, -1][i % 4] : randI32();
      expect(Math.abs(L.sigmoidPwl(q, inFrac) - Math.min(32767, planF(q / 2 ** inFrac) * 32768))).toBeLessThanOrEqual(1);
    }
  });

  it('simple activations', () => {
    const m = 1717986918, s = -2; // alpha = 0.2
    for (const x of VALUES.slice(0, 400)) {
      expect(L.relu(x)).toBe(Math.max(x, 0));
      expect(L.leakyRelu(x, m, s)).toBe(x >= 0 ? x : refMbqm(x, m, s));
      expect(L.thresholdedRelu(x, 1000)).toBe(x > 1000 ? x : 0);
      expect(L.affine(x, -m, 1, -77)).toBe(sat32B(BigInt(refMbqm(x, -m, 1)) - 77n));
      expect(L.hardSigmoid(x, m, s, 16384, 32767)).toBe(Math.min(32767, Math.max(0, sat32B(BigInt(refMbqm(x, m, s)) + 16384n))));
    }
  });
});
