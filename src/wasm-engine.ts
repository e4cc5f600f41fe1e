/**
 * @fileoverview Runs a compiled module in Node's WebAssembly through its documented ABI only
 * (exports + manifest), the way firmware would: reset, write input steps, step()/run(n), read
 * the output buffers. Results are reassembled into the graph's output tensors.
 */
import { fail } from '../compiler/errors.ts';
import { newTensor, type Tensor } from '../compiler/ir/types.ts';
import type { Manifest, ManifestOutput } from './manifest.ts';

interface Exports {
  memory: WebAssembly.Memory;
  reset(): void;
  resetTo(b: number): void;
  step(): number;
  run(n: number): number;
}

export type RunMode = 'run' | 'step';

export class WasmModel {
  private constructor(readonly exports: Exports, readonly manifest: Manifest) {}

  static async load(wasm: Uint8Array, manifest: Manifest): Promise<WasmModel> {
    const { instance } = await WebAssembly.instantiate(new Uint8Array(wasm), {});
    return new WasmModel(instance.exports as unknown as Exports, manifest);
  }

  private view(): DataView {
    return new DataView(this.exports.memory.buffer);
  }

  /** Writes steps [t0, t0+n) of a sequence into the input buffer starting at slot 0. */
  writeInput(steps: Float32Array[], t0: number, n: number): void {
    const { input, io } = this.manifest;
    const v = this.view();
    for (let s = 0; s < n; s++) {
      const x = steps[t0 + s];
      for (let i = 0; i < input.size; i++) {
        const at = input.ptr + (s * input.size + i) * input.elem_bytes;
        if (io === 'f32') v.setFloat32(at, x[i], true);
        else if (io === 'int16') v.setInt16(at, x[i], true);
        else v.setInt8(at, x[i]);
      }
    }
  }

  readOutput(o: ManifestOutput, slot: number): Float32Array {
    const v = this.view();
    const bytes = this.manifest.io === 'f32' ? 4 : this.manifest.io === 'int16' ? 2 : 1;
    const out = new Float32Array(o.step_elems);
    for (let i = 0; i < o.step_elems; i++) {
      const at = o.ptr + (slot * o.step_elems + i) * bytes;
      out[i] = bytes === 4 ? v.getFloat32(at, true) : bytes === 2 ? v.getInt16(at, true) : v.getInt8(at);
    }
    return out;
  }

  state(): Uint8Array {
    const { ptr, bytes } = this.manifest.state;
    return new Uint8Array(this.exports.memory.buffer.slice(ptr, ptr + bytes));
  }

  /** One batch entry: per output, its per-step slices (seq) or its final slice. */
  runEntry(steps: Float32Array[], b: number, mode: RunMode): { slices: Float32Array[][] } {
    const m = this.manifest;
    const T = steps.length;
    this.exports.resetTo(b);
    const slices: Float32Array[][] = m.outputs.map(() => []);
    if (mode === 'step') {
      if (!m.streamable) fail('this module has reverse or bidirectional layers: step() needs the whole sequence; use run mode');
      for (let t = 0; t < T; t++) {
        this.writeInput(steps, t, 1);
        const rc = this.exports.step();
        if (rc !== 0) fail(`module step() returned ${rc}`);
        m.outputs.forEach((o, i) => o.timing === 'seq' && slices[i].push(this.readOutput(o, 0)));
      }
    } else {
      // Streamable modules take long sequences in chunks of max_steps: run(n) continues the state.
      if (!m.streamable && T > m.max_steps) fail(`sequence of ${T} steps exceeds the module's max_steps ${m.max_steps} (compile with --max-steps)`);
      for (let t0 = 0; t0 < T; t0 += m.max_steps) {
        const n = Math.min(m.max_steps, T - t0);
        this.writeInput(steps, t0, n);
        const rc = this.exports.run(n);
        if (rc !== 0) fail(`module run(${n}) returned ${rc}`);
        m.outputs.forEach((o, i) => {
          if (o.timing === 'seq') for (let t = 0; t < n; t++) slices[i].push(this.readOutput(o, t));
        });
      }
    }
    m.outputs.forEach((o, i) => o.timing === 'final' && slices[i].push(this.readOutput(o, 0)));
    return { slices };
  }
}

/** Input steps of batch entry b of the graph input, per the manifest's axis roles. */
export function manifestSteps(m: Manifest, x: Tensor, b: number): Float32Array[] {
  const { time_axis: ta, batch_axis: ba, feature_axis: fa, size } = m.input;
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, d) => a * d, 1));
  if (x.shape[fa] !== size) fail(`input has ${x.shape[fa]} features; the module takes ${size}`);
  return Array.from({ length: x.shape[ta] }, (_, t) => {
    const v = new Float32Array(size);
    for (let f = 0; f < size; f++) v[f] = x.data[t * strides[ta] + b * strides[ba] + f * strides[fa]];
    return v;
  });
}

/** Rebuilds an output tensor from per-entry slices (slice layout: groups × features). */
export function assembleFromSlices(o: ManifestOutput, steps: number, entries: Float32Array[][]): Tensor {
  const sizes = o.axes.map((a) => (a === 'T' ? steps : a === 'B' ? entries.length : a === 'D' ? o.groups : a === 'F' ? o.features : 1));
  const t = newTensor('float32', sizes);
  const idx = sizes.map(() => 0);
  const [tA, bA, dA, fA] = ['T', 'B', 'D', 'F'].map((a) => o.axes.indexOf(a));
  for (let flat = 0; flat < t.data.length; flat++) {
    const e = entries[bA >= 0 ? idx[bA] : 0];
    const slice = e[o.timing === 'seq' ? idx[tA] : 0];
    t.data[flat] = slice[(dA >= 0 ? idx[dA] : 0) * o.features + (fA >= 0 ? idx[fA] : 0)];
    for (let a = sizes.length - 1; a >= 0 && ++idx[a] === sizes[a]; a--) idx[a] = 0;
  }
  return t;
}

export function runWasm(model: WasmModel, x: Tensor, mode: RunMode): Tensor[] {
  const m = model.manifest;
  const B = x.shape[m.input.batch_axis];
  const T = x.shape[m.input.time_axis];
  const perEntry = Array.from({ length: B }, (_, b) => model.runEntry(manifestSteps(m, x, b), b, mode).slices);
  return m.outputs.map((o, i) => assembleFromSlices(o, T, perEntry.map((e) => e[i])));
}
