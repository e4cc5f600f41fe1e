/**
 * @fileoverview Keras recurrent cells in ONNX terms: activation names, and the weight rewrite
 * from Keras layout (kernel [I, G·H], recurrent_kernel [H, G·H], gate column blocks LSTM i,f,c,o /
 * GRU z,r,h) into ONNX layout (W [G·H, I], R [G·H, H], gate row blocks LSTM i,o,f,c / GRU z,r,h;
 * B = [Wb; Rb]).
 */
import { ACTIVATIONS } from '../../ir/activations.ts';
import type { CellKind } from '../../ir/ops/recurrent.ts';
import type { Tensor } from '../../ir/types.ts';

export interface OnnxActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/**
 * TF.js meanings. hard_sigmoid is clip(0.2x + 0.5, 0, 1) in TF.js (and Keras 2), which is ONNX
 * HardSigmoid with alpha 0.2 and beta 0.5; linear is ONNX Affine(1, 0).
 */
const KERAS_ACTIVATIONS: Record<string, OnnxActivation> = {
  tanh: { name: 'Tanh' },
  sigmoid: { name: 'Sigmoid' },
  hard_sigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  relu: { name: 'Relu' },
  linear: { name: 'Affine', alpha: 1, beta: 0 },
};

/** The ONNX activation for a Keras name (TF.js also writes camelCase: hardSigmoid); undefined if not mapped. */
export function kerasActivation(name: unknown): OnnxActivation | undefined {
  if (name === null) return KERAS_ACTIVATIONS.linear; // TF.js: a null activation applies nothing
  if (typeof name !== 'string') return undefined;
  return KERAS_ACTIVATIONS[name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()];
}

/** `activations` plus the alpha/beta lists, consumed in order by the functions that take them. */
export function activationAttrs(acts: OnnxActivation[]): { activations: string[]; activation_alpha: number[]; activation_beta: number[] } {
  const alphas: number[] = [];
  const betas: number[] = [];
  for (const a of acts) {
    if (ACTIVATIONS[a.name].alpha !== undefined) alphas.push(a.alpha ?? ACTIVATIONS[a.name].alpha!);
    if (ACTIVATIONS[a.name].beta !== undefined) betas.push(a.beta ?? ACTIVATIONS[a.name].beta!);
  }
  return { activations: acts.map((a) => a.name), activation_alpha: alphas, activation_beta: betas };
}

/** ONNX gate g takes Keras column block KERAS_BLOCK[kind][g]. */
const KERAS_BLOCK: Record<CellKind, number[]> = { RNN: [0], GRU: [0, 1, 2], LSTM: [0, 3, 1, 2] };

export interface KerasCellWeights {
  kernel: Tensor;
  recurrentKernel: Tensor;
  /** [G·H], or [2, G·H] for GRU reset_after (row 0 input bias, row 1 recurrent bias). */
  bias?: Tensor;
}

export interface OnnxDirection {
  W: Float32Array; // [G·H, I]
  R: Float32Array; // [G·H, H]
  B?: Float32Array; // [2·G·H]
}

/** Shapes are checked by the caller; this only moves numbers. */
export function kerasToOnnx(kind: CellKind, units: number, w: KerasCellWeights): OnnxDirection {
  const blocks = KERAS_BLOCK[kind];
  const G = blocks.length, H = units;
  const I = w.kernel.shape[0];
  const W = new Float32Array(G * H * I);
  const R = new Float32Array(G * H * H);
  const k = w.kernel.data, rk = w.recurrentKernel.data;
  blocks.forEach((src, g) => {
    for (let j = 0; j < H; j++) {
      const col = src * H + j;
      for (let i = 0; i < I; i++) W[(g * H + j) * I + i] = k[i * G * H + col];
      for (let i = 0; i < H; i++) R[(g * H + j) * H + i] = rk[i * G * H + col];
    }
  });
  if (!w.bias) return { W, R };
  // Keras adds one bias (Rb = 0), except GRU reset_after, whose second row is ONNX's Rb.
  const B = new Float32Array(2 * G * H);
  const b = w.bias.data;
  const twoRows = w.bias.shape.length === 2;
  blocks.forEach((src, g) => {
    for (let j = 0; j < H; j++) {
      B[g * H + j] = b[src * H + j];
      if (twoRows) B[G * H + g * H + j] = b[G * H + src * H + j];
    }
  });
  return { W, R, B };
}
