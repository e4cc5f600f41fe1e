// Vector copies and the float boundary of a module (AssemblyScript).
// Mirror: compiler/fixed/io.ts. Plain loops, no bulk memory: MVP runtimes lack memory.copy.

/** dst[i] = src[i] for n elements of type V (i8 or i16). */
export function copyVec<V>(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<V>(dst + (<usize>i) * sizeof<V>(), load<V>(src + (<usize>i) * sizeof<V>()));
}

/**
 * Float input to fixed point: q = clamp(nearest(x · scale)), NaN → 0; scale = 2^frac is exact,
 * and f32.nearest rounds half to even, as the simulator does. The clamp comes before the
 * conversion so i32.trunc_f32_s can never trap.
 */
export function quantizeF32<V>(dst: usize, src: usize, n: i32, scale: f32, lo: f32, hi: f32): void {
  for (let i = 0; i < n; i++) {
    let v = nearest<f32>(load<f32>(src + (<usize>i << 2)) * scale);
    // select, not if: the executed path stays the same for every input (static op counts).
    v = select<f32>(0, v, v != v);
    v = v < lo ? lo : v > hi ? hi : v;
    store<V>(dst + (<usize>i) * sizeof<V>(), <i32>v);
  }
}

/** Fixed point to float output: x = q · scale, scale = 2^−frac (exact in f32). */
export function dequantizeF32<V>(dst: usize, src: usize, n: i32, scale: f32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>(<i32>load<V>(src + (<usize>i) * sizeof<V>())) * scale);
}

/** Zero n elements of type V (state buffers on reset). */
export function zeroVec<V>(dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<V>(dst + (<usize>i) * sizeof<V>(), 0);
}
