// Fixed-point dense head (AssemblyScript): y = act(rescale(W·v + b)).
// Mirror: compiler/fixed/cells/dense.ts. Descriptor layout: compiler/fixed/cells/layout.ts (DENSE).
import { activate, matRows, satVec } from '../cells/common';
import { sat16 } from '../ops/primitives';

// Field byte offsets of the DENSE descriptor (must match layout.ts; tests check).
const N = 4, MAT = 8, ACT = 36, ACT_KIND = 56, Y = 60, V = 64, ACC = 68;

export function denseStep<TV, TW>(desc: usize): void {
  const n = load<i32>(desc + N);
  const acc = <usize>load<i32>(desc + ACC);
  const y = <usize>load<i32>(desc + Y);
  const kind = load<i32>(desc + ACT_KIND);
  matRows<TV, TW>(acc, desc + MAT, <usize>load<i32>(desc + V), 0, 0, n);
  for (let j = 0; j < n; j++) {
    const a = load<i32>(acc + (<usize>j << 2));
    const r = kind == 1 ? (a > 0 ? a : 0) : kind == 2 ? activate(sat16(a), desc + ACT) : a;
    store<TV>(y + (<usize>j) * sizeof<TV>(), satVec<TV>(r));
  }
}
