// Fixed-point dense head (AssemblyScript): y = act(rescale(W·v + b)); actKind 3: softmax, 4: log-softmax; argmax: y[0] = index.
// Mirror: compiler/fixed/cells/dense.ts. Descriptor layout: compiler/fixed/cells/layout.ts (DENSE).
import { activate, matRows, satVec } from '../cells/common';
import { ACT as A } from '../cells/desc';
import { lutInterp } from '../ops/lut';
import { sat16, shiftRescale } from '../ops/primitives';

// Field byte offsets of the DENSE descriptor (must match layout.ts; tests/heads.test.ts checks).
const N = 4, MAT = 8, ACT = 36, ACT_KIND = 56, Y = 60, V = 64, ACC = 68, EXP_SHIFT = 72, ARGMAX = 76, LOG = 80;
const LN2_Q24: i32 = 11629080; // round(ln 2 · 2^24)

/** `kind` is the descriptor's activation kind, passed as a constant by the generated code so that
 * unused normalizations are compiled out (it must equal the descriptor's ACT_KIND field). */
export function denseStep<TV, TW>(desc: usize, kind: i32): void {
  const n = load<i32>(desc + N);
  const acc = <usize>load<i32>(desc + ACC);
  const y = <usize>load<i32>(desc + Y);
  matRows<TV, TW>(acc, desc + MAT, <usize>load<i32>(desc + V), 0, 0, n);
  if (kind == 3) softmaxQ(acc, n, desc + ACT, load<i32>(desc + EXP_SHIFT));
  else if (kind == 4) logSoftmaxQ(acc, n, desc + ACT, desc + LOG, load<i32>(desc + EXP_SHIFT));
  for (let j = 0; j < n; j++) {
    const a = load<i32>(acc + (<usize>j << 2));
    const r = kind == 1 ? (a > 0 ? a : 0) : kind == 2 ? activate(sat16(a), desc + ACT) : a; // 0, 3, 4: as computed
    store<TV>(y + (<usize>j) * sizeof<TV>(), satVec<TV>(r));
  }
  if (load<i32>(desc + ARGMAX)) {
    let best = 0;
    let top = <i32>load<TV>(y);
    for (let j = 1; j < n; j++) {
      const v = <i32>load<TV>(y + (<usize>j) * sizeof<TV>());
      // Selects, not a branch: the same instructions run whatever the scores (static op counts).
      const better = v > top;
      best = select<i32>(j, best, better);
      top = select<i32>(v, top, better);
    }
    store<TV>(y, <TV>best);
  }
}

/** In place: acc[0..n) = sat16(acc) (the logits as int16); returns their maximum (softmax subtracts it). */
function saturateLogits(acc: usize, n: i32): i32 {
  let m: i32 = -32768;
  for (let j = 0; j < n; j++) {
    const p = acc + (<usize>j << 2);
    const z = sat16(load<i32>(p));
    store<i32>(p, z);
    m = select<i32>(z, m, z > m); // a select: the same path for every input
  }
  return m;
}

/** In place: acc[0..n) logits → probabilities in Q(act.outFrac) (see the TypeScript mirror). */
export function softmaxQ(acc: usize, n: i32, act: usize, expShift: i32): void {
  const table = load<usize>(act + A.table);
  const log2N = load<i32>(act + A.log2N);
  const m = saturateLogits(acc, n);
  let sum: i32 = 0;
  for (let j = 0; j < n; j++) {
    const p = acc + (<usize>j << 2);
    const e = lutInterp(shiftRescale(load<i32>(p) - m, expShift), table, log2N);
    store<i32>(p, e);
    sum += e;
  }
  const half = sum >> 1;
  const outFrac = load<i32>(act + A.outFrac);
  for (let j = 0; j < n; j++) {
    const p = acc + (<usize>j << 2);
    store<i32>(p, ((load<i32>(p) << outFrac) + half) / sum); // both >= 0: i32.div_s = trunc
  }
}

/** In place: acc[0..n) logits → log-probabilities in Q(act.outFrac) (see the TypeScript mirror). */
export function logSoftmaxQ(acc: usize, n: i32, act: usize, log: usize, expShift: i32): void {
  const table = load<usize>(act + A.table);
  const log2N = load<i32>(act + A.log2N);
  const m = saturateLogits(acc, n);
  let sum: i32 = 0;
  for (let j = 0; j < n; j++) sum += lutInterp(shiftRescale(load<i32>(acc + (<usize>j << 2)) - m, expShift), table, log2N);
  const k = 31 - clz<i32>(sum); // sum in [32767, 2^30)
  const t = (k >= 16 ? sum >> (k - 16) : sum << (16 - k)) - 65536;
  const lnSum = (k - 15) * LN2_Q24 + (lutInterp(t - 32768, load<usize>(log + A.table), load<i32>(log + A.log2N)) << 9);
  const fz = load<i32>(act + A.inFrac) + expShift;
  const lnSumZ = shiftRescale(lnSum, 24 - fz);
  const shift = fz - load<i32>(act + A.outFrac);
  for (let j = 0; j < n; j++) {
    const p = acc + (<usize>j << 2);
    store<i32>(p, shiftRescale(load<i32>(p) - m - lnSumZ, shift));
  }
}
