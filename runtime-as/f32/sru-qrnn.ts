// The f32 scheme's SRU and QRNN cells (AssemblyScript).
// Mirror: compiler/fixed/f32/sru-qrnn.ts — same f32 operations in the same order, same results
// bit for bit (see there for the equations). Descriptors: ./desc.ts (SRU_F32, QRNN_F32).
// run(n) projects CHUNK steps at once (./project.ts, the same sums in the same order), then
// runs the elementwise part per step: the same values as step().
import { sigmoidF32, tanhF32 } from './math';
import { matRowsF32 } from './cells';
import { QRNN_F32, SRU_F32 } from './desc';
import { projectChunkF32 } from './project';
import { CHUNK, fromColumn, SLOTS, toColumn } from '../cells/project';

const ONE: f32 = 1;
const CAND = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

export function sruStepF32(desc: usize): void {
  const v = load<usize>(desc + SRU_F32.v);
  const acc = load<usize>(desc + SRU_F32.acc);
  matRowsF32(acc, desc + SRU_F32.U, v, 0, load<i32>(desc + SRU_F32.k) * load<i32>(desc + SRU_F32.H));
  sruElementwiseF32(desc, acc, 4, v, 4);
}

/** run(n): U for CHUNK steps of xs (../cells/project.ts layouts, f32) into proj f32[k·H][CHUNK]. */
export function sruProjectF32(desc: usize, xs: usize, proj: usize): void {
  projectChunkF32(proj, desc + SRU_F32.U, xs, load<i32>(desc + SRU_F32.I), 1);
}

/** run(n): the recurrence of chunk step s, from sruProjectF32's rows and xs (the k = 3 highway). */
export function sruRecurF32(desc: usize, proj: usize, xs: usize, s: i32): void {
  sruElementwiseF32(desc, proj + (<usize>s << 2), <usize>CHUNK * 4, xs + (<usize>(s + 1) << 2), <usize>SLOTS * 4);
}

// After the projection: row r at acc + r·accStride, input element c at x + c·xStride. Inlined
// with constant strides, so step() keeps its code.
@inline function sruElementwiseF32(desc: usize, acc: usize, accStride: usize, x: usize, xStride: usize): void {
  const H = load<i32>(desc + SRU_F32.H);
  const k = load<i32>(desc + SRU_F32.k);
  const h = load<usize>(desc + SRU_F32.h);
  const cState = load<usize>(desc + SRU_F32.cState);
  const peep = load<usize>(desc + SRU_F32.peep); // f32[2H]
  const tanh = load<i32>(desc + SRU_F32.tanh) != 0;
  const highway = load<i32>(desc + SRU_F32.highway) != 0;
  const hwIn = x + <usize>load<i32>(desc + SRU_F32.hwOff) * xStride;
  const scaleX = load<f32>(desc + SRU_F32.scaleX);
  for (let j = 0; j < H; j++) {
    const prev = load<f32>(at(cState, j));
    const fg = sigmoidF32(load<f32>(acc + <usize>(FORGET * H + j) * accStride) + load<f32>(at(peep, j)) * prev);
    const r = sigmoidF32(load<f32>(acc + <usize>(RESET * H + j) * accStride) + load<f32>(at(peep, H + j)) * prev);
    const next = fg * prev + (ONE - fg) * load<f32>(acc + <usize>(CAND * H + j) * accStride);
    store<f32>(at(cState, j), next);
    const g = tanh ? tanhF32(next) : next;
    if (highway) {
      const skip = k == 4 ? load<f32>(acc + <usize>(HIGHWAY * H + j) * accStride) : scaleX * load<f32>(hwIn + <usize>j * xStride);
      store<f32>(at(h, j), r * g + (ONE - r) * skip);
    } else {
      store<f32>(at(h, j), r * g);
    }
  }
}

export function qrnnStepF32(desc: usize): void {
  const I = load<i32>(desc + QRNN_F32.I);
  const H = load<i32>(desc + QRNN_F32.H);
  const xPrev = load<usize>(desc + QRNN_F32.xPrev); // f32[I] (window 2)
  const v = load<usize>(desc + QRNN_F32.v);
  const acc = load<usize>(desc + QRNN_F32.acc);
  const twoTaps = load<i32>(desc + QRNN_F32.window) == 2;
  const fo = load<i32>(desc + QRNN_F32.fo) != 0;
  if (twoTaps) for (let i = 0; i < I; i++) store<f32>(at(v, I + i), load<f32>(at(xPrev, i))); // v[I:] = x_{t−1}
  matRowsF32(acc, desc + QRNN_F32.gates, v, 0, (fo ? 3 : 2) * H);
  if (twoTaps) for (let i = 0; i < I; i++) store<f32>(at(xPrev, i), load<f32>(at(v, i))); // x_t is the next x_{t−1}
  qrnnElementwiseF32(desc, acc, 4);
}

/** run(n): the gate sums of CHUNK steps of xs into proj f32[G·H][CHUNK]; window 2's slot 0 is x_{t0−1} (state). */
export function qrnnProjectF32(desc: usize, xs: usize, proj: usize): void {
  const I = load<i32>(desc + QRNN_F32.I);
  const xPrev = load<usize>(desc + QRNN_F32.xPrev);
  const taps = load<i32>(desc + QRNN_F32.window);
  if (taps == 2) toColumn<f32>(xs, xPrev, I);
  projectChunkF32(proj, desc + QRNN_F32.gates, xs, I, taps);
  if (taps == 2) fromColumn<f32>(xPrev, xs + (<usize>CHUNK << 2), I);
}

/** run(n): the pooling of chunk step s, from qrnnProjectF32's rows. */
export function qrnnRecurF32(desc: usize, proj: usize, s: i32): void {
  qrnnElementwiseF32(desc, proj + (<usize>s << 2), <usize>CHUNK * 4);
}

// After the gate sums: row r at acc + r·stride. Inlined with constant strides.
@inline function qrnnElementwiseF32(desc: usize, acc: usize, stride: usize): void {
  const H = load<i32>(desc + QRNN_F32.H);
  const h = load<usize>(desc + QRNN_F32.h);
  const cState = load<usize>(desc + QRNN_F32.cState);
  const fo = load<i32>(desc + QRNN_F32.fo) != 0;
  for (let j = 0; j < H; j++) {
    const z = tanhF32(load<f32>(acc + <usize>j * stride));
    const fg = sigmoidF32(load<f32>(acc + <usize>(H + j) * stride));
    const next = fg * load<f32>(at(cState, j)) + (ONE - fg) * z;
    store<f32>(at(cState, j), next);
    store<f32>(at(h, j), fo ? sigmoidF32(load<f32>(acc + <usize>(2 * H + j) * stride)) * next : next);
  }
}
