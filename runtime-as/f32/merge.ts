// Merge of two direction streams in float32 (--quant f32), Keras Bidirectional sum / ave / mul.
// Mirror: compiler/fixed/cells/merge.ts — one rounded sum then one rounded product by the scale
// (1, or 0.5 for ave: Keras's (a + b) · 0.5), or one rounded product.

/** dst = (a + b) · scale over n float32 elements. */
export function mergeSumF32(dst: usize, a: usize, b: usize, n: i32, scale: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, (load<f32>(a + o) + load<f32>(b + o)) * scale);
  }
}

/** dst = a · b over n float32 elements. */
export function mergeMulF32(dst: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(a + o) * load<f32>(b + o));
  }
}
