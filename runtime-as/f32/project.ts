// The f32 scheme's input projections of CHUNK steps at once, for run(n) of SRU and QRNN
// (AssemblyScript); the integer version and the layouts: ../cells/project.ts (xs f32[I][SLOTS],
// out f32[rows][CHUNK]). Float sums depend on their order, so every (row, step) sum is the
// per-step kernel's (matRowsF32, ./cells.ts; compiler/fixed/f32/cells.ts): the bias first, then
// one rounded product and one rounded sum per column, columns in order (x_t's block, then
// x_{t−1}'s). The chunk only shares the weight loads between the CHUNK sums.
import { FMAT } from './desc';

// a + w0·x[0] + … + w7·x[7·SLOTS], left to right: ((a + w0·x0) + w1·x1) + …, as matRowsF32 adds.
@inline function dot8F32(a: f32, x: usize, w0: f32, w1: f32, w2: f32, w3: f32, w4: f32, w5: f32, w6: f32, w7: f32): f32 {
  return a + w0 * load<f32>(x) + w1 * load<f32>(x, 20) + w2 * load<f32>(x, 40) + w3 * load<f32>(x, 60)
    + w4 * load<f32>(x, 80) + w5 * load<f32>(x, 100) + w6 * load<f32>(x, 120) + w7 * load<f32>(x, 140);
}

/** out = the rows of the `fmat` at m for CHUNK steps of xs; column block p of I multiplies x_{t−p}. */
export function projectChunkF32(out: usize, m: usize, xs: usize, I: i32, taps: i32): void {
  const w = load<usize>(m + FMAT.w); // f32[rows, taps·I]
  const bias = load<usize>(m + FMAT.bias);
  const rows = load<i32>(m + FMAT.rows);
  let row = w, o = out;
  for (let r = 0; r < rows; r++) {
    const b = load<f32>(bias + (<usize>r << 2));
    let a0 = b, a1 = b, a2 = b, a3 = b;
    for (let p = 0; p < taps; p++) {
      let wp = row + (<usize>(p * I) << 2), xp = xs + (<usize>(1 - p) << 2);
      const end8 = wp + (<usize>(I & ~7) << 2), end = wp + (<usize>I << 2);
      while (wp < end8) {
        const w0 = load<f32>(wp), w1 = load<f32>(wp, 4), w2 = load<f32>(wp, 8), w3 = load<f32>(wp, 12);
        const w4 = load<f32>(wp, 16), w5 = load<f32>(wp, 20), w6 = load<f32>(wp, 24), w7 = load<f32>(wp, 28);
        a0 = dot8F32(a0, xp, w0, w1, w2, w3, w4, w5, w6, w7);
        a1 = dot8F32(a1, xp + 4, w0, w1, w2, w3, w4, w5, w6, w7);
        a2 = dot8F32(a2, xp + 8, w0, w1, w2, w3, w4, w5, w6, w7);
        a3 = dot8F32(a3, xp + 12, w0, w1, w2, w3, w4, w5, w6, w7);
        wp += 32;
        xp += 160; // 8 columns of SLOTS f32
      }
      while (wp < end) {
        const w0 = load<f32>(wp);
        a0 = a0 + w0 * load<f32>(xp);
        a1 = a1 + w0 * load<f32>(xp, 4);
        a2 = a2 + w0 * load<f32>(xp, 8);
        a3 = a3 + w0 * load<f32>(xp, 12);
        wp += 4;
        xp += 20;
      }
    }
    store<f32>(o, a0);
    store<f32>(o, a1, 4);
    store<f32>(o, a2, 8);
    store<f32>(o, a3, 12);
    row += <usize>(taps * I) << 2;
    o += 16;
  }
}
