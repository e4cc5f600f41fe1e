/**
 * Oracles for the MCU runs: the same call sequence as the bare-metal harness (reset, then step()
 * per input step, or run(T)) on Node's WebAssembly, giving the raw bytes of every output buffer
 * and of the state region; and one batch entry of the simulator's outputs in slot layout.
 */
import { WasmModel } from '../../src/wasm-engine.ts';
import type { Manifest, ManifestOutput } from '../../src/manifest.ts';
import type { Tensor } from '../../compiler/ir/types.ts';
import { quantizeInput } from '../../compiler/fixed/io.ts';

export interface RawRun { outputs: Uint8Array[]; state: Uint8Array }

export async function nodeRawRun(wasm: Uint8Array, m: Manifest, steps: Float32Array[]): Promise<RawRun> {
  const model = await WasmModel.load(wasm, m);
  const eb = m.io === 'f32' ? 4 : m.io === 'int16' ? 2 : 1;
  const bytes = (o: ManifestOutput, slots: number) => new Uint8Array(model.exports.memory.buffer.slice(o.ptr, o.ptr + slots * o.step_elems * eb));
  const parts: Uint8Array[][] = m.outputs.map(() => []);
  model.exports.reset();
  if (m.streamable) {
    steps.forEach((_, t) => {
      model.writeInput(steps, t, 1);
      if (model.exports.step() !== 0) throw new Error('step() failed');
      m.outputs.forEach((o, k) => o.timing === 'seq' && parts[k].push(bytes(o, 1)));
    });
  } else {
    model.writeInput(steps, 0, steps.length);
    if (model.exports.run(steps.length) !== 0) throw new Error('run() failed');
    m.outputs.forEach((o, k) => o.timing === 'seq' && parts[k].push(bytes(o, steps.length)));
  }
  m.outputs.forEach((o, k) => o.timing === 'final' && parts[k].push(bytes(o, 1)));
  return { outputs: parts.map((p) => Buffer.concat(p)), state: model.state() };
}

/** Input steps in the module's I/O type: floats, or the fixed-point integers the module expects. */
export function ioSteps(m: Manifest, steps: Float32Array[]): Float32Array[] {
  if (m.io === 'f32') return steps;
  const bits = m.io === 'int16' ? 16 : 8;
  return steps.map((s) => Float32Array.from(s, (v) => quantizeInput(v, m.input.frac, bits)));
}

/** Output bytes → values: float32 as is, integers scaled by 2^−frac of the vector each part copies. */
export function decodeOutput(m: Manifest, o: ManifestOutput, bytes: Uint8Array): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eb = m.io === 'f32' ? 4 : m.io === 'int16' ? 2 : 1;
  const out = new Float32Array(bytes.length / eb);
  for (let i = 0; i < out.length; i++) {
    if (eb === 4) { out[i] = v.getFloat32(4 * i, true); continue; }
    const q = eb === 2 ? v.getInt16(2 * i, true) : v.getInt8(i);
    const e = i % o.step_elems;
    const copy = o.copies.find((c) => e >= c.dst && e < c.dst + c.count);
    if (!copy) throw new Error(`output ${o.name}: element ${e} is not covered by a copy`);
    out[i] = Math.fround(q * 2 ** -copy.frac);
  }
  return out;
}

/** Batch entry b of a graph output tensor, as the module lays it out: [T ×] groups × features. */
export function entryOfTensor(o: ManifestOutput, t: Tensor, b: number): Float32Array {
  const sizes = t.shape;
  const [tA, bA, dA, fA] = ['T', 'B', 'D', 'F'].map((a) => o.axes.indexOf(a));
  const T = tA >= 0 ? sizes[tA] : 1;
  const out = new Float32Array((o.timing === 'seq' ? T : 1) * o.step_elems);
  const idx = sizes.map(() => 0);
  for (let flat = 0; flat < t.data.length; flat++) {
    if ((bA >= 0 ? idx[bA] : 0) === b) {
      const slot = o.timing === 'seq' && tA >= 0 ? idx[tA] : 0;
      out[slot * o.step_elems + (dA >= 0 ? idx[dA] : 0) * o.features + (fA >= 0 ? idx[fA] : 0)] = t.data[flat];
    }
    for (let a = sizes.length - 1; a >= 0 && ++idx[a] === sizes[a]; a--) idx[a] = 0;
  }
  return out;
}
