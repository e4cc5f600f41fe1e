// The f32 scheme's SRU and QRNN cells (AssemblyScript).
// Mirror: compiler/fixed/f32/sru-qrnn.ts — same f32 operations in the same order, same results
// bit for bit (see there for the equations). Descriptors: ./desc.ts (SRU_F32, QRNN_F32).
import { sigmoidF32, tanhF32 } from './math';
import { matRowsF32 } from './cells';
import { QRNN_F32, SRU_F32 } from './desc';

const ONE: f32 = 1;
const CAND = 0, FORGET = 1, RESET = 2, HIGHWAY = 3;

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

export function sruStepF32(desc: usize): void {
  const H = load<i32>(desc + SRU_F32.H);
  const k = load<i32>(desc + SRU_F32.k);
  const h = load<usize>(desc + SRU_F32.h);
  const cState = load<usize>(desc + SRU_F32.cState);
  const v = load<usize>(desc + SRU_F32.v);
  const acc = load<usize>(desc + SRU_F32.acc);
  const peep = load<usize>(desc + SRU_F32.peep); // f32[2H]
  const tanh = load<i32>(desc + SRU_F32.tanh) != 0;
  const highway = load<i32>(desc + SRU_F32.highway) != 0;
  const hwIn = at(v, load<i32>(desc + SRU_F32.hwOff));
  const scaleX = load<f32>(desc + SRU_F32.scaleX);
  matRowsF32(acc, desc + SRU_F32.U, v, 0, k * H);
  for (let j = 0; j < H; j++) {
    const prev = load<f32>(at(cState, j));
    const fg = sigmoidF32(load<f32>(at(acc, FORGET * H + j)) + load<f32>(at(peep, j)) * prev);
    const r = sigmoidF32(load<f32>(at(acc, RESET * H + j)) + load<f32>(at(peep, H + j)) * prev);
    const next = fg * prev + (ONE - fg) * load<f32>(at(acc, CAND * H + j));
    store<f32>(at(cState, j), next);
    const g = tanh ? tanhF32(next) : next;
    if (highway) {
      const skip = k == 4 ? load<f32>(at(acc, HIGHWAY * H + j)) : scaleX * load<f32>(at(hwIn, j));
      store<f32>(at(h, j), r * g + (ONE - r) * skip);
    } else {
      store<f32>(at(h, j), r * g);
    }
  }
}

export function qrnnStepF32(desc: usize): void {
  const I = load<i32>(desc + QRNN_F32.I);
  const H = load<i32>(desc + QRNN_F32.H);
  const h = load<usize>(desc + QRNN_F32.h);
  const cState = load<usize>(desc + QRNN_F32.cState);
  const xPrev = load<usize>(desc + QRNN_F32.xPrev); // f32[I] (window 2)
  const v = load<usize>(desc + QRNN_F32.v);
  const acc = load<usize>(desc + QRNN_F32.acc);
  const twoTaps = load<i32>(desc + QRNN_F32.window) == 2;
  const fo = load<i32>(desc + QRNN_F32.fo) != 0;
  if (twoTaps) for (let i = 0; i < I; i++) store<f32>(at(v, I + i), load<f32>(at(xPrev, i))); // v[I:] = x_{t−1}
  matRowsF32(acc, desc + QRNN_F32.gates, v, 0, (fo ? 3 : 2) * H);
  if (twoTaps) for (let i = 0; i < I; i++) store<f32>(at(xPrev, i), load<f32>(at(v, i))); // x_t is the next x_{t−1}
  for (let j = 0; j < H; j++) {
    const z = tanhF32(load<f32>(at(acc, j)));
    const fg = sigmoidF32(load<f32>(at(acc, H + j)));
    const next = fg * load<f32>(at(cState, j)) + (ONE - fg) * z;
    store<f32>(at(cState, j), next);
    store<f32>(at(h, j), fo ? sigmoidF32(load<f32>(at(acc, 2 * H + j))) * next : next);
  }
}
