/**
 * @fileoverview Quantization schemes (`--quant`): element widths of stored vectors (inputs,
 * hidden states, head outputs), weights and the LSTM cell state.
 */
import { fail } from '../errors.ts';

export interface Scheme {
  name: 'int8x16' | 'int8' | 'int16';
  vecBits: 8 | 16;
  weightBits: 8 | 16;
  cellBits: 16;
  summary: string;
}

export const SCHEMES: Record<string, Scheme> = {
  int8x16: { name: 'int8x16', vecBits: 16, weightBits: 8, cellBits: 16, summary: 'int8 weights (per row), int16 activations and states' },
  int8: { name: 'int8', vecBits: 8, weightBits: 8, cellBits: 16, summary: 'int8 weights and activations/hidden state, int16 LSTM cell state' },
  int16: { name: 'int16', vecBits: 16, weightBits: 16, cellBits: 16, summary: 'int16 weights, activations and states (64-bit accumulation)' },
};

export function schemeByName(name: string): Scheme {
  if (name === 'f32') fail('--quant f32 (the float module) is not available yet; use int8x16, int8 or int16');
  return SCHEMES[name] ?? fail(`--quant ${name}: unknown scheme (int8x16, int8, int16)`);
}
