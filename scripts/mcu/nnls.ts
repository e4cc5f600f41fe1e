/**
 * @fileoverview Non-negative least squares for the cost fits of scripts/estimator-vs-qemu.ts:
 * min Σ_i ((x·f_i − target_i) / scale_i)² + w Σ_j (x_j / prior_j − 1)²,  x ≥ 0,
 * by coordinate descent on normalised columns. Dividing by `scale` (the measured total) makes the
 * residuals relative errors; the weak pull towards `prior` keeps nearly collinear classes at a
 * plausible cost instead of zero.
 */
export function nnls(rows: { f: number[]; target: number; scale: number }[], prior: number[], priorWeight: number): number[] {
  const k = prior.length;
  const A = rows.map((r) => r.f.map((v) => v / r.scale));
  const b = rows.map((r) => r.target / r.scale);
  if (priorWeight > 0) {
    const w = Math.sqrt(priorWeight);
    prior.forEach((p, j) => {
      A.push(prior.map((_, i) => (i === j ? w / p : 0)));
      b.push(w);
    });
  }
  const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i], 0);
  const norm = prior.map((_, j) => Math.sqrt(A.reduce((s, a) => s + a[j] ** 2, 0)) || 1);
  const An = A.map((a) => a.map((v, j) => v / norm[j]));
  const G = prior.map((_, i) => prior.map((_, j) => An.reduce((s, a) => s + a[i] * a[j], 0)));
  const c = prior.map((_, j) => An.reduce((s, a, r) => s + a[j] * b[r], 0));
  const x = new Array(k).fill(0);
  for (let it = 0; it < 20000; it++) {
    for (let j = 0; j < k; j++) {
      if (G[j][j] === 0) continue;
      x[j] = Math.max(0, x[j] - (dot(G[j], x) - c[j]) / G[j][j]);
    }
  }
  return x.map((v, j) => v / norm[j]);
}
