/**
 * @fileoverview `model.js` + `model.d.ts`: a dependency-free ES module that loads `model.wasm`
 * (Node or browser) and drives it through the documented ABI, so JavaScript users never touch
 * addresses. The manifest values it needs are embedded, so model.js, model.wasm and model.d.ts
 * are the whole deliverable. The d.ts is generated per model: element types follow the io type
 * and output tuples carry the output names.
 */
import type { Manifest } from '../manifest.ts';

/** What model.js needs from the manifest (and exposes as `manifest`). */
export function loaderManifest(m: Manifest) {
  return {
    source: m.source, quant: m.quant, io: m.io,
    input: { name: m.input.name, shape: m.input.shape, size: m.input.size, frac: m.input.frac, ptr: m.input.ptr, elem_bytes: m.input.elem_bytes },
    outputs: m.outputs.map((o) => ({ name: o.name, shape: o.shape, axes: o.axes, timing: o.timing, groups: o.groups, features: o.features, ptr: o.ptr, step_elems: o.step_elems })),
    max_steps: m.max_steps, streamable: m.streamable, initial_states: m.initial_states,
    state: { ptr: m.state.ptr, bytes: m.state.bytes },
  };
}

const ARRAY: Record<string, string> = { f32: 'Float32Array', int8: 'Int8Array', int16: 'Int16Array' };

function arrayType(m: Manifest): string {
  const t = ARRAY[m.io];
  if (!t) throw new Error(`model.js: unknown io type '${m.io}'`);
  return t;
}

// The runtime part is the same for every model; only MANIFEST and the element type differ.
const BODY = String.raw`
const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

async function bytesOf(src) {
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return src;
  const url = typeof src === 'string' ? src : src.href;
  // Node: file URLs and plain paths are read from disk; http(s) goes through fetch like browsers.
  if (isNode && !/^(https?|data|blob):/i.test(url)) {
    const { readFile } = await import('node:fs/promises');
    return readFile(/^file:/i.test(url) ? new URL(url) : url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error('model.js: fetching ' + url + ' failed: HTTP ' + res.status);
  return res.arrayBuffer();
}

/** Loads the module (default: model.wasm beside this file) and returns the model, reset. */
export async function load(wasmBytesOrUrl) {
  const { instance } = await WebAssembly.instantiate(await bytesOf(wasmBytesOrUrl ?? new URL('./model.wasm', import.meta.url)), {});
  const x = instance.exports;
  const M = MANIFEST, I = M.input.size;
  const mem = () => x.memory.buffer; // re-read on every call: a buffer must never be cached
  const view = (ptr, n) => new Elem(mem(), ptr, n);
  const write = (slot, values, from) => {
    const dst = view(M.input.ptr + slot * I * Elem.BYTES_PER_ELEMENT, I);
    for (let i = 0; i < I; i++) dst[i] = values[from + i];
  };
  const read = (o, slots) => view(o.ptr, o.step_elems * slots).slice();
  const check = (rc, what) => {
    if (rc !== 0) throw new Error('model.js: ' + what + ' returned ' + rc);
  };
  const model = {
    manifest: M,
    reset() { x.reset(); },
    resetTo(b) { x.resetTo(b); },
    step(input) {
      if (!M.streamable) throw new Error('model.js: step() is not available: this model has reverse or bidirectional layers and needs the whole sequence; use run(steps)');
      if (input.length !== I) throw new Error('model.js: step() takes ' + I + ' input values, got ' + input.length);
      write(0, input, 0);
      check(x.step(), 'step()');
      return M.outputs.map((o) => read(o, 1));
    },
    run(steps) {
      const flat = !Array.isArray(steps) || typeof steps[0] === 'number';
      const T = flat ? steps.length / I : steps.length;
      // Streamable modules run longer sequences in chunks of max_steps (run continues the state).
      if (!Number.isInteger(T) || T < 1 || (!M.streamable && T > M.max_steps)) {
        throw new Error('model.js: run() takes 1..' + M.max_steps + ' steps of ' + I + ' values' + (flat ? ' (flat length ' + steps.length + ')' : ', got ' + T));
      }
      const seq = M.outputs.map((o) => (o.timing === 'seq' ? new Elem(T * o.step_elems) : null));
      for (let t0 = 0; t0 < T; t0 += M.max_steps) {
        const n = Math.min(M.max_steps, T - t0);
        for (let t = 0; t < n; t++) {
          if (!flat && steps[t0 + t].length !== I) throw new Error('model.js: run() step ' + (t0 + t) + ' has ' + steps[t0 + t].length + ' values, expected ' + I);
          write(t, flat ? steps : steps[t0 + t], flat ? (t0 + t) * I : 0);
        }
        check(x.run(n), 'run(' + n + ')');
        M.outputs.forEach((o, i) => { if (seq[i]) seq[i].set(read(o, n), t0 * o.step_elems); });
      }
      return M.outputs.map((o, i) => seq[i] ?? read(o, 1));
    },
    saveState() { return new Uint8Array(mem(), M.state.ptr, M.state.bytes).slice(); },
    restoreState(bytes) {
      if (bytes.length !== M.state.bytes) throw new Error('model.js: restoreState() takes ' + M.state.bytes + ' bytes, got ' + bytes.length);
      new Uint8Array(mem(), M.state.ptr, M.state.bytes).set(bytes);
    },
  };
  x.reset(); // fresh memory is zeros, not necessarily initial state 0
  return model;
}
`;

export function loaderJs(m: Manifest): string {
  return [
    `// model.js: generated by rnnc for ${JSON.stringify(m.source)} (${m.quant}, io ${m.io}). Do not edit. No dependencies.`,
    `export const manifest = ${JSON.stringify(loaderManifest(m), null, 2)};`,
    'const MANIFEST = manifest;',
    `const Elem = ${arrayType(m)};`,
    BODY,
  ].join('\n');
}

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
  'import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await').split(' '));

/** Output names as TypeScript tuple labels: identifiers, unique, not reserved words. */
function labels(m: Manifest): string[] {
  const seen = new Set<string>();
  return m.outputs.map((o) => {
    let id = o.name.replace(/[^A-Za-z0-9_$]/g, '_');
    if (!/^[A-Za-z_$]/.test(id)) id = `_${id}`;
    if (RESERVED.has(id)) id += '_';
    while (seen.has(id)) id += '_';
    seen.add(id);
    return id;
  });
}

export function loaderDts(m: Manifest): string {
  const A = arrayType(m);
  const names = labels(m);
  const esc = (s: string) => s.replace(/\*\//g, '*\\/');
  const outDoc = m.outputs.map((o, k) => ` *  - ${names[k]}${names[k] === o.name ? '' : ` (${esc(o.name)})`}: ${o.timing === 'seq' ? `per step, ${o.step_elems} values per step` : `final, ${o.step_elems} values`}; axes [${o.axes.join(',')}]`);
  const outs = m.outputs.map((o) => `{ name: string; shape: (number | string)[]; axes: string[]; timing: '${o.timing}'; groups: number; features: number; ptr: number; step_elems: number }`);
  return `// model.d.ts: generated by rnnc (${esc(m.quant)}, io ${m.io}). Do not edit.

/** Input elements: ${m.io === 'f32' ? 'float32 values' : `${m.io} fixed point, value = q · 2^-${m.input.frac}`}. */
export type ModelInput = ${A} | ArrayLike<number>;

/**
 * Outputs, in this order:
${outDoc.join('\n')}
 */
export type ModelOutputs = [${names.map((n) => `${n}: ${A}`).join(', ')}];

export interface ModelManifest {
  source: string;
  quant: string;
  io: '${m.io}';
  input: { name: string; shape: (number | string)[]; size: ${m.input.size}; frac: number; ptr: number; elem_bytes: number };
  outputs: [${outs.join(', ')}];
  max_steps: number;
  streamable: ${m.streamable};
  initial_states: number;
  state: { ptr: number; bytes: number };
}

export interface Model {
  readonly manifest: ModelManifest;
  /** Back to initial state 0 (zeros unless the model has initial states): a new sequence. */
  reset(): void;
  /** Initial state number b (0 ≤ b < ${m.initial_states}; larger b use the last). */
  resetTo(b: number): void;
  /** One time step of ${m.input.size} values; returns every output (seq outputs: this step's values).${m.streamable ? '' : '\n   * @throws always: this model has reverse or bidirectional layers; use run().'} */
  step(input: ModelInput): ModelOutputs;
  /** Steps as step arrays or one flat [T·${m.input.size}] array, continuing from the current state (streamable models: any T, run in chunks of ${m.max_steps}; others: 1..${m.max_steps}).
   * Seq outputs hold [T·step_elems] values, final outputs [step_elems]. */
  run(steps: ArrayLike<number>[] | ${A} | number[]): ModelOutputs;
  /** The recurrent state (${m.state.bytes} bytes), e.g. to keep across deep sleep. */
  saveState(): Uint8Array;
  restoreState(bytes: Uint8Array): void;
}

export declare const manifest: ModelManifest;

/** Loads the module: bytes, a URL or a path (default: model.wasm beside model.js). */
export declare function load(wasmBytesOrUrl?: ArrayBuffer | ArrayBufferView | { readonly href: string } | string): Promise<Model>;
`;
}
