/**
 * @fileoverview Quantization schemes (`--quant`): element widths of stored vectors (inputs,
 * hidden states, head outputs), weights and the LSTM cell state. `f32` is the float module:
 * float32 weights and vectors throughout, a baseline for targets with an FPU (32 marks float32).
 */
import { fail } from '../errors.ts';

export interface Scheme {
  name: 'int8x16' | 'int8' | 'int16' | 'f32';
  vecBits: 8 | 16 | 32;
  weightBits: 8 | 16 | 32;
  cellBits: 16 | 32;
  summary: string;
}

export const SCHEMES: Record<string, Scheme> = {
  int8x16: { name: 'int8x16', vecBits: 16, weightBits: 8, cellBits: 16, summary: 'int8 weights (per row), int16 activations and states' },
  int8: { name: 'int8', vecBits: 8, weightBits: 8, cellBits: 16, summary: 'int8 weights and activations/hidden state, int16 LSTM cell state' },
  int16: { name: 'int16', vecBits: 16, weightBits: 16, cellBits: 16, summary: 'int16 weights, activations and states (64-bit accumulation)' },
  f32: { name: 'f32', vecBits: 32, weightBits: 32, cellBits: 32, summary: 'float32 weights, activations and states (the float module, for targets with an FPU)' },
};

export function schemeByName(name: string): Scheme {
  return SCHEMES[name] ?? fail(`--quant ${name}: unknown scheme (int8x16, int8, int16, f32)`);
}

export function isF32(s: Scheme): boolean {
  return s.name === 'f32';
}
