/**
 * @fileoverview Calibration: run the float program over calibration inputs and record, for every
 * tagged vector (the input, each gate's pre-activation, each state, each head output), the
 * largest magnitude seen and a log-spaced histogram of magnitudes for percentile ranges.
 */
import type { Tensor } from '../ir/types.ts';
import { runProgramFloat } from '../lower/float-run.ts';
import type { Program } from '../lower/program.ts';

const BINS = 1024;
const LOG2_MIN = -24; // magnitudes below 2^-24 land in bin 0
const LOG2_MAX = 24;

export class RangeStats {
  maxAbs = 0;
  count = 0;
  readonly histogram = new Float64Array(BINS);

  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (a > this.maxAbs) this.maxAbs = a;
      const bin = a <= 0 ? 0 : Math.floor(((Math.log2(a) - LOG2_MIN) / (LOG2_MAX - LOG2_MIN)) * BINS);
      this.histogram[Math.min(BINS - 1, Math.max(0, bin))]++;
      this.count++;
    }
  }

  /** Smallest magnitude m with at least fraction p of the values <= m (upper bin edge; never above maxAbs). */
  percentile(p: number): number {
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.histogram[b];
      if (seen >= p * this.count) return Math.min(this.maxAbs, 2 ** (LOG2_MIN + ((b + 1) * (LOG2_MAX - LOG2_MIN)) / BINS));
    }
    return this.maxAbs;
  }
}

export type RangeMethod = { kind: 'minmax' } | { kind: 'percentile'; p: number };

export interface Calibration {
  stats: Map<string, RangeStats>;
  method: RangeMethod;
  /** Where the data came from, for reports ("--data inputs (no --calib given)"). */
  source: string;
  sequences: number;
  /** The range to quantize a tag for (0 if never seen). */
  range(tag: string): number;
}

export function calibrate(p: Program, inputs: Tensor[], method: RangeMethod, source: string): Calibration {
  const stats = new Map<string, RangeStats>();
  let sequences = 0;
  for (const x of inputs) {
    runProgramFloat(p, x, (tag, values) => {
      let s = stats.get(tag);
      if (!s) stats.set(tag, (s = new RangeStats()));
      s.add(values);
    });
    sequences += x.shape[p.input.batchAxis];
  }
  return {
    stats, method, source, sequences,
    range(tag) {
      const s = stats.get(tag);
      if (!s) return 0;
      return method.kind === 'minmax' ? s.maxAbs : s.percentile(method.p);
    },
  };
}
