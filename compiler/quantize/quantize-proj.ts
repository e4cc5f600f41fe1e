/**
 * @fileoverview Formats and matrix of an LSTM output projection (PyTorch proj_size; the rnnc LSTM
 * input Wproj): m = o ⊙ hAct(C) [H] in Q(fm), h = proj·m [P] in Q(fh) (compiler/fixed/cells/lstm.ts).
 * Both formats are calibrated with headroom and capped by what the math can reach:
 *   |m| <= hBound (|o| <= 1), |h_r| <= Σ_j |Wproj_rj| · max|m|.
 * The projection matrix is quantized per row like every other (./formats.ts), into Q(fh).
 */
import type { QMat, Vec } from '../fixed/cells/common.ts';
import type { Layer } from '../lower/program.ts';
import type { Calibration } from './calibrate.ts';
import { fracFor, quantizeMatrix, type RescaleMode } from './formats.ts';

/** Calibrated ranges get this headroom (1.5×: between the heads' 1.25× and the cell state's 2×). */
const HEADROOM = 1.5;

export interface ProjFormats {
  fm: number;
  fh: number;
}

/** fm and fh for layer l direction d; hBound bounds hAct on C's format, h0max the initial h. */
export function projectionFormats(layer: Layer, l: number, d: number, cal: Calibration, hBound: number, h0max: number, vb: 8 | 16): ProjFormats {
  const { hidden: H, proj: P } = layer;
  const Wp = layer.dirs[d].Wproj!;
  const fm = fracFor(Math.max(Math.min(hBound, HEADROOM * cal.range(`L${l}.d${d}.m`)), 2 ** -8), vb);
  const mMax = Math.min(hBound, (2 ** (vb - 1) - 1) / 2 ** fm);
  let bound = 0;
  for (let r = 0; r < P!; r++) {
    let s = 0;
    for (let j = 0; j < H; j++) s += Math.abs(Wp[r * H + j]);
    bound = Math.max(bound, s * mMax);
  }
  const fh = fracFor(Math.max(Math.min(bound, HEADROOM * cal.range(`L${l}.d${d}.state_h`)), h0max, 2 ** -8), vb);
  return { fm, fh };
}

/** The cell fields of the projection: P, proj [P, H] (rows into Q(fh)), fm, m [H]. */
export function quantizeProjection(layer: Layer, d: number, f: ProjFormats, weightBits: 8 | 16, vb: 8 | 16, mode: RescaleMode,
  what: string): { P: number; proj: QMat; fm: number; m: Vec } {
  const { hidden: H } = layer;
  const P = layer.proj!;
  const proj = quantizeMatrix({ W: layer.dirs[d].Wproj!, b: new Float64Array(P), rows: P, cols: H, colFrac: new Array<number>(H).fill(f.fm),
    rowFrac: new Array<number>(P).fill(f.fh), weightBits, vecBits: vb, mode, what: `${what} projection` });
  return { P, proj, fm: f.fm, m: vb === 8 ? new Int8Array(H) : new Int16Array(H) };
}
