// Fixed-point dense head (AssemblyScript): y = act(rescale(W·v + b)); actKind 3: softmax; argmax: y[0] = index.
// Mirror: compiler/fixed/cells/dense.ts. Descriptor layout: compiler/fixed/cells/layout.ts (DENSE).
import { activate, matRows, satVec } from '../cells/common';
import { ACT as A } from '../cells/desc';
import { lutInterp } from '../ops/lut';
import { sat16, shiftRescale } from '../ops/primitives';

// Field byte offsets of the DENSE descriptor (must match layout.ts; tests/heads.test.ts checks).
const N = 4, MAT = 8, ACT = 36, ACT_KIND = 56, Y = 60, V = 64, ACC = 68, EXP_SHIFT = 72, ARGMAX = 76;

export function denseStep<TV, TW>(desc: usize): void {
  const n = load<i32>(desc + N);
  const acc = <usize>load<i32>(desc + ACC);
  const y = <usize>load<i32>(desc + Y);
  const kind = load<i32>(desc + ACT_KIND);
  matRows<TV, TW>(acc, desc + MAT, <usize>load<i32>(desc + V), 0, 0, n);
  if (kind == 3) softmaxQ(acc, n, desc + ACT, load<i32>(desc + EXP_SHIFT));
  for (let j = 0; j < n; j++) {
    const a = load<i32>(acc + (<usize>j << 2));
    const r = kind == 1 ? (a > 0 ? a : 0) : kind == 2 ? activate(sat16(a), desc + ACT) : a;
    store<TV>(y + (<usize>j) * sizeof<TV>(), satVec<TV>(r));
  }
  if (load<i32>(desc + ARGMAX)) {
    let best = 0;
    let top = <i32>load<TV>(y);
    for (let j = 1; j < n; j++) {
      const v = <i32>load<TV>(y + (<usize>j) * sizeof<TV>());
      if (v > top) {
        best = j;
        top = v;
      }
    }
    store<TV>(y, <TV>best);
  }
}

/** In place: acc[0..n) logits → probabilities in Q(act.outFrac) (see the TypeScript mirror). */
export function softmaxQ(acc: usize, n: i32, act: usize, expShift: i32): void {
  const table = load<usize>(act + A.table);
  const log2N = load<i32>(act + A.log2N);
  let m: i32 = -32768;
  for (let j = 0; j < n; j++) {
    const p = acc + (<usize>j << 2);
    const z = sat16(load<i32>(p));
    store<i32>(p, z);
    if (z > m) m = z;
  }
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
