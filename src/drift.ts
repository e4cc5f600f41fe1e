/**
 * @fileoverview Error drift over time: how far the quantized hidden states are from the float
 * model's, per block of time steps, first to last. Long sequences are where quantized RNNs
 * drift; this makes it visible instead of hiding it in one max-error number.
 */
import type { Tensor } from '../compiler/ir/types.ts';
import { runProgramFloatEntries } from '../compiler/lower/float-run.ts';
import { dequantizeEntry, simulate } from '../compiler/fixed/simulate.ts';
import type { QProgram } from '../compiler/quantize/quantize.ts';

export interface DriftBlock {
  first_step: number;
  last_step: number;
  max_abs_err: number;
}

export function driftReport(qp: QProgram, x: Tensor, blocks = 10): DriftBlock[] {
  const p = qp.program;
  const T = x.shape[p.input.timeAxis];
  const size = Math.max(1, Math.ceil(T / blocks));
  const floatEntries = runProgramFloatEntries(p, x);
  const fixedEntries = simulate(qp, x).entries.map((e) => dequantizeEntry(qp, e));
  const out: DriftBlock[] = [];
  for (let start = 0; start < T; start += size) {
    let worst = 0;
    fixedEntries.forEach((fe, b) => {
      for (const [key, steps] of fe.seq) {
        if (!/^h\d/.test(key)) continue; // hidden states of every layer and direction
        const ref = floatEntries[b].seq.get(key)!;
        for (let t = start; t < Math.min(T, start + size); t++) {
          for (let i = 0; i < steps[t].length; i++) worst = Math.max(worst, Math.abs(steps[t][i] - ref[t][i]));
        }
      }
    });
    out.push({ first_step: start, last_step: Math.min(T, start + size) - 1, max_abs_err: worst });
  }
  return out;
}
