/**
 * @fileoverview The activation functions ONNX recurrent ops accept (`activations` attribute),
 * with their alpha/beta defaults. One table, used by import-time normalization, the float
 * reference and (later) the quantizer, so every stage agrees on what a name means.
 */

export interface ActivationSpec {
  /** Whether the function consumes a value from `activation_alpha` / `activation_beta`. */
  alpha?: number;
  beta?: number;
  f: (x: number, alpha: number, beta: number) => number;
}

export const ACTIVATIONS: Record<string, ActivationSpec> = {
  Relu: { f: (x) => (x > 0 ? x : 0) },
  Tanh: { f: (x) => Math.tanh(x) },
  Sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)) },
  Affine: { alpha: 1, beta: 0, f: (x, a, b) => a * x + b },
  LeakyRelu: { alpha: 0.01, f: (x, a) => (x >= 0 ? x : a * x) },
  ThresholdedRelu: { alpha: 1, f: (x, a) => (x > a ? x : 0) },
  ScaledTanh: { alpha: 1, beta: 1, f: (x, a, b) => a * Math.tanh(b * x) },
  HardSigmoid: { alpha: 0.2, beta: 0.5, f: (x, a, b) => Math.min(1, Math.max(0, a * x + b)) },
  Elu: { alpha: 1, f: (x, a) => (x >= 0 ? x : a * (Math.exp(x) - 1)) },
  Softsign: { f: (x) => x / (1 + Math.abs(x)) },
  Softplus: { f: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))) },
};

const BY_LOWER = new Map(Object.keys(ACTIVATIONS).map((k) => [k.toLowerCase(), k]));

/** The canonical spelling of an activation name (ONNX names are matched case-insensitively, as onnxruntime does). */
export function canonicalActivation(name: string): string | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

export interface ResolvedActivation {
  name: string;
  alpha: number;
  beta: number;
}

/**
 * Pair each activation with its alpha/beta. As in onnxruntime, `activation_alpha` values are
 * consumed in order only by functions that take an alpha (likewise beta); missing ones take
 * the function's default.
 */
export function resolveActivations(names: string[], alphas: number[], betas: number[]): ResolvedActivation[] {
  let ia = 0;
  let ib = 0;
  return names.map((name) => {
    const spec = ACTIVATIONS[name];
    const alpha = spec.alpha === undefined ? 0 : ia < alphas.length ? alphas[ia++] : spec.alpha;
    const beta = spec.beta === undefined ? 0 : ib < betas.length ? betas[ib++] : spec.beta;
    return { name, alpha, beta };
  });
}

export function applyActivation(a: ResolvedActivation, x: number): number {
  return ACTIVATIONS[a.name].f(x, a.alpha, a.beta);
}
